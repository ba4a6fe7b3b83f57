/**
 * The seed article's pipeline (test/fixtures/seeds/seed-example) with its ANALYSIS stage kept, end to end on
 * the sandbox: the real config loader, engine and executors, the AWS SDK adapters on the sandbox cloud,
 * and the real DatadogMetrics against the sandbox Datadog, whose metrics come from the sandbox's traffic
 * model. Virtual time (FakeClock), as in seed-pipeline.test.ts.
 *
 * The seed's query is adapted minimally to the sandbox, three changes:
 * - `hostname:sample-lb-…` (the whole load balancer) → `targetgroup:<the canary's target group>`: the
 *   guardrail is about the canary, and over the whole ALB a 30% canary at 20% traffic is ~6%;
 * - `httpcode_elb_5xx` → `httpcode_target_5xx`: a faulty *version* answers 5xx itself (target 5xx);
 *   ELB 5xx are the load balancer's own (no healthy target), which a bad release does not produce;
 * - `100 *` in front: `expected.max: 10` is evidently meant as 10%, and the query is a ratio (0–1).
 * `env:prd` stays: the sandbox app is seeded with `env: prd`.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { type SandboxDatadog, startSandboxDatadog } from "../../sandbox/datadog-server.js";
import type { SeededApp } from "../../sandbox/seed-app.js";
import { type SandboxCloud, startSandboxCloud } from "../../sandbox/start-sandbox-cloud.js";
import { replayAnalysis, replayTick } from "../../src/cli/replay-analysis.js";
import { loadConfig } from "../../src/config/load-config.js";
import { parseRecording } from "../../src/config/parse-recording.js";
import type { AppConfig } from "../../src/domain/app-config.js";
import type { StagePorts } from "../../src/engine/stage-executor.js";
import { createAwsClients } from "../../src/providers/aws/aws-clients.js";
import { AwsEcs } from "../../src/providers/aws/aws-ecs.js";
import { AwsLoadBalancer } from "../../src/providers/aws/aws-load-balancer.js";
import { DatadogMetrics } from "../../src/providers/datadog/datadog-metrics.js";
import { RecordingMetrics } from "../../src/providers/recording-metrics.js";
import { refusalText } from "../../src/views/refusal-text.js";
import { driveToEnd, type Harness, harness } from "../engine/harness.js";
import { FakeClock } from "../fakes/fake-clock.js";

const SEED = resolve(import.meta.dirname, "../fixtures/seeds/seed-example");

const ANALYSIS = 2;
const MINUTE = 60_000;

/**
 * How many ticks the seed's 10-minute analysis (1m interval, a provider without lag) runs for, after
 * checking where its grid starts and ends: from the minute at or before the stage's start when its
 * deployment had begun by then (else the next minute) to ten minutes after the next minute — a window
 * more in front when the grid starts before the stage. Where the stage's start falls depends on how the
 * test's steps fell in real time, so the rule is checked for whichever case this run hit.
 */
function seedAnalysisTicks(h: Harness, id: string): number {
  const { startedAt, state } = h.store.stages.get(id, ANALYSIS) ?? {};
  const began = startedAt as number;
  const before = Math.floor(began / MINUTE) * MINUTE;
  const after = Math.ceil(began / MINUTE) * MINUTE;
  const deploymentBegan = h.store.deployments.get(id)?.startedAt as number;
  const start = before >= deploymentBegan ? before : after;
  expect(state?.analysisStart).toBe(start);
  expect(state?.analysisEnd).toBe(after + 10 * MINUTE);
  return start === after ? 10 : 11;
}

