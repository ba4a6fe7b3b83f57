/**
 * The ANALYSIS stage and its providers' lag: a provider shifts each window back by its lag, so the grid
 * starts that much later (rounded up to whole minutes), and no tick reads a bucket from before the
 * analysis started, when the canary had no traffic yet and the old release's buckets are all there is.
 */
import { describe, expect, it } from "vitest";
import type { MetricQuery, MetricQueryResult } from "../../src/ports.js";
import { lagShiftedWindow } from "../../src/providers/datadog/complete-points.js";
import type { Harness } from "../engine/harness.js";
import { perMinute, type Script, ScriptedMetrics } from "../fakes/scripted-metrics.js";
import { analysisStage, deployV2, MINUTE, threshold, withV1 } from "./analysis-fixtures.js";

/** Shifts each window back by `lagMs` as the real providers do, then answers (and records) it. */
class LaggedMetrics extends ScriptedMetrics {
  /** The clock to measure the lag on (set once the harness exists). */
  now: () => number = () => 0;

  constructor(
    script: Script,
    private readonly lagMs: number,
  ) {
    super(script);
  }

  lagMsOf(): number {
    return this.lagMs;
  }

  override query(request: MetricQuery): Promise<MetricQueryResult> {
    const window = lagShiftedWindow({ fromMs: request.from, toMs: request.to }, this.now(), this.lagMs);
    return super.query({ ...request, from: window.fromMs, to: window.toMs });
  }
}

describe("ANALYSIS stage with a lagging provider", () => {
  it("judges a canary that turns bad at the analysis start on its own traffic only", async () => {
    // The guardrail reads 0.2% errors for every minute before the analysis start (the old release's
    // traffic: what a window shifted back before the start would see) and 30% from it on.
    let h: Harness | undefined;
    let id: string | undefined;
    const start = (): number => {
      const stored = h && id ? analysisStage(h, id)?.state.analysisStart : undefined;
      if (typeof stored !== "number") throw new Error("asked for metrics before the analysis started");
      return stored;
    };
    // 4.5 minutes of lag: the providers shift by whole minutes, so the grid waits 5.
    const lagged = new LaggedMetrics(
      (q) => perMinute(q, (at) => (at >= start() ? 0.3 : 0.002)),
      4.5 * MINUTE,
    );
    h = await withV1([threshold()], lagged, 10 * MINUTE);
    lagged.now = () => (h as Harness).clock.now();
    id = await deployV2(h);
    await h.settle(id);

    expect(h.store.deployments.get(id)?.status).toBe("ROLLED_BACK");
    const ticks = h.store.measurements.list(id, 2);
    expect(ticks.map((t) => t.verdict)).toEqual(["FAIL"]);
    expect(ticks[0]?.at).toBe(start() + 5 * MINUTE + MINUTE);
    expect(lagged.calls.length).toBeGreaterThan(0);
    for (const asked of lagged.calls) expect(asked.from).toBeGreaterThanOrEqual(start());
    expect(lagged.calls[0]?.from).toBe(start());
  });

  it("promotes after `duration` of the canary's own traffic, the lag later", async () => {
    const lagged = new LaggedMetrics((q) => perMinute(q, () => 0.002), 2 * MINUTE);
    const h = await withV1([threshold()], lagged, 10 * MINUTE);
    lagged.now = () => h.clock.now();
    const id = await deployV2(h);
    await h.settle(id);

    expect(h.store.deployments.get(id)?.status).toBe("SUCCESS");
    const ticks = h.store.measurements.list(id, 2);
    expect(ticks).toHaveLength(10);
    const begun = analysisStage(h, id)?.state.analysisStart as number;
    expect(ticks.map((t) => t.at)).toEqual(Array.from({ length: 10 }, (_, k) => begun + (3 + k) * MINUTE));
    expect(lagged.calls.map((q) => q.from).sort((a, b) => a - b)[0]).toBe(begun);
  });

  it("on a provider without minute buckets (Prometheus), starts at once and waits the lag to the second", async () => {
    // Evaluated at any instant: windows are shifted back by exactly the lag, and the grid is not
    // aligned to whole minutes.
    class InstantMetrics extends ScriptedMetrics {
      lagMsOf(): number {
        return 30_000;
      }
      alignmentMsOf(): number {
        return 1000;
      }
      override query(request: MetricQuery): Promise<MetricQueryResult> {
        return super.query({ ...request, from: request.from - 30_000, to: request.to - 30_000 });
      }
    }
    const instant = new InstantMetrics((q) => perMinute(q, () => 0.3));
    const h = await withV1([threshold()], instant, 10 * MINUTE);
    // Off the minute grid, so that a wait for a whole minute would show.
    await h.clock.advance(17_000);
    const id = await deployV2(h);
    await h.settle(id);

    const stage = analysisStage(h, id);
    const begun = stage?.state.analysisStart as number;
    expect(begun - (stage?.startedAt ?? 0)).toBeLessThan(1000);
    const ticks = h.store.measurements.list(id, 2);
    expect(ticks.map((t) => t.verdict)).toEqual(["FAIL"]);
    expect(ticks[0]?.at).toBe(begun + 30_000 + MINUTE);
    expect(instant.calls[0]?.from).toBe(begun);
  });
});
