/**
 * The sandbox as Kanaria's world for the demo and `kanaria serve --sandbox`: the simulated ECS + ALB
 * with one app, `web`, receiving traffic; the simulated Datadog, CloudWatch and Prometheus (analysis
 * providers `datadog`, `cloudwatch` and `prometheus`) serving that traffic's metrics (the app's analysis
 * reads Datadog queries, and the ALB's own counts from CloudWatch with `source: ALB`, which needs no
 * query at all); and a
 * kanaria.yaml + app.pipecd.yaml written into `dir` that point at them. The config goes through the real
 * loader, so what the demo runs is what a user's config would run. Version profiles: every version
 * answers 0.2% errors, except `v3` (5%), the release that must be rolled back.
 *
 * `appCount` seeds more apps the same way (`web-2` … `web-N`, see `sandboxAppName`), for benchmarks and
 * tests of many deployments in one process; with the default of one, nothing changes.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load-config.js";
import type { LoadResult } from "../../src/config/types.js";
import { KanariaError } from "../../src/domain/kanaria-error.js";
import type { StagePorts } from "../../src/engine/stage-executor.js";
import type { Clock, Metrics } from "../../src/ports.js";
import { createAwsClients } from "../../src/providers/aws/aws-clients.js";
import { AwsEcs } from "../../src/providers/aws/aws-ecs.js";
import { AwsLoadBalancer } from "../../src/providers/aws/aws-load-balancer.js";
import { AlbDimensionResolver } from "../../src/providers/cloudwatch/alb-dimensions.js";
import { createCloudWatchClients } from "../../src/providers/cloudwatch/cloudwatch-clients.js";
import { CloudWatchMetrics } from "../../src/providers/cloudwatch/cloudwatch-metrics.js";
import { DatadogMetrics } from "../../src/providers/datadog/datadog-metrics.js";
import { MetricsRouter } from "../../src/providers/metrics-router.js";
import { PrometheusMetrics } from "../../src/providers/prometheus/prometheus-metrics.js";
import { type SandboxDatadog, startSandboxDatadog } from "../datadog-server.js";
import { type SandboxPrometheus, startSandboxPrometheus } from "../prometheus-server.js";
import type { SeededApp } from "../seed-app.js";
import { type SandboxCloud, startSandboxCloud } from "../start-sandbox-cloud.js";

export interface SandboxStackOptions {
  clock: Clock;
  dir: string;
  /** kanaria.yaml's `slack:` section, when the bot reads its Slack settings from the file. */
  slackYaml?: string[];
  /** Slack ids for the app's channel, deployers and approvers. */
  channel: string;
  deployers: string[];
  approvers: string[];
  /** The requester may not approve their own deployment (default true). */
  fourEyes?: boolean;
  /** Extra kanaria.yaml lines (e.g. `freezes:`), appended as written. */
  extraYaml?: string[];
  /** Extra lines of each app.pipecd.yaml's `spec:` (e.g. `notification:`), indented as written. */
  appSpecYaml?: string[];
  /** Distinct approvers WAIT_APPROVAL needs (PipeCD's `minApproverNum`; default 1). */
  minApproverNum?: number;
  /** Per app. */
  requestsPerSecond?: number;
  /**
   * How many apps to seed (default 1): `web`, then `web-2` … `web-<appCount>`, each with its own
   * service, target groups, ALB and traffic in the cluster `demo`, its own folder and its own
   * kanaria.yaml entry (same channel, people and pipeline). `extraYaml` follows the last entry.
   */
  appCount?: number;
}

export interface SandboxStack {
  cloud: SandboxCloud;
  datadog: SandboxDatadog;
  /** The sandbox Prometheus, kanaria.yaml's analysis provider `prometheus`. */
  prometheus: SandboxPrometheus;
  /** The first app, `web`. */
  app: SeededApp;
  /** Every seeded app in order, `web` first (one entry unless `appCount` asked for more). */
  apps: SeededApp[];
  loaded: LoadResult;
  portsFor: (app: string) => StagePorts;
  close(): Promise<void>;
}

export const SANDBOX_BAD_VERSION = "v3";

/** Longest `appCount`: app names stay short enough for the sandbox's resource names. */
export const SANDBOX_MAX_APPS = 999;

/** The name of the `index`-th sandbox app (0-based): `web`, `web-2`, `web-3`, … */
export function sandboxAppName(index: number): string {
  return index === 0 ? "web" : `web-${index + 1}`;
}

