/**
 * When the ANALYSIS stage cannot decide it pauses and asks people (WAITING_APPROVAL), neither rolling
 * back nor promoting: too little traffic at the end (INCONCLUSIVE), or provider errors in a row — also
 * when they reach the end of the duration, where the paused metric keeps being asked until the
 * provider answers.
 */
import { describe, expect, it } from "vitest";
import type { MetricQueryResult } from "../../src/ports.js";
import type { Harness } from "../engine/harness.js";
import { ScriptedMetrics } from "../fakes/scripted-metrics.js";
import {
  ANALYSIS,
  analysisStage,
  deployV2,
  MINUTE,
  sequential,
  threshold,
  traffic,
  untilWaitingApproval,
  withV1,
} from "./analysis-fixtures.js";

const outage: MetricQueryResult = { kind: "error", reason: "HTTP 503 from Datadog", retryAfterMs: undefined };

/** The statuses of the stages after the analysis: all NOT_STARTED while nothing is promoted. */
const laterStages = (h: Harness, id: string): string[] =>
  h.store.stages
    .list(id)
    .filter((s) => s.index > ANALYSIS && s.kind !== "ROLLBACK")
    .map((s) => s.status);

/** Advances in 10 s steps until the analysis has stored `count` ticks. */
async function untilTicks(h: Harness, id: string, count: number): Promise<void> {
  for (let i = 0; i < 500 && h.store.measurements.list(id, ANALYSIS).length < count; i++)
    await h.clock.advance(10_000);
}

