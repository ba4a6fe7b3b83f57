import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadAppConfig } from "../../src/config/load-app-config.js";
import { loadConfig } from "../../src/config/load-config.js";
import type { LoadResult } from "../../src/config/types.js";
import type { StageConfig } from "../../src/domain/app-config.js";
import { fixtures } from "./config-test-helpers.js";

const root = path.join(fixtures, "valid");
const at = (rel: string) => path.join(root, rel);

describe("valid fixture", () => {
  let result: LoadResult;
  beforeAll(async () => {
    result = await loadConfig(at("kanaria.yaml"));
  });

  it("loads without a single diagnostic", () => {
    expect(result.diagnostics).toEqual([]);
    expect([...result.apps.keys()]).toEqual(["web", "api"]);
  });

  it("resolves kanaria.yaml: defaults, absolute paths, secrets as references", () => {
    expect(result.config).toEqual({
      file: at("kanaria.yaml"),
      slack: {
        botToken: { file: at("secrets/slack-bot-token") },
        signingSecret: { env: "KANARIA_TEST_SIGNING_SECRET" },
        appToken: { env: "KANARIA_TEST_APP_TOKEN" },
        apiUrl: "http://127.0.0.1:4020/api/",
        port: 3100,
      },
      cloudProviders: [
        {
          name: "sandbox-ecs",
          type: "ECS",
          region: "ap-northeast-1",
          credentialsFile: at("secrets/aws-credentials"),
          profile: "sandbox",
          endpoints: { ecs: "http://127.0.0.1:4001", elbv2: "http://127.0.0.1:4002" },
        },
      ],
      analysisProviders: [
        {
          name: "datadog",
          type: "DATADOG",
          apiKey: { file: at("secrets/dd-api-key") },
          applicationKey: { env: "DD_APP_KEY" },
          site: "ap1.datadoghq.com",
          baseUrl: "http://127.0.0.1:4010",
        },
      ],
      store: { path: at("data/kanaria.db") },
      apps: [
        {
          name: "web",
          dir: at("apps/web"),
          configFile: at("apps/web/app.pipecd.yaml"),
          cloudProvider: "sandbox-ecs",
          channels: ["C0123ABCD"],
          deployers: ["U01AAAA", "S03GROUP"],
          approvers: ["U02BBBB"],
          fourEyes: true,
        },
        {
          name: "api",
          dir: at("apps/api"),
          configFile: at("apps/api/app.pipecd.yaml"),
          cloudProvider: "sandbox-ecs",
          channels: [],
          deployers: [],
          approvers: [],
          fourEyes: false,
        },
      ],
      freezes: [],
    });
  });

  it("names an app by its kanaria.yaml entry, else by spec.name", () => {
    expect(result.apps.get("web")?.name).toBe("web");
    expect(result.apps.get("api")?.name).toBe("api");
  });

  it("resolves the web app's settings", () => {
    const web = result.apps.get("web");
    expect(web).toMatchObject({
      file: at("apps/web/app.pipecd.yaml"),
      labels: { env: "prd", team: "sre" },
      description: "The storefront.",
      autoRollback: false,
      timeoutMs: 10_800_000,
      mentions: [
        { event: "DEPLOYMENT_WAIT_APPROVAL", slack: ["U02BBBB"] },
        { event: "*", slack: ["S03GROUP"] },
      ],
      input: {
        serviceDefinitionFile: at("apps/web/servicedef.yaml"),
        taskDefinitionFile: at("apps/web/taskdef.json"),
        accessType: "ELB",
      },
    });
    expect(web?.input.targetGroups.baseline?.targetGroupArn).toContain("targetgroup/web-base/");
  });

  it("normalises the PascalCase JSON task definition and the service definition", () => {
    const web = result.apps.get("web");
    expect(web?.taskDefinition).toEqual({
      family: "web",
      taskRoleArn: "arn:aws:iam::123456789012:role/web-task",
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "512",
      memory: "1024",
      containerDefinitions: [
        {
          name: "web",
          image: "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/web:{{ .Version }}",
          essential: true,
          portMappings: [{ containerPort: 8080, protocol: "tcp" }],
          dockerLabels: { "com.datadoghq.tags.service": "web", Team: "sre" },
          logConfiguration: {
            logDriver: "awslogs",
            options: { "awslogs-group": "/ecs/web", "awslogs-region": "ap-northeast-1" },
          },
          environment: [{ name: "MODE", value: "production" }, { name: "EMPTY" }],
        },
      ],
      tags: [{ key: "team", value: "sre" }],
    });
    expect(web?.serviceDefinition).toEqual({
      cluster: "arn:aws:ecs:ap-northeast-1:123456789012:cluster/main",
      serviceName: "web",
      desiredCount: 4,
      deploymentController: { type: "EXTERNAL" },
      launchType: "FARGATE",
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ["subnet-aaaa", "subnet-bbbb"],
          securityGroups: ["sg-cccc"],
          assignPublicIp: "DISABLED",
        },
      },
      tags: [{ key: "team", value: "sre" }],
    });
  });

  it("builds the pipeline with PipeCD's defaults and normalised traffic", () => {
    const pipeline = result.apps.get("web")?.pipeline ?? [];
    const summary = pipeline.map((s: StageConfig) => [s.kind, s.id, s.timeoutMs]);
    expect(summary).toEqual([
      ["ECS_CANARY_ROLLOUT", "stage-0", 21_600_000],
      ["ECS_BASELINE_ROLLOUT", "stage-1", 21_600_000],
      ["ECS_TRAFFIC_ROUTING", "shift", 21_600_000],
      ["ANALYSIS", "stage-3", 2_400_000],
      ["WAIT_APPROVAL", "stage-4", 21_600_000],
      ["ECS_PRIMARY_ROLLOUT", "stage-5", 21_600_000],
      ["ECS_TRAFFIC_ROUTING", "stage-6", 21_600_000],
      ["ECS_BASELINE_CLEAN", "stage-7", 21_600_000],
      ["ECS_CANARY_CLEAN", "stage-8", 21_600_000],
    ]);
    expect(pipeline[0]?.options).toEqual({ scale: 20 });
    expect(pipeline[2]).toMatchObject({
      description: "Send a slice of traffic to canary and baseline",
      options: { primary: 80, canary: 10, baseline: 10 },
    });
    expect(pipeline[4]?.options).toEqual({
      timeoutMs: 7_200_000,
      approvers: ["U02BBBB", "S03GROUP"],
      minApproverNum: 2,
    });
    expect(pipeline[6]?.options).toEqual({ primary: 100, canary: 0, baseline: 0 });
  });

  it("merges template metrics from .pipe/ with the app's appArgs and overrides", () => {
    const analysis = result.apps.get("web")?.pipeline?.[3];
    if (analysis?.kind !== "ANALYSIS") throw new Error("stage 3 should be ANALYSIS");
    expect(analysis.options.durationMs).toBe(1_800_000);
    expect(analysis.options.consecutiveErrorLimit).toBe(3);
    const [errorRatio, latency, threshold] = analysis.options.metrics;
    expect(errorRatio).toEqual({
      strategy: "SEQUENTIAL",
      common: {
        name: "error-ratio",
        provider: "datadog",
        intervalMs: 60_000,
        failureLimit: 0,
        skipOnNoData: false,
        timeoutMs: 30_000,
        dryRun: false,
        appArgs: {},
      },
      errors:
        "sum:aws.applicationelb.httpcode_target_5xx_count{targetgroup:{{ .VariantCustomArgs.tg }}}.as_count()",
      total: "sum:aws.applicationelb.request_count{targetgroup:{{ .VariantCustomArgs.tg }}}.as_count()",
      control: "PRIMARY",
      maxRatio: 1.5,
      alpha: 0.01,
      deviation: "HIGH",
      earlyPass: true,
      variantArgs: { primary: { tg: "web-blue" }, canary: { tg: "web-green" }, baseline: {} },
    });
    expect(latency).toMatchObject({
      strategy: "CANARY_PRIMARY",
      deviation: "HIGH",
      common: { name: "p99-latency", intervalMs: 300_000, dryRun: true, appArgs: { service: "web" } },
    });
    expect(threshold).toMatchObject({
      strategy: "THRESHOLD",
      expected: { max: 0.05 },
      common: { name: "metrics[2]", failureLimit: 2, intervalMs: 60_000 },
    });
  });

  it("gives an app without a pipeline `pipeline: undefined` and the default definition files", () => {
    const api = result.apps.get("api");
    expect(api?.pipeline).toBeUndefined();
    expect(api?.autoRollback).toBe(true);
    expect(api?.timeoutMs).toBe(21_600_000);
    expect(api?.input.serviceDefinitionFile).toBe(at("apps/api/servicedef.yaml"));
    expect(api?.input.taskDefinitionFile).toBe(at("apps/api/taskdef.yaml"));
    expect(api?.taskDefinition).toMatchObject({ cpu: "256", memory: "512" });
  });
});

describe("loadAppConfig on its own", () => {
  it("loads an app without kanaria.yaml (providers unchecked, spec.name as the name)", async () => {
    const loaded = await loadAppConfig(at("apps/api/app.pipecd.yaml"));
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.name).toBe("api");
    expect(loaded.app?.name).toBe("api");
  });

  it("reports a missing file at the file itself", async () => {
    const loaded = await loadAppConfig(at("apps/nowhere/app.pipecd.yaml"));
    expect(loaded.app).toBeUndefined();
    expect(loaded.diagnostics).toEqual([
      {
        file: at("apps/nowhere/app.pipecd.yaml"),
        line: 1,
        col: 1,
        severity: "error",
        path: "",
        message: `app config ${at("apps/nowhere/app.pipecd.yaml")}: file not found`,
      },
    ]);
  });
});
