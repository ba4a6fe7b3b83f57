/**
 * Missing and impossible data through the real ANALYSIS executor: NO_DATA ticks pause the analysis and
 * ask people (never a promotion), the pause lifts when data comes back, and impossible answers become
 * DATA_ERROR ticks that name the query and the window and are never folded into the test.
 */
import { describe, expect, it } from "vitest";
import type { MetricQuery, MetricQueryResult } from "../../src/ports.js";
import type { Harness } from "../engine/harness.js";
import { ScriptedMetrics } from "../fakes/scripted-metrics.js";
import {
  ANALYSIS,
  analysisStage,
  deployV2,
  MINUTE,
  sequential,
  traffic,
  untilWaitingApproval,
  withV1,
} from "./analysis-fixtures.js";

/** Advances in 10 s steps until the analysis has stored `count` ticks. */
async function untilTicks(h: Harness, id: string, count: number): Promise<void> {
  for (let i = 0; i < 500 && h.store.measurements.list(id, ANALYSIS).length < count; i++)
    await h.clock.advance(10_000);
}

const verdicts = (h: Harness, id: string) => h.store.measurements.list(id, ANALYSIS).map((t) => t.verdict);

describe("ANALYSIS stage: missing and impossible data", () => {
  it("a 2.5× regression whose series stop at minute 5 of 30 asks people and is never promoted", async () => {
    let stopped = false;
    const regression = traffic(50, 0.005);
    const fake = new ScriptedMetrics((q) => (stopped ? { kind: "no-data" } : regression(q)));
    const h = await withV1([sequential()], fake, 30 * MINUTE);
    const id = await deployV2(h);
    await untilTicks(h, id, 5);
    stopped = true;
    await untilWaitingApproval(h, id, 10);

    expect(verdicts(h, id)).toEqual([...Array(5).fill("PASS"), ...Array(3).fill("NO_DATA")]);
    expect(h.store.deployments.get(id)?.statusReason).toContain(
      "errors: no data for 3 checks in a row (no canary traffic in this window (no data points))",
    );
    // The missing buckets are not folded into the test as zeros.
    expect(h.store.measurements.list(id, ANALYSIS).at(-1)?.data).toMatchObject({
      canaryErrors: null,
      canaryTotal: null,
    });

    // Past the end: still asking, every tick measured, traffic still split, nothing promoted.
    await h.clock.advance(40 * MINUTE);
    expect(h.store.deployments.get(id)?.status).toBe("WAITING_APPROVAL");
    expect(verdicts(h, id)).toEqual([...Array(5).fill("PASS"), ...Array(25).fill("NO_DATA")]);
    expect(analysisStage(h, id)?.status).toBe("RUNNING");
    expect(h.cloud.currentWeights().map((w) => w.weight)).toEqual([90, 10]);
    expect(h.store.events.list(id).map((e) => e.type)).not.toContain("DEPLOYMENT_ROLLING_BACK");
  });

  it("a no-data pause lifts itself when data comes back and the share is within the limit", async () => {
    let gap = false;
    const healthy = traffic(500, 0.002);
    const fake = new ScriptedMetrics((q) =>
      gap && q.query.includes("canary") ? { kind: "no-data" } : healthy(q),
    );
    const h = await withV1([sequential()], fake, 30 * MINUTE);
    const id = await deployV2(h);
    await untilTicks(h, id, 10);
    gap = true;
    await untilWaitingApproval(h, id, 10);
    expect(verdicts(h, id).slice(10)).toEqual(["NO_DATA", "NO_DATA", "NO_DATA"]);
    expect(analysisStage(h, id)?.state.approval).toBeDefined();

    gap = false;
    await untilTicks(h, id, 14);
    // 3 of 14 ticks without data: within 25%, so the analysis goes on by itself.
    expect(h.store.deployments.get(id)?.status).toBe("RUNNING");
    expect(analysisStage(h, id)?.state.approval).toBeUndefined();
    await h.settle(id);
    expect(h.store.deployments.get(id)?.status).toBe("SUCCESS");
    expect(verdicts(h, id)).toHaveLength(30);
    expect(analysisStage(h, id)?.statusReason).toMatch(/^errors: error ratio /);
  });

  it("an impossible answer is a DATA_ERROR tick naming the query and the window; enough of them ask", async () => {
    const healthy = traffic(500, 0.002);
    const duplicates: MetricQueryResult = {
      kind: "invalid",
      reason: "two points at 2026-01-05T09:03:00.000Z in one series",
    };
    const fake = new ScriptedMetrics((q) =>
      q.query.startsWith("sum:errors{variant:canary}") ? duplicates : healthy(q),
    );
    const h = await withV1([sequential()], fake, 30 * MINUTE);
    const id = await deployV2(h);
    await untilWaitingApproval(h, id, 10);

    const ticks = h.store.measurements.list(id, ANALYSIS);
    expect(ticks.map((t) => t.verdict)).toEqual(["DATA_ERROR", "DATA_ERROR", "DATA_ERROR"]);
    const first = ticks[0];
    const window = (at: number) => new Date(at).toISOString().slice(11, 16);
    expect(first?.data.reason).toBe(
      `bad data, not used: two points at 2026-01-05T09:03:00.000Z in one series (query sum:errors{variant:canary}.as_count(), window ${window((first?.at ?? 0) - MINUTE)}–${window(first?.at ?? 0)} UTC)`,
    );
    expect(h.store.deployments.get(id)?.statusReason).toContain(
      "errors: 3 of 3 checks without usable data, more than the 25% allowed",
    );
  });

  it("the control's errors above its total: DATA_ERROR, never summed, never a pass", async () => {
    const regression = traffic(100, 0.005);
    // The primary's errors at three times its requests.
    const impossible = (q: MetricQuery): MetricQueryResult => {
      const answer = regression(q);
      if (!q.query.startsWith("sum:errors{variant:primary}") || answer.kind !== "points") return answer;
      return { kind: "points", points: answer.points.map(([at]) => [at, 3 * 5400]) };
    };
    const fake = new ScriptedMetrics(impossible);
    const h = await withV1([sequential()], fake, 10 * MINUTE);
    const id = await deployV2(h);
    await untilWaitingApproval(h, id, 30);
    const ticks = h.store.measurements.list(id, ANALYSIS);
    expect(new Set(ticks.map((t) => t.verdict))).toEqual(new Set(["DATA_ERROR"]));
    expect(ticks[0]?.data).toMatchObject({ error: "primary errors 16200 > total 5400", total: 5400 });
    expect(h.store.deployments.get(id)?.status).toBe("WAITING_APPROVAL");
  });
});