describe("ANALYSIS stage: pauses that ask people", () => {
  it("INCONCLUSIVE (too little traffic): waits for people, neither rolls back nor promotes; Approve promotes", async () => {
    // 0.1 request/s at the canary and no errors anywhere: nothing the test could ever flag.
    const fake = new ScriptedMetrics(traffic(1, 0, 0));
    const h = await withV1([sequential()], fake, 10 * MINUTE);
    const id = await deployV2(h);
    await untilWaitingApproval(h, id, 30);

    const deployment = h.store.deployments.get(id);
    expect(deployment?.status).toBe("WAITING_APPROVAL");
    expect(deployment?.statusReason).toMatch(
      /^The analysis of web v2 cannot decide: errors: too little traffic to decide — only a huge increase in errors could have been detected\. Approve to continue, or roll back\.$/,
    );
    expect(h.store.measurements.list(id, ANALYSIS)).toHaveLength(10);
    // An hour later: still asking, nothing more measured, traffic still split.
    await h.clock.advance(60 * MINUTE);
    expect(h.store.deployments.get(id)?.status).toBe("WAITING_APPROVAL");
    expect(analysisStage(h, id)?.status).toBe("RUNNING");
    expect(laterStages(h, id)).toEqual(["NOT_STARTED", "NOT_STARTED", "NOT_STARTED"]);
    expect(h.store.measurements.list(id, ANALYSIS)).toHaveLength(10);
    expect(h.cloud.currentWeights().map((w) => w.weight)).toEqual([90, 10]);
    const events = h.store.events.list(id).map((e) => e.type);
    expect(events).not.toContain("DEPLOYMENT_ROLLING_BACK");

    h.engine.submitCommand({ deploymentId: id, kind: "APPROVE", actor: "U_BOB" });
    await h.settle(id);
    expect(h.store.deployments.get(id)?.status).toBe("SUCCESS");
    expect(analysisStage(h, id)?.statusReason).toMatch(
      /^approved by U_BOB despite: errors: too little traffic to decide/,
    );
  });

  it("provider errors up to the end: pauses, keeps asking past the end, and lifts when the provider answers", async () => {
    let failing = false;
    const healthy = traffic(100, 0.002);
    const fake = new ScriptedMetrics((q) => (failing ? outage : healthy(q)));
    const h = await withV1([sequential()], fake, 10 * MINUTE);
    const id = await deployV2(h);
    await untilTicks(h, id, 6);
    failing = true;
    await untilWaitingApproval(h, id, 30);
    const start = analysisStage(h, id)?.state.analysisStart as number;
    const end = start + 10 * MINUTE;
    expect(h.clock.now()).toBeGreaterThanOrEqual(end);
    expect(h.store.measurements.list(id, ANALYSIS).map((t) => t.verdict)).toEqual([
      ...Array(6).fill("PASS"),
      ...Array(4).fill("ERROR"),
    ]);

    // Still down three minutes later: still asking, and the provider is asked again every interval.
    await h.clock.advance(3 * MINUTE);
    expect(h.store.deployments.get(id)?.status).toBe("WAITING_APPROVAL");
    expect(laterStages(h, id)).toEqual(["NOT_STARTED", "NOT_STARTED", "NOT_STARTED"]);
    const paused = h.store.measurements.list(id, ANALYSIS);
    expect(paused.slice(10).map((t) => [t.verdict, (t.at - end) / MINUTE])).toEqual([
      ["ERROR", 1],
      ["ERROR", 2],
      ["ERROR", 3],
    ]);

    failing = false;
    await h.clock.advance(MINUTE);
    await h.settle(id);
    expect(h.store.deployments.get(id)?.status).toBe("SUCCESS");
    const ticks = h.store.measurements.list(id, ANALYSIS);
    expect(ticks).toHaveLength(14);
    expect(ticks.at(-1)).toMatchObject({ verdict: "PASS", at: end + 4 * MINUTE });
    expect(analysisStage(h, id)?.statusReason).toMatch(/^errors: error ratio /);
  });

  it("a pause at the end lifted by a bad answer rolls back: the answer decides, not the errors", async () => {
    let script = traffic(50, 0.002);
    const fake = new ScriptedMetrics((q) => script(q));
    const h = await withV1([threshold()], fake, 8 * MINUTE);
    const id = await deployV2(h);
    await untilTicks(h, id, 4);
    script = () => outage;
    await untilWaitingApproval(h, id, 30);
    expect(h.store.measurements.list(id, ANALYSIS).map((t) => t.verdict)).toEqual([
      ...Array(4).fill("PASS"),
      ...Array(4).fill("ERROR"),
    ]);
    // The provider answers again, and what it shows is a canary at 30% errors.
    script = traffic(50, 0.3);
    await h.settle(id);
    expect(h.store.deployments.get(id)?.status).toBe("ROLLED_BACK");
    expect(h.store.measurements.list(id, ANALYSIS).at(-1)?.verdict).toBe("FAIL");
    expect(analysisStage(h, id)?.statusReason).toBe("error-rate: 0.3 is above the maximum 0.05");
  });

  it("Roll back by people still works during a pause at the end", async () => {
    const fake = new ScriptedMetrics(() => outage);
    const h = await withV1([sequential()], fake, 5 * MINUTE);
    const id = await deployV2(h);
    await untilWaitingApproval(h, id, 30);
    await h.clock.advance(10 * MINUTE);
    expect(h.store.deployments.get(id)?.status).toBe("WAITING_APPROVAL");
    h.engine.submitCommand({ deploymentId: id, kind: "ROLLBACK", actor: "U_BOB" });
    await h.settle(id);
    expect(h.store.deployments.get(id)?.status).toBe("ROLLED_BACK");
    expect(h.cloud.currentWeights().map((w) => w.weight)).toEqual([100, 0]);
  });

  it("a dry-run metric's errors at the end neither pause nor extend the analysis", async () => {
    // Enough traffic for five minutes to decide (see "waits out a rate limit once" in analysis.test.ts).
    const healthy = traffic(500, 0.002);
    const fake = new ScriptedMetrics((q) => (q.query.includes("/") ? outage : healthy(q)));
    const h = await withV1([sequential(), threshold({ dryRun: true })], fake, 5 * MINUTE);
    const id = await deployV2(h);
    await h.settle(id);
    expect(h.store.deployments.get(id)?.status).toBe("SUCCESS");
    const ticks = h.store.measurements.list(id, ANALYSIS);
    expect(ticks.filter((t) => t.metric === "error-rate").map((t) => t.verdict)).toEqual(
      Array(5).fill("ERROR"),
    );
    expect(ticks.filter((t) => t.metric === "errors")).toHaveLength(5);
  });
});
