/**
 * `source: ALB` metrics against the app's target groups (config/check-alb-sources.ts): a BASELINE control
 * without `input.targetGroups.baseline`, and an app not behind an ALB, are check-config errors at the
 * metric (or the `template:` that brought it in), not provider errors mid-canary.
 */
import { describe, expect, it } from "vitest";
import { checkConfig } from "../../src/config/check-config.js";
import { DEFAULT_SECRETS_ENV } from "./config-test-helpers.js";
import { APP_FILES, ecsAppHead, kanariaTree, lines } from "./kanaria-test-tree.js";

const load = kanariaTree();

const KANARIA = lines(
  "cloudProviders:",
  "  - name: ecs",
  "    type: ECS",
  "    config: {region: us-east-1, endpoints: {elbv2: 'http://127.0.0.1:9'}}",
  "analysisProviders:",
  "  - name: cw",
  "    type: CLOUDWATCH",
  "    config: {cloudProvider: ecs, endpoints: {cloudwatch: 'http://127.0.0.1:8'}}",
  "apps: [{dir: ./apps/web}]",
);

/** A canary + baseline pipeline whose ANALYSIS metrics start at line 22 (line 21 with no baseline group). */
function app(groups: { baseline: boolean }, ...metrics: string[]): Record<string, string> {
  return {
    "apps/web/app.pipecd.yaml": lines(
      ...ecsAppHead(groups.baseline ? ["primary", "canary", "baseline"] : ["primary", "canary"]),
      "  pipeline:",
      "    stages:",
      "      - name: ECS_CANARY_ROLLOUT",
      "        with: {scale: 10}",
      "      - name: ECS_BASELINE_ROLLOUT",
      "        with: {scale: 10}",
      "      - name: ECS_TRAFFIC_ROUTING",
      "        with: {primary: 80, canary: 10, baseline: 10}",
      "      - name: ANALYSIS",
      "        with:",
      "          duration: 10m",
      "          metrics:",
      ...metrics,
      "      - name: ECS_TRAFFIC_ROUTING",
      "        with: {primary: 100}",
      "      - name: ECS_CANARY_CLEAN",
      "      - name: ECS_BASELINE_CLEAN",
    ),
  };
}

const ALB_VS_BASELINE = [
  "            - name: alb-vs-baseline", // 21
  "              strategy: SEQUENTIAL",
  "              provider: cw",
  "              source: ALB", // 24
  "              control: BASELINE", // 25
  "              interval: 1m",
];

async function check(files: Record<string, string>) {
  const { dir } = await load(KANARIA, { ...APP_FILES, ...files });
  return checkConfig("kanaria.yaml", { cwd: dir, env: DEFAULT_SECRETS_ENV });
}

describe("source: ALB against the app's target groups", () => {
  it("a BASELINE control without a baseline target group is an error at the metric's control", async () => {
    const result = await check(app({ baseline: false }, ...ALB_VS_BASELINE));
    expect(result.exitCode).toBe(1);
    expect(result.lines).toEqual([
      "apps/web/app.pipecd.yaml:6:5: error: spec.input.targetGroups.baseline: missing input.targetGroups.baseline: ECS_BASELINE_ROLLOUT at line 13 and 2 more stages need the baseline target group (targetGroupArn, containerName, containerPort)",
      `apps/web/app.pipecd.yaml:25:24: error: spec.pipeline.stages[3].with.metrics[0].control: metric "alb-vs-baseline" (source: ALB, control: BASELINE) reads the load balancer's counts of the baseline target group, but the app has no input.targetGroups.baseline: add it (targetGroupArn, containerName, containerPort), or compare with the primary (control: PRIMARY)`,
      "2 errors, 0 warnings in 1 app",
    ]);
  });

  it("is satisfied by the baseline target group, or by the primary as control", async () => {
    expect((await check(app({ baseline: true }, ...ALB_VS_BASELINE))).lines).toEqual([
      "0 errors, 0 warnings in 1 app",
    ]);
    const vsPrimary = ALB_VS_BASELINE.map((l) => l.replace("BASELINE", "PRIMARY"));
    expect((await check(app({ baseline: false }, ...vsPrimary))).lines).toEqual([
      "apps/web/app.pipecd.yaml:6:5: error: spec.input.targetGroups.baseline: missing input.targetGroups.baseline: ECS_BASELINE_ROLLOUT at line 13 and 2 more stages need the baseline target group (targetGroupArn, containerName, containerPort)",
      "1 error, 0 warnings in 1 app",
    ]);
  });

  it("reports a control written in an AnalysisTemplate at the app's template:", async () => {
    const result = await check({
      ...app(
        { baseline: false },
        "            - template: {name: alb-vs-baseline}", // 21
        "              name: judge",
      ),
      ".pipe/analysis-template.yaml": lines(
        "apiVersion: pipecd.dev/v1beta1",
        "kind: AnalysisTemplate",
        "spec:",
        "  metrics:",
        "    alb-vs-baseline:",
        "      strategy: SEQUENTIAL",
        "      provider: cw",
        "      source: ALB",
        "      control: BASELINE",
        "      interval: 1m",
      ),
    });
    expect(result.lines).toContain(
      `apps/web/app.pipecd.yaml:21:25: error: spec.pipeline.stages[3].with.metrics[0].template: metric "judge" (source: ALB, control: BASELINE) reads the load balancer's counts of the baseline target group, but the app has no input.targetGroups.baseline: add it (targetGroupArn, containerName, containerPort), or compare with the primary (control: PRIMARY)`,
    );
  });

  it("an app not behind an ALB cannot use source: ALB", async () => {
    const result = await check({
      "apps/web/app.pipecd.yaml": lines(
        "apiVersion: pipecd.dev/v1beta1",
        "kind: ECSApp",
        "spec:",
        "  name: web",
        "  input: {accessType: SERVICE_DISCOVERY}",
        "  pipeline:",
        "    stages:",
        "      - name: ANALYSIS",
        "        with:",
        "          duration: 10m",
        "          metrics:",
        "            - strategy: SEQUENTIAL",
        "              provider: cw",
        "              source: ALB", // 14
        "              interval: 1m",
      ),
    });
    expect(result.lines).toEqual([
      `apps/web/app.pipecd.yaml:14:23: error: spec.pipeline.stages[0].with.metrics[0].source: metric "metrics[0]" has source: ALB, which reads the load balancer's counts of each variant's target group, but the app uses input.accessType SERVICE_DISCOVERY and has no ALB target groups: write errors and total queries instead`,
      "1 error, 0 warnings in 1 app",
    ]);
  });
});
