/**
 * kanaria.yaml `type: CLOUDWATCH` analysis providers and CloudWatch queries in app configs: what loads,
 * the queries as they travel to the provider, and every mistake reported at its file:line.
 */
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkConfig } from "../../src/config/check-config.js";
import { loadConfig } from "../../src/config/load-config.js";
import { renderMetricQuery } from "../../src/config/render-metric-query.js";
import type { Diagnostic } from "../../src/config/types.js";
import type { AnalysisMetric } from "../../src/domain/analysis-metric.js";
import type { AppConfig } from "../../src/domain/app-config.js";
import { decodeCloudWatchQuery } from "../../src/domain/cloudwatch-query.js";
import { DEFAULT_SECRETS_ENV } from "./config-test-helpers.js";
import { APP_FILES, kanariaTree, lines } from "./kanaria-test-tree.js";

const load = kanariaTree();
const CANARY_TG = "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web-canary/2";
const PRIMARY_TG = "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/1";

const KANARIA = lines(
  "cloudProviders:",
  "  - name: ecs",
  "    type: ECS",
  "    config: {region: us-east-1, endpoints: {elbv2: 'http://127.0.0.1:9'}}",
  "analysisProviders:",
  "  - name: cw",
  "    type: CLOUDWATCH",
  "    config:",
  "      cloudProvider: ecs",
  "      endpoints: {cloudwatch: 'http://127.0.0.1:8'}",
  "      lag: 3m",
  "apps: [{dir: ./apps/web}]",
);

/** app.pipecd.yaml with primary and canary target groups and an ANALYSIS stage of `metrics`. */
function app(...metrics: string[]): Record<string, string> {
  return {
    "apps/web/app.pipecd.yaml": lines(
      "apiVersion: pipecd.dev/v1beta1",
      "kind: ECSApp",
      "spec:",
      "  name: web",
      "  labels: {env: prd}",
      "  input:",
      "    targetGroups:",
      `      primary: {targetGroupArn: '${PRIMARY_TG}', containerName: web, containerPort: 80}`,
      `      canary: {targetGroupArn: '${CANARY_TG}', containerName: web, containerPort: 80}`,
      "  pipeline:",
      "    stages:",
      "      - name: ECS_CANARY_ROLLOUT",
      "        with: {scale: 10}",
      "      - name: ECS_TRAFFIC_ROUTING",
      "        with: {canary: 10}",
      "      - name: ANALYSIS",
      "        with:",
      "          duration: 10m",
      "          metrics:",
      ...metrics,
      "      - name: ECS_TRAFFIC_ROUTING",
      "        with: {primary: 100}",
      "      - name: ECS_CANARY_CLEAN",
    ),
  };
}

function shown(diagnostics: readonly Diagnostic[], dir: string): string[] {
  return diagnostics.map(
    (d) => `${path.relative(dir, d.file)}:${d.line}:${d.col} ${d.severity} ${d.message}`,
  );
}

describe("CLOUDWATCH analysis providers", () => {
  it("reuses a cloud provider's region and ELBv2 endpoint, with its own endpoint and lag", async () => {
    const { result } = await load(KANARIA);
    expect(result.diagnostics).toEqual([]);
    expect(result.config?.analysisProviders).toEqual([
      {
        name: "cw",
        type: "CLOUDWATCH",
        region: "us-east-1",
        cloudProvider: "ecs",
        endpoints: { cloudwatch: "http://127.0.0.1:8", elbv2: "http://127.0.0.1:9" },
        lagMs: 180_000,
      },
    ]);
  });

  it("reports an unknown cloud provider, a missing region and a bad key where they are written", async () => {
    const { dir, result } = await load(
      lines(
        "cloudProviders: [{name: ecs, type: ECS, config: {region: us-east-1}}]",
        "analysisProviders:",
        "  - name: a",
        "    type: CLOUDWATCH",
        "    config: {cloudProvider: nope}",
        "  - name: b",
        "    type: CLOUDWATCH",
        "    config: {endpoints: {cloudwatch: 'http://x'}}",
        "  - name: c",
        "    type: cloudwatch",
        "  - name: d",
        "    type: CLOUDWATCH",
        "    config: {region: us-east-1, endpoint: 'http://x'}",
        "apps: [{dir: ./apps/web}]",
      ),
    );
    expect(shown(result.diagnostics, dir)).toEqual([
      'kanaria.yaml:5:29 error cloud provider "nope" is not defined in cloudProviders (ecs)',
      expect.stringMatching(/^kanaria\.yaml:8:\d+ error missing "region"/),
      "kanaria.yaml:10:11 error must be CLOUDWATCH (types are upper case)",
      expect.stringMatching(/^kanaria\.yaml:13:\d+ error .*endpoint/),
    ]);
  });
});