export async function startSandboxStack(options: SandboxStackOptions): Promise<SandboxStack> {
  const { clock, dir } = options;
  const appCount = options.appCount ?? 1;
  if (!Number.isInteger(appCount) || appCount < 1 || appCount > SANDBOX_MAX_APPS) {
    throw new KanariaError(
      "SANDBOX_APP_COUNT",
      `appCount must be an integer from 1 to ${SANDBOX_MAX_APPS}, got ${appCount}`,
    );
  }
  const cloud = await startSandboxCloud({
    clock,
    config: {
      region: "ap-northeast-1",
      defaultProfile: { errorRate: 0.002 },
      versions: { [SANDBOX_BAD_VERSION]: { errorRate: 0.05 } },
    },
  });
  // The keys written to dd-api-key and dd-app-key below; a wrong one gets Datadog's 403.
  const datadog = await startSandboxDatadog({
    source: cloud.metrics,
    clock,
    keys: { apiKey: "sandbox", applicationKey: "sandbox" },
  });
  const prometheus = await startSandboxPrometheus({ source: cloud.metrics, clock });
  const apps = Array.from({ length: appCount }, (_, index) =>
    cloud.seedApp({
      app: sandboxAppName(index),
      cluster: "demo",
      service: sandboxAppName(index),
      containerName: "web",
      containerPort: 8080,
      desiredCount: 4,
      createService: false,
      env: "prd",
      requestsPerSecond: options.requestsPerSecond ?? 200,
    }),
  );
  const [app] = apps;
  if (!app) throw new KanariaError("SANDBOX_APP_COUNT", "no app was seeded");
  writeConfig(options, cloud, datadog, apps, prometheus);
  // Secrets are not checked: the sandbox's keys are written beside the config and its clients built here.
  const loaded = await loadConfig(join(dir, "kanaria.yaml"));
  const clients = createAwsClients(
    {
      name: "sandbox",
      type: "ECS",
      region: cloud.region,
      endpoints: { ecs: cloud.ecsEndpoint, elbv2: cloud.elbv2Endpoint },
    },
    { credentials: { accessKeyId: "sandbox", secretAccessKey: "sandbox" } },
  );
  const cloudwatchClients = createCloudWatchClients(
    {
      name: "cloudwatch",
      type: "CLOUDWATCH",
      region: cloud.region,
      endpoints: { cloudwatch: cloud.cloudwatchEndpoint, elbv2: cloud.elbv2Endpoint },
    },
    { credentials: { accessKeyId: "sandbox", secretAccessKey: "sandbox" } },
  );
  const metrics = new MetricsRouter(
    new Map<string, Metrics>([
      [
        "cloudwatch",
        new CloudWatchMetrics({
          cloudwatch: cloudwatchClients.cloudwatch,
          albDimensions: new AlbDimensionResolver(cloudwatchClients.elbv2),
          clock,
          // The sandbox publishes each minute as it closes; a real CloudWatch needs the default lag.
          lagMs: 0,
        }),
      ],
      [
        "datadog",
        new DatadogMetrics({
          apiKey: "sandbox",
          applicationKey: "sandbox",
          baseUrl: datadog.url,
          clock,
          // The sandbox ingests at once; a real Datadog needs the default minute of lag.
          lagMs: 0,
        }),
      ],
      // Like Datadog's, the sandbox Prometheus ingests each minute as it closes.
      ["prometheus", new PrometheusMetrics({ address: prometheus.url, clock, lagMs: 0 })],
    ]),
  );
  const ports: StagePorts = {
    ecs: new AwsEcs(clients.ecs, clock),
    loadBalancer: new AwsLoadBalancer(clients.elbv2),
    metrics,
  };
  return {
    cloud,
    datadog,
    prometheus,
    app,
    apps,
    loaded,
    portsFor: () => ports,
    async close() {
      cloudwatchClients.cloudwatch.destroy();
      cloudwatchClients.elbv2.destroy();
      await datadog.close();
      await prometheus.close();
      await cloud.close();
    },
  };
}

/** `targetgroup:` tag value of a target group ARN, as the ALB metrics carry it. */
function targetGroupTag(arn: string): string {
  return arn.slice(arn.indexOf("targetgroup/"));
}

function writeConfig(
  options: SandboxStackOptions,
  cloud: SandboxCloud,
  datadog: SandboxDatadog,
  apps: readonly SeededApp[],
  prometheus: SandboxPrometheus,
): void {
  const { dir } = options;
  writeFileSync(join(dir, "dd-api-key"), "sandbox\n");
  writeFileSync(join(dir, "dd-app-key"), "sandbox\n");
  const names = apps.length === 1 ? "the app `web`" : `the apps web … ${apps.at(-1)?.app}`;
  writeFileSync(
    join(dir, "kanaria.yaml"),
    [
      `# Written by the Kanaria sandbox: ${names} on the simulated ECS, ALB and Datadog.`,
      ...(options.slackYaml ?? []),
      "cloudProviders:",
      "  - name: sandbox",
      "    type: ECS",
      "    config:",
      `      region: ${cloud.region}`,
      "      endpoints:",
      `        ecs: ${cloud.ecsEndpoint}`,
      `        elbv2: ${cloud.elbv2Endpoint}`,
      "analysisProviders:",
      "  - name: datadog",
      "    type: DATADOG",
      "    config:",
      "      apiKeyFile: ./dd-api-key",
      "      applicationKeyFile: ./dd-app-key",
      `      baseUrl: ${datadog.url}`,
      "      lag: 0s",
      "  - name: cloudwatch",
      "    type: CLOUDWATCH",
      "    config:",
      "      cloudProvider: sandbox",
      "      endpoints:",
      `        cloudwatch: ${cloud.cloudwatchEndpoint}`,
      "  - name: prometheus",
      "    type: PROMETHEUS",
      "    config:",
      `      address: ${prometheus.url}`,
      "      lag: 0s",
      "store:",
      "  path: ./kanaria.db",
      "apps:",
      ...apps.flatMap((app) => [
        `  - name: ${app.app}`,
        `    dir: ./${app.app}`,
        `    channels: [${options.channel}]`,
        `    deployers: [${options.deployers.join(", ")}]`,
        `    approvers: [${options.approvers.join(", ")}]`,
        `    fourEyes: ${options.fourEyes ?? true}`,
      ]),
      ...(options.extraYaml ?? []),
      "",
    ].join("\n"),
  );
  for (const app of apps) writeAppFolder(dir, app, options);
}

