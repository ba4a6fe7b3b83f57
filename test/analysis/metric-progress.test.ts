/**
 * foldMetric and advanceProgress: the stage advances a metric one tick at a time and a restarted
 * analysis refolds everything it stored; both must arrive at the same progress, and folding must not
 * depend on the order ticks come back from storage.
 */
import { describe, expect, it } from "vitest";
import {
  advanceProgress,
  foldMetric,
  type MetricProgress,
  startProgress,
  type TickRecord,
} from "../../src/analysis/metric-progress.js";
import { DEFAULT_SEQUENTIAL_PRIOR } from "../../src/analysis/sequential-prior.js";
import type { TickVerdict } from "../../src/analysis/tick-evaluators.js";
import type { AnalysisMetric } from "../../src/domain/analysis-metric.js";
import { metricCommon, sequentialMetric } from "../fixtures/metric-common.js";

const MINUTE = 60_000;

const sequential = sequentialMetric("errors");

const threshold = (skipOnNoData: boolean): AnalysisMetric => ({
  strategy: "THRESHOLD",
  common: metricCommon("latency", { skipOnNoData }),
  query: "avg:latency{*}",
  expected: { max: 1 },
});

function tick(i: number, verdict: TickVerdict, canaryErrors = 0): TickRecord {
  return {
    at: (i + 1) * MINUTE,
    verdict,
    reason: `tick ${i + 1}`,
    data:
      verdict === "ERROR" ? {} : { canaryErrors, canaryTotal: 600, controlErrors: 11, controlTotal: 5400 },
  };
}

// A healthy stretch, a provider error, then the canary turning bad: every branch of the fold.
const story: TickRecord[] = [
  tick(0, "PASS", 1),
  tick(1, "PASS", 2),
  tick(2, "NO_DATA"),
  tick(3, "ERROR"),
  tick(4, "ERROR"),
  tick(5, "PASS", 1),
  tick(6, "PASS", 14),
  tick(7, "FAIL", 15),
];

function stepwise(metric: AnalysisMetric, ticks: readonly TickRecord[]): MetricProgress[] {
  const seen: MetricProgress[] = [];
  let progress = startProgress(metric, DEFAULT_SEQUENTIAL_PRIOR);
  for (const t of ticks) {
    progress = advanceProgress(metric, progress, t);
    seen.push(progress);
  }
  return seen;
}

describe("advanceProgress", () => {
  it("arrives, tick by tick, at what foldMetric computes from every stored tick", () => {
    const seen = stepwise(sequential, story);
    seen.forEach((progress, i) => {
      expect(progress).toEqual(foldMetric(sequential, story.slice(0, i + 1), DEFAULT_SEQUENTIAL_PRIOR));
    });
    const last = seen.at(-1);
    expect(last?.sequential?.decision).toBe("FAIL");
    // The NO_DATA tick is not a bucket of zeros: it is never folded into the test.
    expect(last?.sequentialState?.buckets).toBe(5);
  });

  it("keeps the update a SEQUENTIAL tick computed instead of computing it again", () => {
    const before = foldMetric(sequential, story.slice(0, 6), DEFAULT_SEQUENTIAL_PRIOR);
    const own = foldMetric(sequential, story.slice(0, 7), DEFAULT_SEQUENTIAL_PRIOR);
    if (!own.sequentialState || !own.sequential) throw new Error("no SEQUENTIAL state");
    const folded = { state: own.sequentialState, summary: own.sequential };
    const after = advanceProgress(sequential, before, story[6] as TickRecord, folded);
    expect(after.sequentialState).toBe(folded.state);
    expect(after.sequential).toBe(folded.summary);
    expect(after).toEqual(own);
  });

  it("leaves the progress it was given as it was", () => {
    const before = foldMetric(sequential, story.slice(0, 2), DEFAULT_SEQUENTIAL_PRIOR);
    const copy = structuredClone(before);
    advanceProgress(sequential, before, story[2] as TickRecord);
    advanceProgress(sequential, before, story[6] as TickRecord);
    expect(before).toEqual(copy);
  });

  it("counts errors in a row, answered ticks and failures as the strategies define them", () => {
    const afterErrors = stepwise(sequential, story)[4];
    expect(afterErrors).toMatchObject({
      ticks: 5,
      consecutiveErrors: 2,
      // ERROR ticks neither end nor extend a run of NO_DATA ticks.
      consecutiveNoData: 1,
      withoutData: 1,
      answered: 2,
      failures: 0,
      lastReason: "tick 5",
      lastVerdict: "ERROR",
    });
    expect(stepwise(sequential, story).at(-1)).toMatchObject({
      ticks: 8,
      consecutiveErrors: 0,
      consecutiveNoData: 0,
      withoutData: 1,
      answered: 5,
      failures: 1,
    });
    // THRESHOLD keeps PipeCD's rule: NO_DATA is an answer, and a failure unless skipOnNoData.
    expect(stepwise(threshold(false), story).at(-1)).toMatchObject({
      failures: 2,
      answered: 6,
      withoutData: 0,
      consecutiveNoData: 0,
    });
    expect(stepwise(threshold(true), story).at(-1)?.failures).toBe(1);
  });
});

describe("foldMetric", () => {
  it("folds in time order whatever order the ticks come in", () => {
    const shuffled = [
      story[5],
      story[0],
      story[7],
      story[3],
      story[1],
      story[6],
      story[2],
      story[4],
    ] as TickRecord[];
    expect(foldMetric(sequential, shuffled, DEFAULT_SEQUENTIAL_PRIOR)).toEqual(
      foldMetric(sequential, story, DEFAULT_SEQUENTIAL_PRIOR),
    );
  });

  it("gives a SEQUENTIAL metric without ticks the summary of an empty state", () => {
    const progress = foldMetric(sequential, [], DEFAULT_SEQUENTIAL_PRIOR);
    expect(progress.lastAt).toBeUndefined();
    expect(progress.sequential).toMatchObject({
      decision: "CONTINUE",
      buckets: 0,
      minDetectableRatio: Infinity,
    });
  });
});
