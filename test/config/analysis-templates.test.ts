import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findPipeDir } from "../../src/config/analysis-templates.js";
import { loadConfig } from "../../src/config/load-config.js";
import { type Expected, mismatch, writeTree } from "./config-test-helpers.js";

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.map((c) => c()));
  cleanups = [];
});

async function tree(files: Record<string, string>) {
  const made = await writeTree(files);
  cleanups.push(made.cleanup);
  return made.dir;
}

const template = (...metricLines: string[]) =>
  [
    "apiVersion: pipecd.dev/v1beta1",
    "kind: AnalysisTemplate",
    "spec:",
    "  metrics:",
    ...metricLines,
    "",
  ].join("\n");

const ARN = "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup";
/** An app whose only ANALYSIS metric is `metricLines` (first metric line is line 19). */
const app = (...metricLines: string[]) =>
  [
    "apiVersion: pipecd.dev/v1beta1",
    "kind: ECSApp",
    "spec:",
    "  name: web",
    "  input:",
    "    targetGroups:",
    `      primary: {targetGroupArn: "${ARN}/blue/1", containerName: web, containerPort: 80}`,
    `      canary: {targetGroupArn: "${ARN}/green/2", containerName: web, containerPort: 80}`,
    "  pipeline:",
    "    stages:",
    "      - name: ECS_CANARY_ROLLOUT",
    "        with: {scale: 50}",
    "      - name: ECS_TRAFFIC_ROUTING",
    "        with: {canary: 10}",
    "      - name: ANALYSIS",
    "        with:",
    "          duration: 30m",
    "          metrics:",
    ...metricLines.map((l, i) => `${i === 0 ? "            - " : "              "}${l}`),
    "      - name: ECS_TRAFFIC_ROUTING",
    "        with: {primary: 100}",
    "      - name: ECS_CANARY_CLEAN",
    "",
  ].join("\n");

const APP_DEFS = (dir: string) => ({
  [`${dir}/servicedef.yaml`]: "serviceName: web\ndeploymentController: {type: EXTERNAL}\n",
  [`${dir}/taskdef.yaml`]:
    "family: web\ncontainerDefinitions:\n  - {name: web, image: 'web:1', portMappings: [{containerPort: 80}]}\n",
});

const KANARIA = (extra: string, appDir: string) =>
  [
    "cloudProviders: [{name: ecs, type: ECS, config: {region: us-east-1}}]",
    "analysisProviders: [{name: datadog, type: DATADOG}]",
    extra,
    `apps: [{dir: ${appDir}}]`,
    "",
  ].join("\n");

const latency = [
  "    latency:",
  "      strategy: CANARY_PRIMARY",
  "      provider: datadog",
  "      interval: 5m",
  "      query: avg:trace.duration{service:{{ .AppCustomArgs.service }},variant:{{ .Variant.Name }}}",
];

describe("findPipeDir", () => {
  it("finds the nearest .pipe walking up from the app, not above the kanaria.yaml folder", async () => {
    const root = await tree({
      "repo/.pipe/a.yaml": "",
      "repo/team/.pipe/b.yaml": "",
      "repo/team/apps/web/app.pipecd.yaml": "",
      "repo/other/apps/api/app.pipecd.yaml": "",
      ".pipe/outside.yaml": "",
    });
    const repo = path.join(root, "repo");
    expect(await findPipeDir(path.join(repo, "team/apps/web"), repo)).toBe(path.join(repo, "team/.pipe"));
    expect(await findPipeDir(path.join(repo, "other/apps/api"), repo)).toBe(path.join(repo, ".pipe"));
    // An app outside the kanaria.yaml folder only looks in its own folder.
    expect(
      await findPipeDir(path.join(repo, "other/apps/api"), path.join(root, "elsewhere")),
    ).toBeUndefined();
  });
});

describe("templates in use", () => {
  it("reports an app's override where the app wrote it, and the template's own problem in the template", async () => {
    const dir = await tree({
      "kanaria.yaml": KANARIA("", "./apps/web"),
      ".pipe/templates.yaml": template(...latency, "      failureLimit: -1"),
      "apps/web/app.pipecd.yaml": app("template: {name: latency, appArgs: {service: web}}", "interval: 30"),
      ...APP_DEFS("apps/web"),
    });
    const result = await loadConfig(path.join(dir, "kanaria.yaml"));
    const expected: Expected[] = [
      {
        file: ".pipe/templates.yaml",
        line: 10,
        col: 21,
        severity: "error",
        path: "spec.metrics.latency.failureLimit",
        words: ["must be ≥ 0 (got -1)"],
      },
      {
        file: "apps/web/app.pipecd.yaml",
        line: 20,
        col: 25,
        severity: "error",
        path: "spec.pipeline.stages[2].with.metrics[0].interval",
        words: ["a bare number is not a duration", '"30s"'],
      },
    ];
    expect(mismatch(result.diagnostics, expected, dir)).toBeUndefined();
    expect(result.apps.has("web")).toBe(false);
  });

  it("lets a template leave fields to the apps that use it, and checks the completed metric per app", async () => {
    const dir = await tree({
      "kanaria.yaml": KANARIA("", "./apps/web"),
      ".pipe/templates.yaml": template(
        "    latency:",
        "      strategy: CANARY_PRIMARY",
        "      query: avg:x{variant:{{ .Variant.Name }}}",
      ),
      "apps/web/app.pipecd.yaml": app("template: {name: latency}", "provider: datadog"),
      ...APP_DEFS("apps/web"),
    });
    const result = await loadConfig(path.join(dir, "kanaria.yaml"));
    const expected: Expected[] = [
      {
        file: "apps/web/app.pipecd.yaml",
        line: 19,
        col: 15,
        severity: "error",
        path: "spec.pipeline.stages[2].with.metrics[0].interval",
        words: ['missing required key "interval"'],
      },
    ];
    expect(mismatch(result.diagnostics, expected, dir)).toBeUndefined();
  });

  it("refuses a template name defined twice, a template that uses a template, and a non-template file", async () => {
    const dir = await tree({
      "kanaria.yaml": KANARIA(
        "analysisTemplateFiles: [./more.yaml, ./pipeline.yaml, ./missing.yaml]",
        "./apps/web",
      ),
      ".pipe/templates.yaml": template(...latency),
      "more.yaml": template("    latency:", "      template: {name: other}"),
      "pipeline.yaml": "apiVersion: pipecd.dev/v1beta1\nkind: EventWatcher\nspec: {}\n",
      "apps/web/app.pipecd.yaml": app("template: {name: latency, appArgs: {service: web}}"),
      ...APP_DEFS("apps/web"),
    });
    const result = await loadConfig(path.join(dir, "kanaria.yaml"));
    const expected: Expected[] = [
      {
        file: "kanaria.yaml",
        line: 3,
        col: 55,
        severity: "error",
        path: "analysisTemplateFiles[2]",
        words: ["cannot read analysis template file", "missing.yaml: file not found"],
      },
      {
        file: "more.yaml",
        line: 5,
        col: 5,
        severity: "error",
        path: "spec.metrics.latency",
        words: ['analysis template "latency" is defined twice', ".pipe/templates.yaml:5"],
      },
      {
        file: "more.yaml",
        line: 6,
        col: 7,
        severity: "error",
        path: "spec.metrics.latency.template",
        words: ["a template metric cannot refer to another template"],
      },
      {
        file: "pipeline.yaml",
        line: 2,
        col: 7,
        severity: "error",
        path: "kind",
        words: ["AnalysisTemplate"],
      },
    ];
    expect(mismatch(result.diagnostics, expected, dir)).toBeUndefined();
  });
});
