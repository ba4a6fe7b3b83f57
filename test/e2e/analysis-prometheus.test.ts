/**
 * An ANALYSIS stage judged on Prometheus, end to end on the sandbox: the real config loader (a
 * `type: PROMETHEUS` provider in kanaria.yaml, PipeCD templating in the queries), engine and executors,
 * the AWS SDK adapters on the sandbox cloud, and the real PrometheusMetrics with its default 30 s lag
 * against the sandbox Prometheus, whose series come from the sandbox's traffic model. Virtual time
 * (FakeClock), as in analysis-sandbox.test.ts.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type SandboxPrometheus, startSandboxPrometheus } from "../../sandbox/prometheus-server.js";
import type { SeededApp } from "../../sandbox/seed-app.js";
import { type SandboxCloud, startSandboxCloud } from "../../sandbox/start-sandbox-cloud.js";
import { loadConfig } from "../../src/config/load-config.js";
import type { AppConfig } from "../../src/domain/app-config.js";
import type { StagePorts } from "../../src/engine/stage-executor.js";
import { createAwsClients } from "../../src/providers/aws/aws-clients.js";
import { AwsEcs } from "../../src/providers/aws/aws-ecs.js";
import { AwsLoadBalancer } from "../../src/providers/aws/aws-load-balancer.js";
import { PrometheusMetrics } from "../../src/providers/prometheus/prometheus-metrics.js";
import { refusalText } from "../../src/views/refusal-text.js";
import { type Harness, harness } from "../engine/harness.js";
import { FakeClock } from "../fakes/fake-clock.js";

const ANALYSIS = 2;
const LAG = 30_000;

describe("an ANALYSIS stage on the sandbox Prometheus", () => {
  let cloud: SandboxCloud;
  let prom: SandboxPrometheus;
  let clock: FakeClock;
  let seeded: SeededApp;
  let dir: string;

  beforeEach(async () => {
    clock = new FakeClock();
    cloud = await startSandboxCloud({
      clock,
      config: {
        region: "ap-northeast-1",
        defaultProfile: { errorRate: 0.002 },
        versions: { "v3-bad": { errorRate: 0.05 } },
      },
    });
    prom = await startSandboxPrometheus({ source: cloud.metrics, clock, authorization: "Bearer prom-token" });
    seeded = cloud.seedApp({
      app: "web",
      cluster: "ecs-cluster",
      service: "web",
      containerName: "web",
      containerPort: 80,
      desiredCount: 2,
      createService: false,
      env: "prd",
    });
    dir = mkdtempSync(join(tmpdir(), "kanaria-prometheus-"));
  });

  afterEach(async () => {
    await prom.close();
    await cloud.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const tag = (arn: string): string => arn.slice(arn.indexOf("targetgroup/"));

  /** Per-target-group ALB counts, as PromQL; the target group comes from the variant's custom args. */
  const count = (code: string) =>
    `sum(increase(alb_requests_total{app="{{ .App.Name }}",target_group="{{ .VariantCustomArgs.targetGroup }}"${code}}[1m]))`;

  function sequential(): Record<string, unknown> {
    return {
      name: "errors",
      strategy: "SEQUENTIAL",
      provider: "prom",
      interval: "1m",
      errors: count(',code=~"5.."'),
      total: count(""),
      control: "PRIMARY",
      maxRatio: 1.5,
      primaryArgs: { targetGroup: tag(seeded.targetGroups.primary.arn) },
      canaryArgs: { targetGroup: tag(seeded.targetGroups.canary.arn) },
    };
  }

  function guardrail(): Record<string, unknown> {
    const canary = tag(seeded.targetGroups.canary.arn);
    const rate = (code: string) => `sum(rate(alb_requests_total{target_group="${canary}"${code}}[1m]))`;
    return {
      name: "guardrail",
      strategy: "THRESHOLD",
      provider: "prom",
      interval: "1m",
      expected: { max: 10 },
      query: `100 * ${rate(',code=~"5.."')} / ${rate("")}`,
    };
  }

  /** kanaria.yaml with the PROMETHEUS provider (token from a file) and the app; the ANALYSIS metrics as given. */
  async function loadApp(metrics: unknown[]): Promise<AppConfig> {
    mkdirSync(join(dir, "app"), { recursive: true });
    const target = (arn: string) => [
      `        targetGroupArn: ${arn}`,
      "        containerName: web",
      "        containerPort: 80",
    ];
    writeFileSync(
      join(dir, "app/app.pipecd.yaml"),
      [
        "apiVersion: pipecd.dev/v1beta1",
        "kind: ECSApp",
        "spec:",
        "  name: web",
        "  input:",
        "    serviceDefinitionFile: servicedef.yaml",
        "    taskDefinitionFile: taskdef.yaml",
        "    targetGroups:",
        "      primary:",
        ...target(seeded.targetGroups.primary.arn),
        "      canary:",
        ...target(seeded.targetGroups.canary.arn),
        "  pipeline:",
        "    stages:",
        "      - name: ECS_CANARY_ROLLOUT",
        "        with: {scale: 30}",
        "      - name: ECS_TRAFFIC_ROUTING",
        "        with: {canary: 20}",
        "      - name: ANALYSIS",
        "        with:",
        "          duration: 10m",
        `          metrics: ${JSON.stringify(metrics)}`,
        "      - name: ECS_PRIMARY_ROLLOUT",
        "      - name: ECS_TRAFFIC_ROUTING",
        "        with: {primary: 100}",
        "      - name: ECS_CANARY_CLEAN",
        "",
      ].join("\n"),
    );
    writeFileSync(
      join(dir, "app/servicedef.yaml"),
      "cluster: ecs-cluster\nserviceName: web\ndesiredCount: 2\ndeploymentController: {type: EXTERNAL}\nlaunchType: FARGATE\n",
    );
    writeFileSync(
      join(dir, "app/taskdef.yaml"),
      "family: web\nrequiresCompatibilities: [FARGATE]\nnetworkMode: awsvpc\ncpu: 256\nmemory: 512\ncontainerDefinitions:\n  - {name: web, image: 'example/web:{{ .Version }}', essential: true, portMappings: [{containerPort: 80}]}\n",
    );
    writeFileSync(join(dir, "prom-token"), "prom-token\n");
    writeFileSync(
      join(dir, "kanaria.yaml"),
      [
        "cloudProviders:",
        "  - name: sandbox",
        "    type: ECS",
        "    config:",
        "      region: ap-northeast-1",
        "      endpoints:",
        `        ecs: ${cloud.ecsEndpoint}`,
        `        elbv2: ${cloud.elbv2Endpoint}`,
        "analysisProviders:",
        "  - name: prom",
        "    type: PROMETHEUS",
        "    config:",
        `      address: ${prom.url}`,
        "      bearerTokenFile: ./prom-token",
        "apps:",
        "  - name: web",
        "    dir: ./app",
        "",
      ].join("\n"),
    );
    const loaded = await loadConfig(join(dir, "kanaria.yaml"), {
      checkSecrets: true,
      env: { SLACK_BOT_TOKEN: "xoxb-e2e", SLACK_SIGNING_SECRET: "e2e" },
    });
    expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const provider = loaded.config?.analysisProviders[0];
    expect(provider).toMatchObject({ type: "PROMETHEUS", bearerToken: { file: join(dir, "prom-token") } });
    const app = loaded.apps.get("web");
    if (!app) throw new Error("the app did not load");
    return app;
  }

  function ports(): StagePorts {
    const clients = createAwsClients(
      {
        name: "sandbox",
        type: "ECS",
        region: "ap-northeast-1",
        endpoints: { ecs: cloud.ecsEndpoint, elbv2: cloud.elbv2Endpoint },
      },
      { credentials: { accessKeyId: "sandbox", secretAccessKey: "sandbox" } },
    );
    // What `serve` builds from the config: the token as read from its file, the default lag.
    const metrics = new PrometheusMetrics({ address: prom.url, bearerToken: "prom-token", clock });
    return { ecs: new AwsEcs(clients.ecs, clock), loadBalancer: new AwsLoadBalancer(clients.elbv2), metrics };
  }

  async function started(metrics: unknown[]): Promise<Harness> {
    const app = await loadApp(metrics);
    const h = harness({ apps: { web: app }, clock, ports: ports() });
    const first = deploy(h, "v1");
    await h.settle(first);
    expect(h.store.deployments.get(first)?.status).toBe("SUCCESS");
    return h;
  }

  function deploy(h: Harness, version: string): string {
    const outcome = h.engine.requestDeployment({ app: "web", version, requester: "U_ALICE", reason: "e2e" });
    if (!outcome.ok) throw new Error(refusalText(outcome.refusal));
    return outcome.deployment.id;
  }

  function analysisStart(h: Harness, id: string): number {
    const start = h.store.stages.get(id, ANALYSIS)?.state.analysisStart;
    if (typeof start !== "number") throw new Error("the analysis did not start");
    return start;
  }

  it("SEQUENTIAL on per-target-group counts catches a 5%-errors canary and rolls it back", async () => {
    const h = await started([sequential()]);
    const id = deploy(h, "v3-bad");
    await h.settle(id);
    expect(h.store.deployments.get(id)?.status).toBe("ROLLED_BACK");
    const ticks = h.store.measurements.list(id, ANALYSIS);
    expect(ticks.at(-1)?.verdict).toBe("FAIL");
    expect(ticks.length).toBeLessThanOrEqual(4);
    // Each tick asked one value per query and variant, 30 s (the lag) before the tick, with the token.
    const start = analysisStart(h, id);
    const asked = prom.requests.filter((r) => r.atMs > start);
    expect(asked).toHaveLength(4 * ticks.length);
    for (const request of asked) {
      expect(request.path).toBe("/api/v1/query");
      expect(request.authorization).toBe("Bearer prom-token");
      expect(Number(request.params.time) * 1000).toBe(request.atMs - LAG);
    }
    expect(asked.map((r) => r.params.query)).toContain(
      `sum(increase(alb_requests_total{app="web",target_group="${tag(seeded.targetGroups.canary.arn)}",code=~"5.."}[1m]))`,
    );
    await h.engine.stop();
  });

  it("a THRESHOLD ratio guardrail passes a healthy canary, with real figures from the traffic model", async () => {
    const h = await started([guardrail()]);
    const id = deploy(h, "v2");
    await h.settle(id);
    expect(h.store.deployments.get(id)?.status).toBe("SUCCESS");
    const ticks = h.store.measurements.list(id, ANALYSIS);
    expect(ticks.map((t) => t.verdict)).toEqual(Array(10).fill("PASS"));
    for (const t of ticks) expect(t.data.max).toBeLessThan(2);
    await h.engine.stop();
  });

  it("a Prometheus outage (503 timeout) neither rolls back nor promotes: the analysis asks people", async () => {
    const h = await started([sequential()]);
    prom.faults.window(
      { kind: "error", errorType: "timeout", message: "query timed out in expression evaluation" },
      clock.now(),
      Number.POSITIVE_INFINITY,
    );
    const id = deploy(h, "v3-bad");
    // Virtual time runs while the provider's HTTP requests are in flight in real time.
    const waiting = new Promise<void>((resolve) => {
      const check = () =>
        h.store.deployments.get(id)?.status === "WAITING_APPROVAL" ? resolve() : setTimeout(check, 1);
      check();
    });
    await clock.runUntilSettled(waiting);
    expect(h.store.deployments.get(id)?.status).toBe("WAITING_APPROVAL");
    const ticks = h.store.measurements.list(id, ANALYSIS);
    expect(ticks.length).toBeGreaterThan(0);
    expect(ticks.every((t) => t.verdict === "ERROR")).toBe(true);
    expect(ticks[0]?.data.reason ?? ticks[0]?.data.error).toMatch(/timeout: query timed out .*\(HTTP 503\)/);
    await h.engine.stop();
  });
});