describe("CloudWatch queries in an ANALYSIS stage", () => {
  it("loads a metric query and a metric-math expression, rendered leaf by leaf", async () => {
    const { result } = await load(KANARIA, {
      ...APP_FILES,
      ...app(
        "            - strategy: CANARY_PRIMARY",
        "              provider: cw",
        "              interval: 5m",
        "              query:",
        "                namespace: AWS/ApplicationELB",
        "                metric: TargetResponseTime",
        "                dimensions:",
        "                  TargetGroup: '{{ .VariantCustomArgs.tg }}'",
        "                  LoadBalancer: app/web/1",
        "                stat: p99",
        "              canaryArgs: {tg: 'a\"b'}",
        "              primaryArgs: {tg: targetgroup/web/1}",
        "            - strategy: THRESHOLD",
        "              provider: cw",
        "              interval: 5m",
        "              expected: {max: 1}",
        "              query:",
        "                expression: 100 * errors / total",
        "                period: 5m",
        "                metrics:",
        "                  errors: {namespace: AWS/ApplicationELB, metric: HTTPCode_Target_5XX_Count, dimensions: {LoadBalancer: 'app/{{ .App.Name }}/1'}, stat: Sum}",
        "                  total: {namespace: AWS/ApplicationELB, metric: RequestCount, dimensions: {LoadBalancer: 'app/{{ .App.Name }}/1'}, stat: Sum}",
      ),
    });
    expect(result.diagnostics).toEqual([]);
    const config = result.apps.get("web");
    const [latency, ratio] = analysisMetrics(config) as Array<
      Parameters<typeof renderMetricQuery>[0] & { query: string }
    >;
    if (!latency || !ratio || !config) throw new Error("metrics not loaded");
    const target = { app: config, version: "v2" };
    expect(decodeCloudWatchQuery(renderMetricQuery(latency, latency.query, "canary", target))).toEqual({
      kind: "metric",
      namespace: "AWS/ApplicationELB",
      metric: "TargetResponseTime",
      dimensions: { TargetGroup: 'a"b', LoadBalancer: "app/web/1" },
      stat: "p99",
      periodSeconds: 60,
    });
    expect(decodeCloudWatchQuery(renderMetricQuery(ratio, ratio.query, undefined, target))).toMatchObject({
      kind: "expression",
      expression: "100 * errors / total",
      periodSeconds: 300,
      metrics: { total: { dimensions: { LoadBalancer: "app/web/1" } } },
    });
  });

  it("needs no query for SEQUENTIAL on the ALB's own counts, and fills in each variant's target group", async () => {
    const { result } = await load(KANARIA, {
      ...APP_FILES,
      ...app(
        "            - name: alb",
        "              strategy: SEQUENTIAL",
        "              provider: cw",
        "              source: ALB",
        "              interval: 1m",
      ),
    });
    expect(result.diagnostics).toEqual([]);
    const config = result.apps.get("web");
    const [metric] = analysisMetrics(config) as Array<
      Parameters<typeof renderMetricQuery>[0] & { errors: string; total: string }
    >;
    if (!metric || !config) throw new Error("metric not loaded");
    const target = { app: config, version: "v2" };
    expect(decodeCloudWatchQuery(renderMetricQuery(metric, metric.errors, "canary", target))).toEqual({
      kind: "alb",
      metric: "HTTPCode_Target_5XX_Count",
      periodSeconds: 60,
      variant: "canary",
      targetGroupArn: CANARY_TG,
    });
    expect(decodeCloudWatchQuery(renderMetricQuery(metric, metric.total, "primary", target))).toEqual({
      kind: "alb",
      metric: "RequestCount",
      periodSeconds: 60,
      variant: "primary",
      targetGroupArn: PRIMARY_TG,
    });
  });

  it("reports each mistake in a CloudWatch query at its line and column", async () => {
    const { dir, result } = await loadConfigTree(
      app(
        "            - strategy: CANARY_PRIMARY", // line 18
        "              provider: cw",
        "              interval: 1m",
        "              query:",
        "                namespace: AWS/ApplicationELB",
        "                metric: RequestCount",
        "                dimensions: {TargetGroup: '{{ .VariantCustomArgs.tg }} {{ .Nope }}'}", // 26
        "                stat: Total", // 27
        "                period: 90s", // 28
        "              canaryArgs: {tg: x}",
        "              primaryArgs: {tg: y}",
        "            - strategy: SEQUENTIAL", // 31
        "              provider: cw",
        "              source: ALB",
        "              interval: 90s", // 34
        "              errors: 'sum:x{*}.as_count()'", // 35
        "            - strategy: THRESHOLD", // 36
        "              provider: cw",
        "              interval: 1m",
        "              expected: {max: 1}",
        "              query: {expression: a / b, metrics: {A: {namespace: n, metric: m, stat: Sum}}}", // 40
      ),
    );
    expect(shown(result.diagnostics, dir)).toEqual([
      expect.stringMatching(
        /^apps\/web\/app\.pipecd\.yaml:26:\d+ error \{\{ \.Nope \}\} is not a known variable/,
      ),
      expect.stringMatching(/^apps\/web\/app\.pipecd\.yaml:27:\d+ error must be a CloudWatch statistic/),
      expect.stringMatching(/^apps\/web\/app\.pipecd\.yaml:28:\d+ error must be a whole number of minutes/),
      expect.stringMatching(
        /^apps\/web\/app\.pipecd\.yaml:34:\d+ error the ALB publishes its counts per minute/,
      ),
      expect.stringMatching(
        /^apps\/web\/app\.pipecd\.yaml:35:\d+ error source: ALB reads the load balancer's own counts; remove errors/,
      ),
      expect.stringMatching(
        /^apps\/web\/app\.pipecd\.yaml:40:\d+ error metric id "A": ids start with a lower-case letter/,
      ),
    ]);
  });
});

