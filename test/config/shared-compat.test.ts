/**
 * The seed article's files (test/fixtures/seeds/seed-example, kept in the repository) and PipeCD's own
 * ECS examples, read where they live (../shared/compat, third-party: not copied); when that folder is
 * absent the PipeCD tests skip with a notice.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { checkConfig } from "../../src/config/check-config.js";
import { loadConfig } from "../../src/config/load-config.js";
import {
  DEFAULT_SECRETS_ENV,
  type Expected,
  mismatch,
  pipecdExamplesDir,
  seedDir,
  seedRoot,
  sharedDir,
  writeTree,
} from "./config-test-helpers.js";

const available = existsSync(sharedDir);
if (!available) {
  console.warn(`[config tests] ${sharedDir} does not exist: skipping the PipeCD compatibility tests`);
}

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.map((c) => c()));
  cleanups = [];
});

async function kanariaFile(content: unknown): Promise<string> {
  const { dir, cleanup } = await writeTree({ "kanaria.yaml": stringify(content) });
  cleanups.push(cleanup);
  return path.join(dir, "kanaria.yaml");
}

const SEED_RATIO_WARNING =
  "seeds/seed-example/app.pipecd.yaml:36:22: warning: spec.pipeline.stages[2].with.metrics[0].expected.max: max 10 can never be exceeded: the query divides an error count (aws.applicationelb.httpcode_elb_5xx) by a request count (aws.applicationelb.request_count), so its value is a ratio between 0 and 1; for 10% write max: 0.10";
const SEED_READ_ONLY_WARNING =
  "seeds/seed-example/taskdef.yaml:12:1: warning: compatibilities: dropped read-only field compatibilities (output of aws ecs describe-*, not accepted when registering a task definition)";

describe("the seed article's app (test/fixtures/seeds/seed-example)", () => {
  it("loads with the provider named as the app expects: exit 0, and the 10-vs-ratio warning at its line:col", async () => {
    const file = await kanariaFile({
      cloudProviders: [{ name: "sample-ecs", type: "ECS", config: { region: "ap-northeast-1" } }],
      analysisProviders: [
        { name: "datadog-provider", type: "DATADOG", config: { site: "ap1.datadoghq.com" } },
      ],
      apps: [{ name: "canary", dir: seedDir }],
    });
    const check = await checkConfig(file, { cwd: seedRoot, env: DEFAULT_SECRETS_ENV });
    expect(check).toEqual({
      lines: [SEED_RATIO_WARNING, SEED_READ_ONLY_WARNING, "0 errors, 2 warnings in 1 app"],
      exitCode: 0,
    });
    const loaded = await loadConfig(file);
    const app = loaded.apps.get("canary");
    expect(app?.pipeline?.map((s) => s.kind)).toEqual([
      "ECS_CANARY_ROLLOUT",
      "ECS_TRAFFIC_ROUTING",
      "ANALYSIS",
      "ECS_PRIMARY_ROLLOUT",
      "ECS_TRAFFIC_ROUTING",
      "ECS_CANARY_CLEAN",
    ]);
    expect(app?.pipeline?.[1]?.options).toEqual({ primary: 80, canary: 20, baseline: 0 });
    expect(app?.taskDefinition).toMatchObject({
      cpu: "256",
      memory: "512",
      requiresCompatibilities: ["FARGATE"],
    });
    expect(app?.taskDefinition).not.toHaveProperty("compatibilities");
    expect(app?.taskDefinition).not.toHaveProperty("pidMode");
  });

  it("with the seed's own piped providers: exit 1, the provider mismatch at the provider: line, defined names listed", async () => {
    const piped = parse(await readFile(path.join(seedDir, "piped-config.yaml"), "utf8")) as {
      spec: { cloudProviders: unknown; analysisProviders: unknown };
    };
    const file = await kanariaFile({
      cloudProviders: piped.spec.cloudProviders,
      analysisProviders: piped.spec.analysisProviders,
      apps: [{ name: "canary", dir: seedDir }],
    });
    const check = await checkConfig(file, { cwd: seedRoot, env: DEFAULT_SECRETS_ENV });
    expect(check.exitCode).toBe(1);
    // piped's secret files are not on this machine, and serve would refuse them: each is an error at its line.
    expect(check.lines.slice(0, 3).map((line) => line.replace(/^.*kanaria\.yaml:/, "kanaria.yaml:"))).toEqual(
      [
        "kanaria.yaml:6:24: error: cloudProviders[0].config.credentialsFile: secret file /etc/piped-secret/credentials-key does not exist",
        "kanaria.yaml:12:19: error: analysisProviders[0].config.apiKeyFile: secret file /etc/piped-secret/datadog-api-key does not exist",
        "kanaria.yaml:13:27: error: analysisProviders[0].config.applicationKeyFile: secret file /etc/piped-secret/datadog-application-key does not exist",
      ],
    );
    expect(check.lines.slice(3)).toEqual([
      'seeds/seed-example/app.pipecd.yaml:33:25: error: spec.pipeline.stages[2].with.metrics[0].provider: analysis provider "datadog-provider" is not defined in kanaria.yaml analysisProviders (defined: rf-sandbox-datadog)',
      SEED_RATIO_WARNING,
      SEED_READ_ONLY_WARNING,
      "4 errors, 2 warnings in 1 app",
    ]);
    const loaded = await loadConfig(file);
    expect(loaded.config?.analysisProviders).toEqual([
      {
        name: "rf-sandbox-datadog",
        type: "DATADOG",
        apiKey: { file: "/etc/piped-secret/datadog-api-key" },
        applicationKey: { file: "/etc/piped-secret/datadog-application-key" },
        site: "datadoghq.com",
      },
    ]);
    expect(loaded.apps.has("canary")).toBe(false);
  });
});

describe.skipIf(!available)("PipeCD's ECS examples (../shared/compat/pipecd-examples)", () => {
  const example = (name: string) => path.join(pipecdExamplesDir, name);

  it("loads simple, canary and bluegreen cleanly and says exactly what wait-approval lacks", async () => {
    const file = await kanariaFile({
      cloudProviders: [{ name: "ecs", type: "ECS", config: { region: "ap-northeast-1" } }],
      apps: ["simple", "canary", "bluegreen", "wait-approval"].map((name) => ({ dir: example(name) })),
    });
    const result = await loadConfig(file);
    expect([...result.apps.keys()]).toEqual(["simple", "canary", "bluegreen"]);
    expect(result.config?.apps.map((a) => a.name)).toEqual([
      "simple",
      "canary",
      "bluegreen",
      "wait-approval",
    ]);
    expect(result.apps.get("simple")?.pipeline).toBeUndefined();
    expect(result.apps.get("bluegreen")?.pipeline?.[1]?.options).toEqual({
      primary: 0,
      canary: 100,
      baseline: 0,
    });
    expect(result.apps.get("canary")?.pipeline?.[2]?.options).toEqual({ durationMs: 150_000 });

    const waitApproval = "wait-approval/app.pipecd.yaml";
    const expected: Expected[] = [
      {
        file: waitApproval,
        line: 4,
        col: 1,
        severity: "error",
        path: "spec.input.targetGroups.primary",
        words: ["missing input.targetGroups.primary"],
      },
      {
        file: waitApproval,
        line: 4,
        col: 1,
        severity: "error",
        path: "spec.input.targetGroups.canary",
        words: ["missing input.targetGroups.canary", "ECS_CANARY_ROLLOUT at line 15 and 3 more stages"],
      },
      {
        file: waitApproval,
        line: 4,
        col: 1,
        severity: "error",
        path: "spec.input.serviceDefinitionFile",
        words: [
          "wait-approval/servicedef.yaml: file not found",
          "input.serviceDefinitionFile is not set",
          "default, servicedef.yaml",
        ],
      },
      {
        file: waitApproval,
        line: 4,
        col: 1,
        severity: "error",
        path: "spec.input.taskDefinitionFile",
        words: [
          "wait-approval/taskdef.yaml: file not found",
          "input.taskDefinitionFile is not set",
          "default, taskdef.yaml",
        ],
      },
      ...[
        [38, "mentions[0].slack[0]", "slack-user-id-1"],
        [39, "mentions[0].slack[1]", "slack-user-id-2"],
        [43, "mentions[1].slack[0]", "slack-user-id-3"],
      ].map(
        ([line, field, id]): Expected => ({
          file: waitApproval,
          line: Number(line),
          col: 13,
          severity: "warning",
          path: `spec.notification.${String(field)}`,
          words: [`"${String(id)}" does not look like a Slack user id`],
        }),
      ),
    ];
    expect(mismatch(result.diagnostics, expected, pipecdExamplesDir)).toBeUndefined();
  });

  it("reports the Prometheus/Kubernetes analysis template clearly instead of crashing", async () => {
    const template = path.join(pipecdExamplesDir, "analysis-template.yaml");
    const file = await kanariaFile({
      cloudProviders: [{ name: "ecs", type: "ECS", config: { region: "ap-northeast-1" } }],
      analysisProviders: [{ name: "datadog", type: "DATADOG", config: {} }],
      analysisTemplateFiles: [template],
      apps: [{ dir: example("simple") }],
    });
    const result = await loadConfig(file);
    const provider = (line: number, metric: string): Expected => ({
      file: "analysis-template.yaml",
      line,
      col: 17,
      severity: "error",
      path: `spec.metrics.${metric}.provider`,
      words: ['analysis provider "my-prometheus" is not defined', "(defined: datadog)"],
    });
    const expected: Expected[] = [
      provider(8, "http_error_rate"),
      provider(19, "http_request_duration_99th_quantile"),
      {
        file: "analysis-template.yaml",
        line: 20,
        col: 7,
        severity: "warning",
        path: "spec.metrics.http_request_duration_99th_quantile.expected",
        words: ["ignored: CANARY_BASELINE does not use expected"],
      },
      {
        file: "analysis-template.yaml",
        line: 22,
        col: 14,
        severity: "warning",
        path: "spec.metrics.http_request_duration_99th_quantile.query",
        words: ["compares canary with baseline", "reads the same series for both", "can never fail"],
      },
      provider(31, "container_cpu_usage_seconds_total"),
      {
        file: "analysis-template.yaml",
        line: 37,
        col: 24,
        severity: "error",
        path: "spec.metrics.container_cpu_usage_seconds_total.query",
        words: ["{{ .K8s.Namespace }} is Kubernetes-only"],
      },
    ];
    expect(mismatch(result.diagnostics, expected, pipecdExamplesDir)).toBeUndefined();
    // The template's problems do not stop an app that does not use it.
    expect(result.apps.has("simple")).toBe(true);
  });
});
