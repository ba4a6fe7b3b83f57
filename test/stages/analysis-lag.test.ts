/**
 * The ANALYSIS stage and its providers' lag: a provider shifts each window back by its lag, so the first
 * tick comes exactly the lag late, and no tick reads a bucket from before the analysis's start, when the
 * canary had no traffic yet and the old release's buckets are all there is. The start is the minute
 * boundary at or before the stage (never before the deployment began).
 */
import { describe, expect, it } from "vitest";
import type { MetricQuery, MetricQueryResult } from "../../src/ports.js";
import { lagShiftedWindow } from "../../src/providers/datadog/complete-points.js";
import type { Harness } from "../engine/harness.js";
import { perMinute, type Script, ScriptedMetrics } from "../fakes/scripted-metrics.js";
import { stage } from "../fixtures/toy-app.js";
import {
  ANALYSIS,
  analysisStage,
  deployV2,
  MINUTE,
  pipeline,
  threshold,
  withV1,
} from "./analysis-fixtures.js";

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
    // 4.5 minutes of lag: the first tick comes 4.5 minutes late and reads the first minute.
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
    expect(ticks[0]?.at).toBe(start() + 4.5 * MINUTE + MINUTE);
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

  it("starts on the minute before the stage when the deployment began before it: one more window, same end", async () => {
    // A WAIT of 70 s between the routing and the analysis: the canary has served this deployment's
    // release for over a minute when the analysis starts, off the minute grid.
    const lagged = new LaggedMetrics((q) => perMinute(q, () => 0.002), 90_000);
    const steps = pipeline([threshold()], 3 * MINUTE);
    const withWait = [
      ...steps.slice(0, 2),
      stage("WAIT", { durationMs: 70_000 }, 2),
      ...steps.slice(2).map((s, i) => ({ ...s, id: `stage-${i + 3}` })),
    ];
    const h = await withV1([threshold()], lagged, 3 * MINUTE, [], withWait);
    lagged.now = () => h.clock.now();
    await h.clock.advance(17_000);
    const id = await deployV2(h);
    await h.settle(id);

    expect(h.store.deployments.get(id)?.status).toBe("SUCCESS");
    const analysis = h.store.stages.get(id, 3);
    const stageStart = analysis?.startedAt as number;
    const begun = analysis?.state.analysisStart as number;
    const boundaryAfter = Math.ceil(stageStart / MINUTE) * MINUTE;
    expect(stageStart % MINUTE).not.toBe(0);
    expect(begun).toBe(Math.floor(stageStart / MINUTE) * MINUTE);
    expect(analysis?.state.analysisEnd).toBe(boundaryAfter + 90_000 + 3 * MINUTE);
    // The three minutes of a wait for the next boundary, and the minute before it in front.
    const ticks = h.store.measurements.list(id, 3);
    expect(ticks.map((t) => t.at)).toEqual([1, 2, 3, 4].map((k) => begun + 90_000 + k * MINUTE));
    expect(lagged.calls.map((q) => q.from).sort((a, b) => a - b)[0]).toBe(begun);
  });

  it("waits for the next minute when the one before the stage is from before the deployment began", async () => {
    const lagged = new LaggedMetrics((q) => perMinute(q, () => 0.002), 90_000);
    const h = await withV1([threshold()], lagged, 3 * MINUTE);
    lagged.now = () => h.clock.now();
    await h.clock.advance(17_000);
    const id = await deployV2(h);
    await h.settle(id);

    const deployment = h.store.deployments.get(id);
    expect(deployment?.status).toBe("SUCCESS");
    const analysis = analysisStage(h, id);
    const stageStart = analysis?.startedAt as number;
    const boundaryBefore = Math.floor(stageStart / MINUTE) * MINUTE;
    // The canary rollout and routing took less than the rest of the minute the deployment began in.
    expect(boundaryBefore).toBeLessThan(deployment?.startedAt as number);
    const begun = analysis?.state.analysisStart as number;
    expect(begun).toBe(boundaryBefore + MINUTE);
    expect(analysis?.state.analysisEnd).toBe(begun + 90_000 + 3 * MINUTE);
    const ticks = h.store.measurements.list(id, ANALYSIS);
    expect(ticks.map((t) => t.at)).toEqual([1, 2, 3].map((k) => begun + 90_000 + k * MINUTE));
  });
});