describe("the seed's ANALYSIS stage on the sandbox", () => {
  let cloud: SandboxCloud;
  let datadog: SandboxDatadog;
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
        versions: { "1.25-bad30": { errorRate: 0.3 }, "v3-bad": { errorRate: 0.05 } },
      },
    });
    datadog = await startSandboxDatadog({ source: cloud.metrics, clock });
    seeded = cloud.seedApp({
      app: "canary",
      cluster: "ecs-cluster",
      service: "pipecd-nginx-sample",
      containerName: "web",
      containerPort: 80,
      desiredCount: 2,
      createService: false,
      env: "prd",
    });
    dir = mkdtempSync(join(tmpdir(), "kanaria-analysis-"));
  });

  afterEach(async () => {
    await datadog.close();
    await cloud.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** `targetgroup:` tag value of a target group ARN, as the sandbox ALB metrics carry it. */
  const tag = (arn: string): string => arn.slice(arn.indexOf("targetgroup/"));

  /** The seed's app.pipecd.yaml pointed at the sandbox; `metrics` replaces the ANALYSIS metrics when given. */
  async function loadApp(
    metrics?: unknown[],
  ): Promise<{ app: AppConfig; analysisBlock: Record<string, unknown> }> {
    mkdirSync(join(dir, "app"), { recursive: true });
    let appYaml = readFileSync(join(SEED, "app.pipecd.yaml"), "utf8")
      .replace(/arn:aws:elasticloadbalancing:\S+targetgroup\/blue\/\S+/, seeded.targetGroups.primary.arn)
      .replace(/arn:aws:elasticloadbalancing:\S+targetgroup\/green\/\S+/, seeded.targetGroups.canary.arn);
    const seedQuery = /( +)sum:aws\.applicationelb\.httpcode_elb_5xx\{env:prd,hostname:\S+\}/;
    expect(appYaml).toMatch(seedQuery);
    const scope = `env:prd,targetgroup:${tag(seeded.targetGroups.canary.arn)}`;
    appYaml = appYaml
      .replace(seedQuery, `$1100 * sum:aws.applicationelb.httpcode_target_5xx{${scope}}`)
      .replace(
        /sum:aws\.applicationelb\.request_count\{env:prd,hostname:\S+\}/,
        `sum:aws.applicationelb.request_count{${scope}}`,
      );
    if (metrics) {
      appYaml = appYaml.replace(
        / {10}metrics:\n[\s\S]*?(?= {6}- name: ECS_PRIMARY_ROLLOUT)/,
        `          metrics: ${JSON.stringify(metrics)}\n`,
      );
    }
    writeFileSync(join(dir, "app/app.pipecd.yaml"), appYaml);
    writeFileSync(
      join(dir, "app/servicedef.yaml"),
      readFileSync(join(SEED, "servicedef.yaml"), "utf8").replace(
        /arn:aws:ecs:\S+:cluster\/ecs-cluster/,
        "ecs-cluster",
      ),
    );
    writeFileSync(join(dir, "app/taskdef.yaml"), readFileSync(join(SEED, "taskdef.yaml"), "utf8"));
    writeFileSync(join(dir, "dd-api-key"), "sandbox\n");
    writeFileSync(join(dir, "dd-app-key"), "sandbox\n");
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
        "  - name: datadog-provider",
        "    type: DATADOG",
        "    config:",
        "      apiKeyFile: ./dd-api-key",
        "      applicationKeyFile: ./dd-app-key",
        `      baseUrl: ${datadog.url}`,
        "apps:",
        "  - name: canary",
        "    dir: ./app",
        "",
      ].join("\n"),
    );
    const loaded = await loadConfig(join(dir, "kanaria.yaml"));
    expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const app = loaded.apps.get("canary");
    if (!app) throw new Error("the seed app did not load");
    const analysisBlock = (
      parseYaml(appYaml) as { spec: { pipeline: { stages: Array<{ with: Record<string, unknown> }> } } }
    ).spec.pipeline.stages[ANALYSIS]?.with;
    if (!analysisBlock) throw new Error("no ANALYSIS stage");
    return { app, analysisBlock };
  }

  function ports(metrics: StagePorts["metrics"]): StagePorts {
    const clients = createAwsClients(
      {
        name: "sandbox",
        type: "ECS",
        region: "ap-northeast-1",
        endpoints: { ecs: cloud.ecsEndpoint, elbv2: cloud.elbv2Endpoint },
      },
      { credentials: { accessKeyId: "sandbox", secretAccessKey: "sandbox" } },
    );
    return { ecs: new AwsEcs(clients.ecs, clock), loadBalancer: new AwsLoadBalancer(clients.elbv2), metrics };
  }

  /** The real Datadog provider on the sandbox Datadog. No lag by default: the sandbox ingests at once. */
  function datadogMetrics(lagMs = 0): DatadogMetrics {
    return new DatadogMetrics({
      apiKey: "sandbox",
      applicationKey: "sandbox",
      baseUrl: datadog.url,
      clock,
      lagMs,
    });
  }

  /**
   * Replays what `recorder` captured of deployment `id` (through the JSON file, as `kanaria replay` reads
   * it) and checks that it gives the live ticks, result and reason.
   */
  async function expectReplayEqualsLive(
    h: Harness,
    id: string,
    recorder: RecordingMetrics,
    meta: { app: AppConfig; analysisBlock: Record<string, unknown>; lagMs: number },
  ): Promise<void> {
    const deployment = h.store.deployments.get(id);
    const stage = h.store.stages.get(id, ANALYSIS);
    if (!deployment || !stage) throw new Error("no such deployment");
    const start = analysisStart(h, id);
    const file = recorder.recording({
      app: "canary",
      version: deployment.version,
      labels: meta.app.labels,
      analysis: meta.analysisBlock,
      startMs: start,
      lagMs: meta.lagMs,
    });
    const parsed = parseRecording(join(dir, "recording.json"), JSON.stringify(file, null, 2));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.diagnostics));
    expect(parsed.recording.lagMs).toBe(meta.lagMs);
    const live = h.store.measurements.list(id, ANALYSIS);
    const replay = await replayAnalysis(parsed.recording);
    expect(replay.ticks).toEqual(live.map(replayTick));
    expect(replay.result).toBe(stage.status === "SUCCESS" ? "PASS" : "FAIL");
    expect(replay.reason).toBe(stage.statusReason);
    if (stage.status === "FAILURE")
      expect(replay.decidedAtSeconds).toBe(((live.at(-1)?.at ?? 0) - start) / 1000);
  }

  /** Deploys 1.23-alpine (quick sync) so that the next deployment runs the pipeline. */
  async function firstDeployment(h: Harness): Promise<void> {
    const id = deploy(h, "1.23-alpine");
    await h.settle(id);
    expect(h.store.deployments.get(id)?.status).toBe("SUCCESS");
  }

  function deploy(h: Harness, version: string): string {
    const outcome = h.engine.requestDeployment({
      app: "canary",
      version,
      requester: "U_ALICE",
      reason: "e2e",
    });
    if (!outcome.ok) throw new Error(refusalText(outcome.refusal));
    return outcome.deployment.id;
  }

  function analysisStart(h: Harness, id: string): number {
    const start = h.store.stages.get(id, ANALYSIS)?.state.analysisStart;
    if (typeof start !== "number") throw new Error("the analysis did not start");
    return start;
  }

  async function weights(): Promise<number[] | undefined> {
    const p = ports(datadogMetrics());
    const [rule] = await p.loadBalancer.findForwardRules([
      seeded.targetGroups.primary.arn,
      seeded.targetGroups.canary.arn,
    ]);
    return rule?.targetGroups.map((g) => g.weight);
  }

  it("(a, e) passes a healthy version with the seed's THRESHOLD guardrail; its replay gives the same ticks", async () => {
    const { app, analysisBlock } = await loadApp();
    const recorder = new RecordingMetrics(datadogMetrics());
    const h = harness({ apps: { canary: app }, clock, ports: ports(recorder) });
    await firstDeployment(h);
    const id = deploy(h, "1.25-alpine");
    await h.settle(id);
    expect(h.store.deployments.get(id)?.status).toBe("SUCCESS");
    const ticks = h.store.measurements.list(id, ANALYSIS);
    expect(ticks.map((t) => t.verdict)).toEqual(Array(10).fill("PASS"));
    const start = analysisStart(h, id);
    expect(start % MINUTE).toBe(0);
    expect(ticks.map((t) => (t.at - start) / MINUTE)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // Real figures from the traffic model: a healthy canary answers ~0.2% errors, within 10%.
    for (const t of ticks) expect(t.data.max).toBeLessThan(2);
    expect(await weights()).toEqual([100, 0]);
    expect(recorder.errors).toBe(0);
    await expectReplayEqualsLive(h, id, recorder, { app, analysisBlock, lagMs: 0 });
    await h.engine.stop();
  });

  it("(b, e) rolls back a 30%-errors version at the first complete bucket; its replay fails there too", async () => {
    const { app, analysisBlock } = await loadApp();
    const recorder = new RecordingMetrics(datadogMetrics());
    const h = harness({ apps: { canary: app }, clock, ports: ports(recorder) });
    await firstDeployment(h);
    const id = deploy(h, "1.25-bad30");
    await h.settle(id);
    expect(h.store.deployments.get(id)?.status).toBe("ROLLED_BACK");
    const ticks = h.store.measurements.list(id, ANALYSIS);
    expect(ticks).toHaveLength(1);
    expect(ticks[0]?.verdict).toBe("FAIL");
    expect(ticks[0]?.at).toBe(analysisStart(h, id) + MINUTE);
    expect(ticks[0]?.data.reason).toMatch(/is above the maximum 10$/);
    expect(ticks[0]?.data.max).toBeGreaterThan(20);
    expect(h.store.stages.get(id, ANALYSIS)?.status).toBe("FAILURE");
    expect(await weights()).toEqual([100, 0]);
    await expectReplayEqualsLive(h, id, recorder, { app, analysisBlock, lagMs: 0 });
    await h.engine.stop();
  });

  it("(a, e) with a 60 s Datadog lag: the ticks come a minute later, every window is the canary's, live and in the replay", async () => {
    const lagMs = 60_000;
    const { app, analysisBlock } = await loadApp();
    // The windows as sent: `from` and `to` (epoch seconds) of each GET /api/v1/query.
    const sent: Array<[number, number]> = [];
    const provider = new DatadogMetrics({
      apiKey: "sandbox",
      applicationKey: "sandbox",
      baseUrl: datadog.url,
      clock,
      lagMs,
      fetch: (input, init) => {
        const url = new URL(input);
        sent.push([Number(url.searchParams.get("from")) * 1000, Number(url.searchParams.get("to")) * 1000]);
        return fetch(input, init);
      },
    });
    const recorder = new RecordingMetrics(provider);
    // The lag shifts every window back a minute, so the grid starts a minute late: the first window is
    // the analysis's first minute, never one before it, when the canary had no traffic yet.
    const h = harness({
      apps: { canary: app },
      clock,
      ports: ports(recorder),
    });
    await firstDeployment(h);
    const id = deploy(h, "1.25-alpine");
    const before = sent.length;
    await h.settle(id);
    expect(h.store.deployments.get(id)?.status).toBe("SUCCESS");
    const ticks = h.store.measurements.list(id, ANALYSIS);
    expect(ticks.map((t) => t.verdict)).toEqual(Array(10).fill("PASS"));
    // The tick at start + (k + 2) min asked Datadog for the minute [start + k, start + k + 1).
    const start = analysisStart(h, id);
    const asked = sent.slice(before).map(([from, to]) => [(from - start) / MINUTE, (to - start) / MINUTE]);
    expect(asked).toEqual(Array.from({ length: 10 }, (_, k) => [k, k + 1]));
    expect(ticks.map((t) => (t.at - start) / MINUTE)).toEqual(Array.from({ length: 10 }, (_, k) => k + 2));
    await expectReplayEqualsLive(h, id, recorder, { app, analysisBlock, lagMs });
    await h.engine.stop();
  });

  /** A SEQUENTIAL metric on the ALB's per-target-group counts: canary group vs primary group. */
  function sequentialMetric(): Record<string, unknown> {
    const count = (metric: string) =>
      `sum:aws.applicationelb.${metric}{env:prd,targetgroup:{{ .VariantCustomArgs.targetGroup }}}.as_count()`;
    return {
      strategy: "SEQUENTIAL",
      provider: "datadog-provider",
      interval: "1m",
      errors: count("httpcode_target_5xx"),
      total: count("request_count"),
      control: "PRIMARY",
      maxRatio: 1.5,
      primaryArgs: { targetGroup: tag(seeded.targetGroups.primary.arn) },
      canaryArgs: { targetGroup: tag(seeded.targetGroups.canary.arn) },
    };
  }

  it("(c, e) SEQUENTIAL catches a 5% error canary and rolls back; its replay gives the same ticks and result", async () => {
    const { app, analysisBlock } = await loadApp([sequentialMetric()]);
    const recorder = new RecordingMetrics(datadogMetrics());
    const h = harness({ apps: { canary: app }, clock, ports: ports(recorder) });
    await firstDeployment(h);
    const id = deploy(h, "v3-bad");
    await h.settle(id);
    expect(h.store.deployments.get(id)?.status).toBe("ROLLED_BACK");
    const stage = h.store.stages.get(id, ANALYSIS);
    expect(stage?.status).toBe("FAILURE");
    const live = h.store.measurements.list(id, ANALYSIS);
    expect(live.at(-1)?.verdict).toBe("FAIL");
    // 5% vs 0.2% is 25×: caught within a few buckets, long before the 10 minutes are up.
    expect(live.length).toBeLessThanOrEqual(4);
    expect(recorder.errors).toBe(0);
    // Canary and primary of each count in one request: two requests a tick, not four.
    const sent = datadog.requests.queries().map((r) => r.query);
    expect(sent).toEqual(
      Array.from({ length: 2 * live.length }, () =>
        expect.stringMatching(/ by \{targetgroup\}\.as_count\(\)$/),
      ),
    );

    // (e) replay == live.
    const start = analysisStart(h, id);
    const file = recorder.recording({
      app: "canary",
      version: "v3-bad",
      labels: app.labels,
      analysis: analysisBlock,
      startMs: start,
      lagMs: 0,
    });
    const parsed = parseRecording(join(dir, "recording.json"), JSON.stringify(file, null, 2));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.diagnostics));
    const replay = await replayAnalysis(parsed.recording);
    expect(replay.ticks).toEqual(live.map(replayTick));
    expect(replay.result).toBe("FAIL");
    expect(replay.reason).toBe(stage?.statusReason);
    expect(replay.decidedAtSeconds).toBe(((live.at(-1)?.at ?? 0) - start) / 1000);
    await h.engine.stop();
  });

  it("(c, e) SEQUENTIAL passes a healthy canary at the end; its replay passes with the same ticks", async () => {
    const { app, analysisBlock } = await loadApp([sequentialMetric()]);
    const recorder = new RecordingMetrics(datadogMetrics());
    const h = harness({ apps: { canary: app }, clock, ports: ports(recorder) });
    await firstDeployment(h);
    const id = deploy(h, "v3");
    await h.settle(id);
    expect(h.store.deployments.get(id)?.status).toBe("SUCCESS");
    const live = h.store.measurements.list(id, ANALYSIS);
    expect(live.map((t) => t.verdict)).toEqual(Array(10).fill("PASS"));
    expect(
      live.every((t) => (t.data.canaryTotal as number) > 300 && (t.data.controlTotal as number) > 1200),
    ).toBe(true);

    const parsed = parseRecording(
      "recording.json",
      JSON.stringify(
        recorder.recording({
          app: "canary",
          version: "v3",
          labels: app.labels,
          analysis: analysisBlock,
          startMs: analysisStart(h, id),
          lagMs: 0,
        }),
      ),
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.diagnostics));
    const replay = await replayAnalysis(parsed.recording);
    expect(replay.ticks).toEqual(live.map(replayTick));
    expect(replay.result).toBe("PASS");
    expect(replay.reason).toBe(h.store.stages.get(id, ANALYSIS)?.statusReason);
    await h.engine.stop();
  });

  it("(d) Datadog 5xx for minutes: pauses and asks, neither rolls back nor promotes, continues on recovery", async () => {
    const { app } = await loadApp();
    const h = harness({ apps: { canary: app }, clock, ports: ports(datadogMetrics()) });
    await firstDeployment(h);
    const id = deploy(h, "1.25-alpine");
    let injected = false;
    let pausedAt: number | undefined;
    let question = "";
    const whilePaused = new Set<string>();
    await driveToEnd(h, id, () => {
      const deployment = h.store.deployments.get(id);
      const stages = h.store.stages.list(id);
      if (!injected && stages[ANALYSIS]?.status === "RUNNING") {
        datadog.faults.serverError(503);
        injected = true;
      }
      if (deployment?.status === "WAITING_APPROVAL") {
        pausedAt ??= clock.now();
        question = deployment.statusReason;
        // Nothing moves on while people are asked: no promotion, no rollback.
        whilePaused.add(
          stages
            .slice(ANALYSIS + 1)
            .map((s) => s.status)
            .join(","),
        );
        if (clock.now() >= pausedAt + 3 * MINUTE) datadog.faults.clear();
      }
    });
    expect(pausedAt).toBeDefined();
    expect(question).toMatch(
      /^The analysis of canary 1\.25-alpine cannot decide: .*failed 4 times in a row \(HTTP 503/,
    );
    expect([...whilePaused]).toEqual(["NOT_STARTED,NOT_STARTED,NOT_STARTED,NOT_STARTED"]);
    expect(h.store.deployments.get(id)?.status).toBe("SUCCESS");
    const verdicts = h.store.measurements.list(id, ANALYSIS).map((t) => t.verdict);
    expect(verdicts.slice(0, 4)).toEqual(["ERROR", "ERROR", "ERROR", "ERROR"]);
    expect(verdicts.at(-1)).toBe("PASS");
    expect(verdicts).toHaveLength(seedAnalysisTicks(h, id));
    const events = h.store.events.list(id).map((e) => e.type);
    expect(events).toContain("DEPLOYMENT_WAITING_APPROVAL");
    expect(events).not.toContain("DEPLOYMENT_ROLLING_BACK");
    await h.engine.stop();
  });

  it("(d) a 429 is waited out and the same window asked again: no error tick", async () => {
    const { app } = await loadApp();
    const h = harness({ apps: { canary: app }, clock, ports: ports(datadogMetrics()) });
    await firstDeployment(h);
    const id = deploy(h, "1.25-alpine");
    let injected = false;
    await driveToEnd(h, id, () => {
      if (!injected && h.store.stages.get(id, ANALYSIS)?.status === "RUNNING") {
        datadog.faults.rateLimited(20, { times: 1 });
        injected = true;
      }
    });
    expect(h.store.deployments.get(id)?.status).toBe("SUCCESS");
    const ticks = h.store.measurements.list(id, ANALYSIS);
    expect(ticks.map((t) => t.verdict)).toEqual(Array(seedAnalysisTicks(h, id)).fill("PASS"));
    expect(datadog.requests.all().filter((r) => r.status === 429)).toHaveLength(1);
    await h.engine.stop();
  });
});
