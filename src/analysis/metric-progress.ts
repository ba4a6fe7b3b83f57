/**
 * Where one metric of an analysis stands, computed by folding its stored ticks. Nothing else is stored
 * but the SEQUENTIAL prior the analysis started with (the stage records it on its first step): a
 * restarted analysis rebuilds exactly this from the measurements table and that prior, and continues;
 * a replay arrives at the same state from the same ticks. `advanceProgress` folds one tick more.
 *
 * What a tick without data counts as (DESIGN §5, "no data never passes"):
 * - THRESHOLD keeps PipeCD's rule: a NO_DATA tick is a failure unless `skipOnNoData`, then skipped.
 * - SEQUENTIAL and the comparison strategies (`hasNoDataRule`): a NO_DATA tick (the canary or the
 *   control had nothing) is never an answer. It counts toward the no-data limits (`consecutiveNoData`,
 *   `withoutData`, judged by `decideAnalysis`), and a SEQUENTIAL one is not folded into the test: a
 *   missing bucket is not a bucket of zeros. A comparison's NO_DATA also stays a PipeCD failure unless
 *   `skipOnNoData` — the stricter of the two rules wins.
 * - ERROR and DATA_ERROR ticks are never answers either; both count in `consecutiveErrors`, and a
 *   DATA_ERROR of a metric with the no-data rule also counts as a tick without data (its data was
 *   thrown away).
 */
import type { AnalysisMetric } from "../domain/analysis-metric.js";
import type { SequentialPrior } from "./sequential-prior.js";
import {
  initialSequentialState,
  type SequentialState,
  type SequentialSummary,
  summarizeSequential,
  updateSequential,
} from "./sequential-test.js";
import { isUnanswered, type TickVerdict } from "./tick-evaluators.js";

/** A stored tick, as the executor records it. */
export interface TickRecord {
  at: number;
  verdict: TickVerdict;
  reason: string;
  data: Record<string, unknown>;
}

export interface MetricProgress {
  name: string;
  /** End of the last recorded tick window (ms), undefined before the first. */
  lastAt: number | undefined;
  /** Every tick folded, whatever its verdict. */
  ticks: number;
  /** Ticks that got an answer (errors, data errors and, except for THRESHOLD, no-data ticks excluded). */
  answered: number;
  failures: number;
  /** ERROR and DATA_ERROR ticks in a row. */
  consecutiveErrors: number;
  /**
   * With the no-data rule only: NO_DATA ticks in a row. An answered tick ends the run; ERROR and
   * DATA_ERROR ticks neither end nor extend it (they have their own count).
   */
  consecutiveNoData: number;
  /** With the no-data rule only: ticks without usable data (NO_DATA and DATA_ERROR). */
  withoutData: number;
  lastVerdict: TickVerdict | undefined;
  lastReason: string;
  /** SEQUENTIAL only. */
  sequential: SequentialSummary | undefined;
  sequentialState: SequentialState | undefined;
}

/**
 * Where a metric stands before its first tick. `prior`: the SEQUENTIAL prior the analysis started with
 * (ignored by the other strategies). Required, not defaulted: folding a resumed analysis with whatever
 * the default is today would change the meaning of the ticks it already decided on.
 */
export function startProgress(metric: AnalysisMetric, prior: Readonly<SequentialPrior>): MetricProgress {
  return {
    name: metric.common.name,
    lastAt: undefined,
    ticks: 0,
    answered: 0,
    failures: 0,
    consecutiveErrors: 0,
    consecutiveNoData: 0,
    withoutData: 0,
    lastVerdict: undefined,
    lastReason: "",
    sequential: undefined,
    sequentialState:
      metric.strategy === "SEQUENTIAL"
        ? initialSequentialState({ maxRatio: metric.maxRatio, alpha: metric.alpha, prior })
        : undefined,
  };
}

/** A SEQUENTIAL state with one tick's bucket folded in, and its summary. */
export interface SequentialFold {
  state: SequentialState;
  summary: SequentialSummary;
}

/**
 * `progress` with one more tick, later than every tick folded into it; `progress` is not modified.
 * O(1) in the ticks before it (one SEQUENTIAL update and summary), which is what lets the stage
 * advance a long analysis tick by tick instead of refolding everything it stored. `folded`: the
 * SEQUENTIAL update the tick itself computed from `progress` and the tick's bucket (the summary is
 * the costly part of a tick), used instead of computing it again.
 */
export function advanceProgress(
  metric: AnalysisMetric,
  progress: MetricProgress,
  tick: TickRecord,
  folded?: SequentialFold,
): MetricProgress {
  const next: MetricProgress = {
    ...progress,
    lastAt: tick.at,
    lastReason: tick.reason,
    lastVerdict: tick.verdict,
    ticks: progress.ticks + 1,
  };
  const noDataRule = hasNoDataRule(metric);
  if (isUnanswered(tick.verdict)) {
    next.consecutiveErrors += 1;
    if (tick.verdict === "DATA_ERROR" && noDataRule) next.withoutData += 1;
    return next;
  }
  next.consecutiveErrors = 0;
  if (tick.verdict === "NO_DATA") {
    if (noDataRule) {
      next.consecutiveNoData += 1;
      next.withoutData += 1;
    } else {
      next.answered += 1;
    }
    if (metric.strategy !== "SEQUENTIAL" && !metric.common.skipOnNoData) next.failures += 1;
    return next;
  }
  next.consecutiveNoData = 0;
  next.answered += 1;
  if (tick.verdict === "FAIL") next.failures += 1;
  if (next.sequentialState) {
    if (folded) {
      next.sequentialState = folded.state;
      next.sequential = folded.summary;
    } else {
      next.sequentialState = updateSequential(next.sequentialState, sequentialBucket(tick.data));
      next.sequential = summarizeSequential(next.sequentialState);
    }
  }
  return next;
}

/** SEQUENTIAL and the comparison strategies: see the module comment. THRESHOLD keeps PipeCD's rule. */
export function hasNoDataRule(metric: AnalysisMetric): boolean {
  return metric.strategy !== "THRESHOLD";
}

/** Every tick folded in time order: what a restarted analysis or a replay rebuilds from storage. */
export function foldMetric(
  metric: AnalysisMetric,
  ticks: readonly TickRecord[],
  prior: Readonly<SequentialPrior>,
): MetricProgress {
  let progress = startProgress(metric, prior);
  for (const tick of [...ticks].sort((a, b) => a.at - b.at))
    progress = advanceProgress(metric, progress, tick);
  // A SEQUENTIAL metric without an answered tick still has a summary (of the empty state).
  if (progress.sequentialState && !progress.sequential) {
    progress = { ...progress, sequential: summarizeSequential(progress.sequentialState) };
  }
  return progress;
}

/** The counts an answered SEQUENTIAL tick stored (NO_DATA and DATA_ERROR ticks are never folded). */
export function sequentialBucket(data: Record<string, unknown>) {
  const count = (key: string): number => (typeof data[key] === "number" ? (data[key] as number) : 0);
  return {
    canaryErrors: count("canaryErrors"),
    canaryTotal: count("canaryTotal"),
    controlErrors: count("controlErrors"),
    controlTotal: count("controlTotal"),
  };
}

/** Whether the metric has failed: more failures than its `failureLimit` (SEQUENTIAL: evidence reached 1/α). */
export function hasFailed(metric: AnalysisMetric, progress: MetricProgress): boolean {
  if (metric.strategy === "SEQUENTIAL") return progress.sequential?.decision === "FAIL";
  return progress.failures > metric.common.failureLimit;
}
