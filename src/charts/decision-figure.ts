/**
 * The few words after "failed at 14:07 — " on a chart: what the stored measurements say about why the
 * analysis ended as it did. Pure; reads the fields `src/stages/analysis-tick.ts` stores (see
 * `analysis-chart-model.ts`), ignoring any of the wrong type.
 */
import { isUnanswered } from "../analysis/tick-evaluators.js";
import type { AnalysisMetric } from "../domain/analysis-metric.js";
import type { Measurement } from "../domain/measurement.js";
import type { ChartOutcomeVerdict } from "./analysis-chart-model.js";
import { finiteNumber, formatFigure } from "./chart-format.js";

/**
 * The figure that explains an outcome, from the metric's ticks up to the decision (in time order): the
 * offending value, the medians and p-value, or the ratio and its interval; undefined when no tick has one.
 */
export function decisionFigure(
  metric: AnalysisMetric,
  ticks: readonly Measurement[],
  verdict: ChartOutcomeVerdict,
): string | undefined {
  if (verdict === "PAUSED") {
    let errors = 0;
    let bad = 0;
    for (let i = ticks.length - 1; i >= 0 && isUnanswered(ticks[i]?.verdict ?? ""); i--) {
      errors++;
      if (ticks[i]?.verdict === "DATA_ERROR") bad++;
    }
    if (errors > 0 && bad === errors)
      return `${errors} window${errors === 1 ? "" : "s"} of bad data in a row`;
    if (errors > 0) return `${errors} provider error${errors === 1 ? "" : "s"} in a row`;
  }
  const answered = ticks.filter((t) => !isUnanswered(t.verdict));
  switch (metric.strategy) {
    case "THRESHOLD": {
      const last = answered.findLast((t) => t.verdict === "FAIL") ?? answered.at(-1);
      const low = finiteNumber(last?.data.min);
      const high = finiteNumber(last?.data.max);
      if (low === undefined || high === undefined) return undefined;
      const { min, max } = metric.expected;
      if (max !== undefined && high > max) return `${formatFigure(high)} > max ${formatFigure(max)}`;
      if (min !== undefined && low < min) return `${formatFigure(low)} < min ${formatFigure(min)}`;
      return `last window ${low === high ? formatFigure(low) : `${formatFigure(low)}–${formatFigure(high)}`}`;
    }
    case "CANARY_BASELINE":
    case "CANARY_PRIMARY":
    case "PREVIOUS": {
      const last =
        answered.findLast((t) => t.verdict === "FAIL") ??
        answered.findLast((t) => finiteNumber(t.data.pValue) !== undefined);
      const canary = finiteNumber(last?.data.canaryMedian);
      const control = finiteNumber(last?.data.controlMedian);
      const p = finiteNumber(last?.data.pValue);
      if (canary === undefined || control === undefined || p === undefined) return undefined;
      const name = metric.strategy === "PREVIOUS" ? "previous" : metric.strategy.slice(7).toLowerCase();
      return `canary ${formatFigure(canary)} vs ${name} ${formatFigure(control)}, ${p < 0.001 ? "p < 0.001" : `p = ${formatFigure(p)}`}`;
    }
    case "SEQUENTIAL": {
      const last = answered.at(-1);
      if (!last) return undefined;
      const estimate = finiteNumber(last.data.estimate);
      const range = Array.isArray(last.data.interval) ? (last.data.interval as unknown[]) : [];
      const low = finiteNumber(range[0]);
      const high = finiteNumber(range[1]);
      const ratio =
        estimate === undefined
          ? "no errors to compare yet"
          : `ratio ${formatFigure(estimate)} (${low === undefined ? "?" : formatFigure(low)}–${high === undefined ? "∞" : formatFigure(high)})`;
      const detectable = finiteNumber(last.data.minDetectableRatio);
      if (verdict !== "INCONCLUSIVE") return ratio;
      return `${ratio}, ${detectable === undefined ? "too little traffic" : `could detect only ≥ ${formatFigure(detectable)}×`}`;
    }
  }
}
