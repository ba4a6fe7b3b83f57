/**
 * What an ANALYSIS stage does next, given every metric's progress. Pure.
 *
 * - Any deciding metric failed → FAIL (the stage fails and the deployment rolls back).
 * - A deciding metric's provider failed, or answered with impossible data (DATA_ERROR),
 *   `consecutiveErrorLimit` times in a row → ASK: the analysis pauses and asks people (Approve / Roll
 *   back) instead of rolling back a healthy release or promoting a sick one because Datadog had a bad
 *   minute. Such ticks never pass or fail.
 * - No data (SEQUENTIAL and the comparison strategies; THRESHOLD keeps PipeCD's rule, see
 *   metric-progress.ts) → ASK when a metric had no data for `noDataLimit` ticks in a row, or when more
 *   than `noDataShare` percent of its ticks so far had no usable data (NO_DATA or DATA_ERROR). The
 *   share is judged once at least `noDataLimit` ticks lacked data — one gap in the first minute is not
 *   yet a share — and always at the end, where an analysis over it is INCONCLUSIVE: it did not see
 *   the time it would vouch for. Being a function of the ticks so far, a no-data pause lifts itself when
 *   data comes back during the duration: once the run has ended and the share is back within the
 *   limit. After the end nothing more is measured for it and only people decide.
 * - Every deciding metric passed (SEQUENTIAL with `earlyPass` can pass before the end) → PASS.
 * - At `duration`: PASS, unless a SEQUENTIAL metric saw too little traffic to decide (INCONCLUSIVE:
 *   it could not have detected even a `INCONCLUSIVE_FACTOR`× increase) → ASK.
 * `dryRun` metrics are measured and shown but never decide.
 */
import type { AnalysisMetric } from "../domain/analysis-metric.js";
import { hasFailed, hasNoDataRule, type MetricProgress } from "./metric-progress.js";
import { formatNumber } from "./tick-evaluators.js";

/** Too little traffic: the smallest ratio the test could have flagged exceeds this × maxRatio. */
export const INCONCLUSIVE_FACTOR = 3;

/** Defaults of the ANALYSIS stage's `noDataLimit` and `noDataShare` (percent). */
export const DEFAULT_NO_DATA_LIMIT = 3;
export const DEFAULT_NO_DATA_SHARE = 25;

/** When an analysis stops trusting what it (does not) see. */
export interface DecisionLimits {
  /** ERROR or DATA_ERROR ticks in a row that pause the analysis. */
  consecutiveErrorLimit: number;
  /** NO_DATA ticks in a row that pause it. */
  noDataLimit: number;
  /** Largest share of ticks without usable data, in percent (0–100). */
  noDataShare: number;
}

export type MetricVerdict = "RUNNING" | "PASS" | "FAIL" | "INCONCLUSIVE";

export type AnalysisDecision =
  | { kind: "continue" }
  | { kind: "pass"; reason: string }
  | { kind: "fail"; reason: string }
  | { kind: "ask"; reason: string };

export interface MetricStanding {
  metric: AnalysisMetric;
  progress: MetricProgress;
}

export function metricVerdict(
  metric: AnalysisMetric,
  progress: MetricProgress,
  finished: boolean,
): MetricVerdict {
  if (hasFailed(metric, progress)) return "FAIL";
  if (metric.strategy === "SEQUENTIAL") {
    const summary = progress.sequential;
    if (metric.earlyPass && summary?.canPassEarly) return "PASS";
    if (!finished) return "RUNNING";
    if (!summary || summary.minDetectableRatio > INCONCLUSIVE_FACTOR * metric.maxRatio) return "INCONCLUSIVE";
    return "PASS";
  }
  if (!finished) return "RUNNING";
  return progress.answered > 0 ? "PASS" : "INCONCLUSIVE";
}

export function decideAnalysis(
  standings: readonly MetricStanding[],
  finished: boolean,
  limits: DecisionLimits,
): AnalysisDecision {
  const { consecutiveErrorLimit } = limits;
  const deciding = standings.filter((s) => !s.metric.common.dryRun);
  // Only dry-run metrics: nothing decides, but they are measured for the whole duration.
  if (deciding.length === 0)
    return finished ? { kind: "pass", reason: "dry run only: measured, not judged" } : { kind: "continue" };
  const failed = deciding.filter((s) => hasFailed(s.metric, s.progress));
  if (failed.length > 0) {
    return {
      kind: "fail",
      reason: failed.map((s) => `${s.progress.name}: ${s.progress.lastReason}`).join("; "),
    };
  }
  const erroring = deciding.filter((s) => s.progress.consecutiveErrors >= consecutiveErrorLimit);
  if (erroring.length > 0) {
    return {
      kind: "ask",
      reason: erroring.map(errorReason).join("; "),
    };
  }
  const missing = deciding.flatMap((s) => noDataReason(s, limits, finished) ?? []);
  if (missing.length > 0) return { kind: "ask", reason: missing.join("; ") };
  const verdicts = deciding.map((s) => ({ s, verdict: metricVerdict(s.metric, s.progress, finished) }));
  const inconclusive = verdicts.filter((v) => v.verdict === "INCONCLUSIVE");
  if (inconclusive.length > 0) {
    return { kind: "ask", reason: inconclusive.map((v) => inconclusiveReason(v.s)).join("; ") };
  }
  if (verdicts.every((v) => v.verdict === "PASS")) {
    return {
      kind: "pass",
      reason: verdicts.map((v) => passReason(v.s)).join("; "),
    };
  }
  return { kind: "continue" };
}

function errorReason({ progress }: MetricStanding): string {
  const { name, consecutiveErrors, lastReason } = progress;
  return progress.lastVerdict === "DATA_ERROR"
    ? `${name}: ${consecutiveErrors} checks in a row without a usable answer (${lastReason})`
    : `${name}: the metrics provider failed ${consecutiveErrors} times in a row (${lastReason})`;
}

/** Why a metric's missing data asks people (see the module comment), or undefined. */
export function noDataReason(
  { metric, progress }: MetricStanding,
  limits: DecisionLimits,
  finished: boolean,
): string | undefined {
  if (!hasNoDataRule(metric)) return undefined;
  const { name, consecutiveNoData, withoutData, ticks } = progress;
  if (consecutiveNoData >= limits.noDataLimit) {
    return `${name}: no data for ${consecutiveNoData} checks in a row (${progress.lastReason})`;
  }
  const judged = finished || withoutData >= limits.noDataLimit;
  if (judged && withoutData * 100 > limits.noDataShare * ticks) {
    return `${name}: ${withoutData} of ${ticks} checks without usable data, more than the ${limits.noDataShare}% allowed`;
  }
  return undefined;
}

function inconclusiveReason({ metric, progress }: MetricStanding): string {
  if (metric.strategy !== "SEQUENTIAL") return `${progress.name}: no query succeeded`;
  const smallest = progress.sequential?.minDetectableRatio ?? Number.POSITIVE_INFINITY;
  return `${progress.name}: too little traffic to decide — only a ${Number.isFinite(smallest) ? `${formatNumber(smallest)}×` : "huge"} increase in errors could have been detected`;
}

function passReason({ metric, progress }: MetricStanding): string {
  if (metric.strategy === "SEQUENTIAL" && progress.sequential) {
    const [low, high] = progress.sequential.interval;
    const estimate = progress.sequential.estimate;
    return `${progress.name}: error ratio ${estimate === undefined ? "n/a" : formatNumber(estimate)} (${formatNumber(low)}–${formatNumber(high)})`;
  }
  return `${progress.name}: ${progress.answered} checks, ${progress.failures} failed`;
}
