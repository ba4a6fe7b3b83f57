/**
 * How a metric's chart marks the end of its analysis stage: passed, failed, paused for people, or
 * stopped — the stage failed on another metric while this one had not failed, so its chart must not say
 * "failed". Pure.
 */
import type { AnalysisMetric } from "../domain/analysis-metric.js";
import type { Stage } from "../domain/deployment.js";
import type { Measurement } from "../domain/measurement.js";
import type { ChartOutcomeVerdict } from "./analysis-chart-model.js";

export function chartOutcome(
  stage: Stage,
  deploymentStatus: string,
  metric: AnalysisMetric,
  measurements: readonly Measurement[],
): { verdict: ChartOutcomeVerdict; at: number; reason: string } | undefined {
  if (stage.status === "SUCCESS" || stage.status === "FAILURE") {
    const at = stage.finishedAt ?? 0;
    // A failed stage stops every metric, but only the ones that failed say "failed": a guardrail that
    // passed every check while another metric failed was stopped, and its chart says so.
    const verdict =
      stage.status === "SUCCESS" ? "PASS" : failedOnItsOwn(metric, measurements, at) ? "FAIL" : "STOPPED";
    return { verdict, at, reason: stage.statusReason };
  }
  if (stage.status === "RUNNING" && deploymentStatus === "WAITING_APPROVAL") {
    return { verdict: "PAUSED", at: stage.startedAt ?? 0, reason: stage.statusReason };
  }
  return undefined;
}

/** Whether this metric's own ticks failed it: a SEQUENTIAL FAIL, or more FAIL ticks than `failureLimit`. */
function failedOnItsOwn(metric: AnalysisMetric, measurements: readonly Measurement[], at: number): boolean {
  const failures = measurements.filter((m) => m.at <= at && m.verdict === "FAIL").length;
  return metric.strategy === "SEQUENTIAL" ? failures > 0 : failures > metric.common.failureLimit;
}
