/**
 * Where one metric of an analysis stands, computed by folding its stored ticks. Nothing else is kept
 * but the SEQUENTIAL prior the analysis started with (the stage records it on its first step): a
 * restarted analysis rebuilds exactly this from the measurements table and that prior, and continues;
 * a replay arrives at the same state from the same ticks.
 */
import type { AnalysisMetric } from "../config/types.js";
import type { SequentialPrior } from "./sequential-prior.js";
import {
  initialSequentialState,
  type SequentialState,
  type SequentialSummary,
  summarizeSequential,
  updateSequential,
} from "./sequential-test.js";
import type { TickVerdict } from "./tick-evaluators.js";

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
  /** Ticks that got an answer (errors excluded). */
  answered: number;
  failures: number;
  consecutiveErrors: number;
  lastReason: string;
  /** SEQUENTIAL only. */
  sequential: SequentialSummary | undefined;
  sequentialState: SequentialState | undefined;
}

/**
 * `prior`: the SEQUENTIAL prior the analysis started with (ignored by the other strategies). Required,
 * not defaulted: folding a resumed analysis with whatever the default is today would change the meaning
 * of the ticks it already decided on.
 */
export function foldMetric(
  metric: AnalysisMetric,
  ticks: readonly TickRecord[],
  prior: Readonly<SequentialPrior>,
): MetricProgress {
  let state =
    metric.strategy === "SEQUENTIAL"
      ? initialSequentialState({ maxRatio: metric.maxRatio, alpha: metric.alpha, prior })
      : undefined;
  const progress: MetricProgress = {
    name: metric.common.name,
    lastAt: undefined,
    answered: 0,
    failures: 0,
    consecutiveErrors: 0,
    lastReason: "",
    sequential: undefined,
    sequentialState: undefined,
  };
  for (const tick of [...ticks].sort((a, b) => a.at - b.at)) {
    progress.lastAt = tick.at;
    progress.lastReason = tick.reason;
    if (tick.verdict === "ERROR") {
      progress.consecutiveErrors += 1;
      continue;
    }
    progress.consecutiveErrors = 0;
    progress.answered += 1;
    if (state) {
      state = updateSequential(state, sequentialBucket(tick.data));
      if (tick.verdict === "FAIL") progress.failures += 1;
      continue;
    }
    if (tick.verdict === "FAIL") progress.failures += 1;
    if (tick.verdict === "NO_DATA" && !metric.common.skipOnNoData) progress.failures += 1;
  }
  if (state) {
    progress.sequentialState = state;
    progress.sequential = summarizeSequential(state);
  }
  return progress;
}

/** The counts a SEQUENTIAL tick stored; a NO_DATA tick stored zeros. */
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
