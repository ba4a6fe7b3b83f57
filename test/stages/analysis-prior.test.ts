/**
 * The SEQUENTIAL prior an analysis started with is recorded in its stage state and kept: a Kanaria
 * restarted mid-analysis on a release whose default prior differs folds the stored ticks, and judges
 * the next ones, with the recorded prior. The releases are played by `analysisExecutorWith(prior)`,
 * so that no test touches the frozen default.
 */
import { describe, expect, it } from "vitest";
import { sequentialBucket } from "../../src/analysis/metric-progress.js";
import { DEFAULT_SEQUENTIAL_PRIOR, type SequentialPrior } from "../../src/analysis/sequential-prior.js";
import {
  initialSequentialState,
  summarizeSequential,
  updateSequential,
} from "../../src/analysis/sequential-test.js";
import type { AnalysisMetric } from "../../src/domain/analysis-metric.js";
import type { Measurement } from "../../src/domain/measurement.js";
import type { StageExecutor } from "../../src/engine/stage-executor.js";
import { analysisExecutorWith } from "../../src/stages/analysis.js";
import { type Harness, harness } from "../engine/harness.js";
import { ScriptedMetrics } from "../fakes/scripted-metrics.js";
import { toyAppConfig } from "../fixtures/toy-app.js";
import {
  ANALYSIS,
  analysisStage,
  deployV2,
  MINUTE,
  pipeline,
  sequential,
  traffic,
  withV1,
} from "./analysis-fixtures.js";

/** The default of an older release: another bump, a heavier late family, the plain start law. */
const OLDER: SequentialPrior = { centre: 3, spread: 0.3, tail: 0.05, late: 0.4, lateFrom: 2, lateScale: 0 };
const DURATION = 20 * MINUTE;
/** 1-minute ticks over 20 minutes: the late-start law an analysis records is cut at bucket 20. */
const cut = (prior: SequentialPrior): SequentialPrior => ({ ...prior, horizon: 20 });

/** The same store, clock and cloud under a new engine whose ANALYSIS executor is `executor`. */
async function restartWith(
  h: Harness,
  metrics: AnalysisMetric[],
  fake: ScriptedMetrics,
  executor: StageExecutor,
): Promise<Harness> {
  await h.engine.stop();
  return harness({
    apps: { web: toyAppConfig({ pipeline: pipeline(metrics, DURATION) }) },
    store: h.store,
    clock: h.clock,
    cloud: h.cloud,
    ports: { ecs: h.cloud, loadBalancer: h.cloud, metrics: fake },
    replaceExecutors: [executor],
  });
}

/** The evidence after each stored tick, recomputed from the ticks' counts under `prior`. */
function evidenceUnder(prior: SequentialPrior, ticks: readonly Measurement[]): number[] {
  let state = initialSequentialState({ maxRatio: 1, alpha: 0.01, prior });
  return ticks.map((tick) => {
    state = updateSequential(state, sequentialBucket(tick.data));
    return summarizeSequential(state).evidence;
  });
}

async function untilTicks(h: Harness, id: string, n: number): Promise<void> {
  for (let i = 0; i < 200 && h.store.measurements.list(id, ANALYSIS).length < n; i++)
    await h.clock.advance(10_000);
}