describe("queries checked against their provider's type", () => {
  it("refuses a Datadog query on CloudWatch, a CloudWatch map or source: ALB on Datadog", async () => {
    const kanaria = KANARIA.replace(
      "apps: [{dir: ./apps/web}]",
      "  - {name: dd, type: DATADOG}\napps: [{dir: ./apps/web}]",
    );
    const { dir } = await load(kanaria, {
      ...APP_FILES,
      ...app(
        "            - strategy: THRESHOLD", // line 20
        "              provider: cw",
        "              interval: 1m",
        "              expected: {max: 1}",
        "              query: 'sum:x{*}'", // 24
        "            - strategy: THRESHOLD",
        "              provider: dd",
        "              interval: 1m",
        "              expected: {max: 1}",
        "              query: {namespace: n, metric: m, stat: Sum}", // 29
        "            - strategy: SEQUENTIAL",
        "              provider: dd",
        "              source: ALB", // 32
        "              interval: 1m",
      ),
    });
    // As `kanaria check-config` prints them.
    const check = await checkConfig("kanaria.yaml", { cwd: dir, env: DEFAULT_SECRETS_ENV });
    expect(check.exitCode).toBe(1);
    expect(check.lines.filter((l) => l.includes("app.pipecd.yaml"))).toEqual([
      expect.stringMatching(
        /app\.pipecd\.yaml:24:\d+.*provider "cw" is CLOUDWATCH: write the query as a map/,
      ),
      expect.stringMatching(
        /app\.pipecd\.yaml:29:\d+.*a CloudWatch query \(a map\) needs a CLOUDWATCH provider; "dd" is DATADOG/,
      ),
      expect.stringMatching(
        /app\.pipecd\.yaml:32:\d+.*source: ALB reads the load balancer's counts from CloudWatch; "dd" is DATADOG/,
      ),
    ]);
  });
});

describe("examples/starter", () => {
  it("judges its canary on the ALB's own counts from CloudWatch", async () => {
    const starter = fileURLToPath(new URL("../../examples/starter/kanaria.yaml", import.meta.url));
    const loaded = await loadConfig(starter);
    expect(loaded.diagnostics).toEqual([]);
    const [judge] = analysisMetrics(loaded.apps.get("web"));
    expect(judge?.strategy).toBe("SEQUENTIAL");
    expect(judge?.common.provider).toBe("cloudwatch");
    const errors = judge?.strategy === "SEQUENTIAL" ? decodeCloudWatchQuery(judge.errors) : undefined;
    expect(errors).toEqual({ kind: "alb", metric: "HTTPCode_Target_5XX_Count", periodSeconds: 60 });
  });
});

async function loadConfigTree(files: Record<string, string>) {
  const { dir } = await load(KANARIA, { ...APP_FILES, ...files });
  return { dir, result: await loadConfig(path.join(dir, "kanaria.yaml")) };
}

function analysisMetrics(config: AppConfig | undefined): AnalysisMetric[] {
  const stage = config?.pipeline?.find((s) => s.kind === "ANALYSIS");
  return stage?.kind === "ANALYSIS" ? stage.options.metrics : [];
}
