/**
 * What an ANALYSIS stage does next, given every metric's progress. Pure.
 *
 * - Any deciding metric failed → FAIL (the stage fails and the deployment rolls back).
 * - A deciding metric's provider failed `consecutiveErrorLimit` times in a row → ASK: the analysis pauses
 *   and asks people (Approve / Roll back) instead of rolling back a healthy release or promoting a sick
 *   one because Datadog had a bad minute. Provider errors never pass or fail a tick.
 * - Every deciding metric passed (SEQUENTIAL with `earlyPass` can pass before the end) → PASS.
 * - At `duration`: PASS, unless a SEQUENTIAL metric saw too little traffic to decide (INCONCLUSIVE:
 *   it could not have detected even a `INCONCLUSIVE_FACTOR`× increase) → ASK.
 * `dryRun` metrics are measured and shown but never decide.
 */
import type { AnalysisMetric } from "../config/types.js";
import { hasFailed, type MetricProgress } from "./metric-progress.js";
import { formatNumber } from "./tick-evaluators.js";

/** Too little traffic: the smallest ratio the test could have flagged exceeds this × maxRatio. */
export const INCONCLUSIVE_FACTOR = 3;

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
  consecutiveErrorLimit: number,
): AnalysisDecision {
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
      reason: erroring
        .map(
          (s) =>
            `${s.progress.name}: the metrics provider failed ${s.progress.consecutiveErrors} times in a row (${s.progress.lastReason})`,
        )
        .join("; "),
    };
  }
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