/** `<dir>/<app>/`: app.pipecd.yaml (the canary pipeline with analysis and approval), servicedef, taskdef. */
function writeAppFolder(
  dir: string,
  app: SeededApp,
  options: Pick<SandboxStackOptions, "appSpecYaml" | "minApproverNum">,
): void {
  const appDir = join(dir, app.app);
  mkdirSync(appDir, { recursive: true });
  const count = (metric: string) =>
    `sum:aws.applicationelb.${metric}{env:prd,targetgroup:{{ .VariantCustomArgs.targetGroup }}}.as_count()`;
  const canaryTag = targetGroupTag(app.targetGroups.canary.arn);
  writeFileSync(
    join(appDir, "app.pipecd.yaml"),
    [
      "apiVersion: pipecd.dev/v1beta1",
      "kind: ECSApp",
      "spec:",
      `  name: ${app.app}`,
      "  labels:",
      "    env: prd",
      "  input:",
      "    serviceDefinitionFile: servicedef.yaml",
      "    taskDefinitionFile: taskdef.yaml",
      "    targetGroups:",
      "      primary:",
      `        targetGroupArn: ${app.targetGroups.primary.arn}`,
      `        containerName: ${app.containerName}`,
      `        containerPort: ${app.containerPort}`,
      "      canary:",
      `        targetGroupArn: ${app.targetGroups.canary.arn}`,
      `        containerName: ${app.containerName}`,
      `        containerPort: ${app.containerPort}`,
      "  pipeline:",
      "    stages:",
      "      - name: ECS_CANARY_ROLLOUT",
      "        with:",
      "          scale: 25",
      "      - name: ECS_TRAFFIC_ROUTING",
      "        with:",
      "          canary: 10",
      "      - name: ANALYSIS",
      "        with:",
      "          duration: 10m",
      "          metrics:",
      "            - name: errors-vs-primary",
      "              strategy: SEQUENTIAL",
      "              provider: datadog",
      "              interval: 1m",
      `              errors: "${count("httpcode_target_5xx")}"`,
      `              total: "${count("request_count")}"`,
      "              control: PRIMARY",
      "              maxRatio: 1.5",
      "              primaryArgs:",
      `                targetGroup: ${targetGroupTag(app.targetGroups.primary.arn)}`,
      "              canaryArgs:",
      `                targetGroup: ${canaryTag}`,
      "            - name: alb-errors-vs-primary",
      "              strategy: SEQUENTIAL",
      "              provider: cloudwatch",
      "              source: ALB",
      "              interval: 1m",
      "              control: PRIMARY",
      "              maxRatio: 1.5",
      "            - name: canary-error-guardrail",
      "              strategy: THRESHOLD",
      "              provider: datadog",
      "              interval: 1m",
      "              expected:",
      "                max: 20",
      `              query: "100 * ${count("httpcode_target_5xx").replace("{{ .VariantCustomArgs.targetGroup }}", canaryTag)} / ${count("request_count").replace("{{ .VariantCustomArgs.targetGroup }}", canaryTag)}"`,
      "      - name: WAIT_APPROVAL",
      "        with:",
      "          timeout: 30m",
      ...(options.minApproverNum !== undefined
        ? [`          minApproverNum: ${options.minApproverNum}`]
        : []),
      "      - name: ECS_PRIMARY_ROLLOUT",
      "      - name: ECS_TRAFFIC_ROUTING",
      "        with:",
      "          primary: 100",
      "      - name: ECS_CANARY_CLEAN",
      ...(options.appSpecYaml ?? []),
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(appDir, "servicedef.yaml"),
    [
      `cluster: ${app.clusterName}`,
      `serviceName: ${app.serviceName}`,
      "desiredCount: 4",
      "deploymentController:",
      "  type: EXTERNAL",
      "launchType: FARGATE",
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(appDir, "taskdef.yaml"),
    [
      `family: ${app.app}`,
      "requiresCompatibilities: [FARGATE]",
      "networkMode: awsvpc",
      "cpu: 256",
      "memory: 512",
      "containerDefinitions:",
      "  - name: web",
      `    image: example/${app.app}:{{ .Version }}`,
      "    essential: true",
      "    portMappings:",
      `      - containerPort: ${app.containerPort}`,
      "",
    ].join("\n"),
  );
}