describe("ANALYSIS stage: the SEQUENTIAL prior of a resumed analysis", () => {
  // 2 canary errors in 600 requests against 11 in 5400 a minute: about 1.6×, not enough to fail.
  const metrics = [sequential()];
  const script = traffic(100, 0.004);

  /**
   * An analysis started by a release whose default is OLDER, stopped after `ticks` ticks, its stage
   * state rewritten by `rewrite` (what another release left behind, written as raw JSON: it may be no
   * state this release writes), and resumed to its end by this release (default prior).
   */
  async function resumed(
    ticks: number,
    rewrite: (state: Record<string, unknown>) => Record<string, unknown> = (state) => state,
  ): Promise<{ h: Harness; id: string; before: number }> {
    const fake = new ScriptedMetrics(script);
    let h = await withV1(metrics, fake, DURATION, [analysisExecutorWith(OLDER)]);
    const id = await deployV2(h);
    await untilTicks(h, id, ticks);
    expect(analysisStage(h, id)?.state.sequentialPrior).toEqual(OLDER);
    expect(analysisStage(h, id)?.state.sequentialHorizonMs).toBe(DURATION);
    const before = h.store.measurements.list(id, ANALYSIS).length;
    h.store.db
      .prepare("UPDATE stages SET state = ? WHERE deployment_id = ? AND idx = ?")
      .run(JSON.stringify(rewrite({ ...analysisStage(h, id)?.state })), id, ANALYSIS);
    h = await restartWith(h, metrics, fake, analysisExecutorWith(DEFAULT_SEQUENTIAL_PRIOR));
    await h.settle(id);
    return { h, id, before };
  }

  it("keeps the prior recorded when it started, though the release that resumes it has another default", async () => {
    const { h, id, before } = await resumed(6);
    const ticks = h.store.measurements.list(id, ANALYSIS);
    expect(h.store.deployments.get(id)?.status).toBe("SUCCESS");
    expect(ticks).toHaveLength(20);
    expect(analysisStage(h, id)?.state.sequentialPrior).toEqual(OLDER);

    const stored = ticks.map((t) => t.data.evidence as number);
    const older = evidenceUnder(cut(OLDER), ticks);
    const current = evidenceUnder(cut(DEFAULT_SEQUENTIAL_PRIOR), ticks);
    stored.forEach((evidence, i) => {
      expect(evidence).toBeCloseTo(older[i] as number, 12);
    });
    // The two priors tell these ticks apart: judged with today's default they would read otherwise.
    for (let i = before; i < ticks.length; i++) {
      expect(Math.abs(Math.log((current[i] as number) / (older[i] as number)))).toBeGreaterThan(0.1);
    }
  });

  it("gives an analysis stored without a record the resuming release's default, and records it", async () => {
    // What a release from before the record left behind: neither the prior nor the horizon.
    const { h, id } = await resumed(6, (state) => {
      const { sequentialPrior: _prior, sequentialHorizonMs: _horizon, ...unrecorded } = state;
      return unrecorded;
    });
    const ticks = h.store.measurements.list(id, ANALYSIS);
    expect(analysisStage(h, id)?.state.sequentialPrior).toEqual(DEFAULT_SEQUENTIAL_PRIOR);
    expect(analysisStage(h, id)?.state.sequentialHorizonMs).toBe(DURATION);
    const current = evidenceUnder(cut(DEFAULT_SEQUENTIAL_PRIOR), ticks);
    expect(ticks.at(-1)?.data.evidence as number).toBeCloseTo(current.at(-1) as number, 12);
  });

  it("cuts each metric's late starts at the last bucket of its own interval", async () => {
    const both = [sequential(), sequential({ name: "errors-2m", intervalMs: 2 * MINUTE })];
    const fake = new ScriptedMetrics(script);
    const h = await withV1(both, fake, DURATION, [analysisExecutorWith(DEFAULT_SEQUENTIAL_PRIOR)]);
    const id = await deployV2(h);
    await h.settle(id);
    const all = h.store.measurements.list(id, ANALYSIS);
    const oneMinute = all.filter((t) => t.metric === "errors");
    const everyTwo = all.filter((t) => t.metric === "errors-2m");
    expect([oneMinute.length, everyTwo.length]).toEqual([20, 10]);
    const expectEvidence = (ticks: Measurement[], horizon: number) => {
      const want = evidenceUnder({ ...DEFAULT_SEQUENTIAL_PRIOR, horizon }, ticks);
      ticks.forEach((t, i) => {
        expect(t.data.evidence as number).toBeCloseTo(want[i] as number, 12);
      });
    };
    expectEvidence(oneMinute, 20);
    expectEvidence(everyTwo, 10);
    // The cut is visible in these ticks: the uncut law reads them otherwise.
    const uncut = evidenceUnder(DEFAULT_SEQUENTIAL_PRIOR, oneMinute);
    const stored = oneMinute.map((t) => t.data.evidence as number);
    expect(Math.abs(Math.log((stored.at(-1) as number) / (uncut.at(-1) as number)))).toBeGreaterThan(1e-3);
  });

  it("keeps the uncut law of an analysis whose prior was recorded without a horizon", async () => {
    // What the release before the cut left behind: the prior, no horizon.
    const { h, id } = await resumed(6, (state) => {
      const { sequentialHorizonMs: _horizon, ...uncutRecord } = state;
      return uncutRecord;
    });
    const ticks = h.store.measurements.list(id, ANALYSIS);
    expect(ticks).toHaveLength(20);
    expect(analysisStage(h, id)?.state.sequentialHorizonMs).toBeUndefined();
    const uncut = evidenceUnder(OLDER, ticks);
    const withCut = evidenceUnder(cut(OLDER), ticks);
    expect(ticks.at(-1)?.data.evidence as number).toBeCloseTo(uncut.at(-1) as number, 12);
    expect(Math.abs(Math.log((uncut.at(-1) as number) / (withCut.at(-1) as number)))).toBeGreaterThan(1e-3);
  });

  it("does not paper over a recorded prior that is not one: the analysis fails", async () => {
    const { h, id } = await resumed(2, (state) => ({
      ...state,
      sequentialPrior: { ...OLDER, late: 1.5 },
    }));
    expect(h.store.deployments.get(id)?.status).toBe("ROLLED_BACK");
    expect(analysisStage(h, id)?.statusReason).toMatch(/sequentialPrior is not a valid prior/);
  });

  it("does not paper over a recorded horizon that is not a duration either", async () => {
    const { h, id } = await resumed(2, (state) => ({ ...state, sequentialHorizonMs: "20m" }));
    expect(h.store.deployments.get(id)?.status).toBe("ROLLED_BACK");
    expect(analysisStage(h, id)?.statusReason).toMatch(
      /sequentialHorizonMs is not a positive duration in ms: "20m"/,
    );
  });
});
