import { describe, expect, it } from "vitest";
import type { AnalysisMetric } from "../../src/domain/analysis-metric.js";
import { perMinute, type Script, ScriptedMetrics } from "../fakes/scripted-metrics.js";
import {
  analysisStage,
  common,
  deployV2,
  MINUTE,
  noArgs,
  sequential,
  threshold,
  traffic,
  withV1,
} from "./analysis-fixtures.js";

describe("ANALYSIS stage", () => {
  it("rolls back a 30%-error canary at the first complete bucket (THRESHOLD guardrail)", async () => {
    const fake = new ScriptedMetrics(traffic(50, 0.3));
    const h = await withV1([threshold()], fake);
    const id = await deployV2(h);
    await h.settle(id);
    expect(h.store.deployments.get(id)?.status).toBe("ROLLED_BACK");
    const ticks = h.store.measurements.list(id, 2);
    expect(ticks.map((t) => t.verdict)).toEqual(["FAIL"]);
    expect(analysisStage(h, id)?.statusReason).toBe("error-rate: 0.3 is above the maximum 0.05");
    expect(h.cloud.currentWeights().map((w) => w.weight)).toEqual([100, 0]);
  });

  it("promotes a healthy canary at the end of the duration (SEQUENTIAL)", async () => {
    const fake = new ScriptedMetrics(traffic(100, 0.002));
    const h = await withV1([sequential()], fake);
    const id = await deployV2(h);
    await h.settle(id);
    expect(h.store.deployments.get(id)?.status).toBe("SUCCESS");
    const ticks = h.store.measurements.list(id, 2);
    expect(ticks).toHaveLength(30);
    expect(ticks.every((t) => t.verdict === "PASS")).toBe(true);
    expect(ticks[0]?.data).toMatchObject({
      canaryErrors: 1,
      canaryTotal: 600,
      controlErrors: 11,
      controlTotal: 5400,
    });
    expect(analysisStage(h, id)?.statusReason).toMatch(/^errors: error ratio /);
    // Four queries a tick: errors and hits for canary and primary.
    expect(new Set(fake.calls.slice(0, 4).map((c) => c.query))).toEqual(
      new Set([
        "sum:errors{variant:canary}.as_count()",
        "sum:hits{variant:canary}.as_count()",
        "sum:errors{variant:primary}.as_count()",
        "sum:hits{variant:primary}.as_count()",
      ]),
    );
    expect(fake.calls[0]).toMatchObject({ provider: "datadog", timeoutMs: 30_000 });
  });

  it("passes early when asked and the interval is below maxRatio", async () => {
    const fake = new ScriptedMetrics(traffic(500, 0.0005, 0.004));
    const h = await withV1([sequential({}, true)], fake);
    const id = await deployV2(h);
    await h.settle(id);
    expect(h.store.deployments.get(id)?.status).toBe("SUCCESS");
    expect(h.store.measurements.list(id, 2).length).toBeLessThan(30);
  });

  it("rolls back a 5× regression long before the end (SEQUENTIAL)", async () => {
    const fake = new ScriptedMetrics(traffic(100, 0.01));
    const h = await withV1([sequential()], fake);
    const id = await deployV2(h);
    await h.settle(id);
    expect(h.store.deployments.get(id)?.status).toBe("ROLLED_BACK");
    const ticks = h.store.measurements.list(id, 2);
    expect(ticks.at(-1)?.verdict).toBe("FAIL");
    expect(ticks.length).toBeLessThanOrEqual(5);
    expect(analysisStage(h, id)?.statusReason).toMatch(
      /errors: error ratio above 1: canary \d+\/600 vs primary/,
    );
  });

  it("neither rolls back nor promotes while Datadog fails: it pauses and asks people", async () => {
    const fake = new ScriptedMetrics(() => ({
      kind: "error",
      reason: "HTTP 503 from Datadog",
      retryAfterMs: undefined,
    }));
    const h = await withV1([sequential()], fake);
    const id = await deployV2(h);
    for (let i = 0; i < 100 && h.store.deployments.get(id)?.status !== "WAITING_APPROVAL"; i++)
      await h.clock.advance(MINUTE);
    expect(h.store.deployments.get(id)?.status).toBe("WAITING_APPROVAL");
    expect(h.store.measurements.list(id, 2).map((t) => t.verdict)).toEqual([
      "ERROR",
      "ERROR",
      "ERROR",
      "ERROR",
    ]);
    // An hour later: still paused, still nothing decided.
    await h.clock.advance(60 * MINUTE);
    expect(h.store.deployments.get(id)?.status).toBe("WAITING_APPROVAL");
    expect(h.cloud.currentWeights().map((w) => w.weight)).toEqual([90, 10]);
    h.engine.submitCommand({ deploymentId: id, kind: "ROLLBACK", actor: "U_BOB" });
    await h.settle(id);
    expect(h.store.deployments.get(id)?.status).toBe("ROLLED_BACK");
  });

  it("lifts the pause by itself when the provider recovers, and an Approve promotes a paused analysis", async () => {
    let failing = true;
    const healthy = traffic(100, 0.002);
    const fake = new ScriptedMetrics((q) =>
      failing ? { kind: "error", reason: "timeout after 30000 ms", retryAfterMs: undefined } : healthy(q),
    );
    const h = await withV1([sequential()], fake, 10 * MINUTE);
    const id = await deployV2(h);
    for (let i = 0; i < 100 && h.store.deployments.get(id)?.status !== "WAITING_APPROVAL"; i++)
      await h.clock.advance(MINUTE);
    failing = false;
    await h.clock.advance(MINUTE);
    expect(h.store.deployments.get(id)?.status).toBe("RUNNING");
    failing = true;
    for (let i = 0; i < 100 && h.store.deployments.get(id)?.status !== "WAITING_APPROVAL"; i++)
      await h.clock.advance(MINUTE);
    h.engine.submitCommand({ deploymentId: id, kind: "APPROVE", actor: "U_BOB" });
    await h.settle(id);
    expect(h.store.deployments.get(id)?.status).toBe("SUCCESS");
    expect(analysisStage(h, id)?.statusReason).toMatch(
      /^approved by U_BOB despite: errors: the metrics provider failed 4 times in a row/,
    );
  });

  it("waits out a rate limit once for the same window before counting an error", async () => {
    let limited = 1;
    // 500 req/s: five minutes hold 30 canary errors, plenty to decide (at 100 req/s the 5 errors of five
    // minutes sit at the edge of "too little traffic", where a retuned prior tips the analysis to ask).
    const healthy = traffic(500, 0.002);
    const fake = new ScriptedMetrics((q) => {
      if (limited > 0) {
        limited--;
        return { kind: "error", reason: "HTTP 429", retryAfterMs: 7_000 };
      }
      return healthy(q);
    });
    const h = await withV1([sequential()], fake, 5 * MINUTE);
    const id = await deployV2(h);
    await h.settle(id);
    expect(h.store.deployments.get(id)?.status).toBe("SUCCESS");
    expect(h.store.measurements.list(id, 2).map((t) => t.verdict)).toEqual([
      "PASS",
      "PASS",
      "PASS",
      "PASS",
      "PASS",
    ]);
  });

  it("records a dry-run metric without letting it decide", async () => {
    const fake = new ScriptedMetrics(traffic(100, 0.3));
    const h = await withV1([threshold({ dryRun: true })], fake, 5 * MINUTE);
    const id = await deployV2(h);
    await h.settle(id);
    expect(h.store.deployments.get(id)?.status).toBe("SUCCESS");
    expect(h.store.measurements.list(id, 2).map((t) => t.verdict)).toEqual([
      "FAIL",
      "FAIL",
      "FAIL",
      "FAIL",
      "FAIL",
    ]);
  });

  it("counts no data as a failure unless skipOnNoData", async () => {
    const empty: Script = () => ({ kind: "no-data" });
    const strict = await withV1([threshold({ failureLimit: 1 })], new ScriptedMetrics(empty), 5 * MINUTE);
    const a = await deployV2(strict);
    await strict.settle(a);
    expect(strict.store.deployments.get(a)?.status).toBe("ROLLED_BACK");
    expect(strict.store.measurements.list(a, 2).map((t) => t.verdict)).toEqual(["NO_DATA", "NO_DATA"]);
    const lenient = await withV1([threshold({ skipOnNoData: true })], new ScriptedMetrics(empty), 5 * MINUTE);
    const b = await deployV2(lenient);
    await lenient.settle(b);
    expect(lenient.store.deployments.get(b)?.status).toBe("SUCCESS");
  });

  it("resumes after a restart from its stored ticks, catching up the windows it missed", async () => {
    const fake = new ScriptedMetrics(traffic(100, 0.002));
    let h = await withV1([sequential()], fake, 20 * MINUTE);
    const id = await deployV2(h);
    for (let i = 0; i < 200 && h.store.measurements.list(id, 2).length < 6; i++)
      await h.clock.advance(10_000);
    const before = h.store.measurements.list(id, 2);
    h = await h.restart();
    await h.clock.advance(5 * MINUTE);
    await h.settle(id);
    const after = h.store.measurements.list(id, 2);
    expect(h.store.deployments.get(id)?.status).toBe("SUCCESS");
    expect(after).toHaveLength(20);
    expect(after.slice(0, before.length)).toEqual(before);
    const start = analysisStage(h, id)?.state.analysisStart as number;
    expect(after.map((t) => t.at)).toEqual(Array.from({ length: 20 }, (_, k) => start + (k + 1) * MINUTE));
  });

  it("compares with the previous release at the same elapsed time (PREVIOUS)", async () => {
    let latency = 100;
    const fake = new ScriptedMetrics((q) => perMinute(q, (at) => latency + ((at / MINUTE) % 7)));
    const previous: AnalysisMetric = {
      strategy: "PREVIOUS",
      common: common("latency", { intervalMs: 10 * MINUTE }),
      query: "avg:latency{app:web}",
      deviation: "HIGH",
    };
    const h = await withV1([previous], fake, 20 * MINUTE);
    const v2 = await deployV2(h);
    await h.settle(v2);
    expect(h.store.deployments.get(v2)?.status).toBe("SUCCESS");
    expect(h.store.measurements.list(v2, 2)[0]?.data.reason).toBe(
      "no previous release's analysis to compare with",
    );
    latency = 400;
    const v3 = h.engine.requestDeployment({ app: "web", version: "v3", requester: "U_ALICE", reason: "" });
    if (!v3.ok) throw new Error("refused");
    await h.settle(v3.deployment.id);
    expect(h.store.deployments.get(v3.deployment.id)?.status).toBe("ROLLED_BACK");
    expect(h.store.stages.get(v3.deployment.id, 2)?.statusReason).toMatch(
      /canary significantly higher than previous release/,
    );
  });

  it("fails CANARY_PRIMARY when the canary's points are significantly higher (Mann-Whitney)", async () => {
    const fake = new ScriptedMetrics((q) =>
      perMinute(q, (at) => (q.query.includes("canary") ? 300 : 100) + ((at / MINUTE) % 5)),
    );
    const metric: AnalysisMetric = {
      strategy: "CANARY_PRIMARY",
      common: common("p99", { intervalMs: 5 * MINUTE }),
      query: "p99:latency{variant:{{ .Variant.Name }}}",
      deviation: "HIGH",
      variantArgs: noArgs,
    };
    const h = await withV1([metric], fake);
    const id = await deployV2(h);
    await h.settle(id);
    expect(h.store.deployments.get(id)?.status).toBe("ROLLED_BACK");
    const tick = h.store.measurements.list(id, 2)[0];
    expect(tick?.data).toMatchObject({ canaryMedian: 302, controlMedian: 102, method: "exact" });
    expect(tick?.data.pValue as number).toBeLessThan(0.05);
  });
});
