/**
 * The reply that explains an analysis: per metric, the figures that decided (counts and error rates,
 * ratio estimate and interval, evidence against its bar; values against bounds; medians and p-values),
 * which metrics were dry runs, and why the stage ended as it did. Built from the stored ticks only, so
 * the reply after a restart is the one the live analysis would have posted.
 */
import type { KnownBlock } from "@slack/types";
import { isUnanswered } from "../analysis/tick-evaluators.js";
import type { AnalysisMetric, SequentialMetric, ThresholdMetric } from "../domain/analysis-metric.js";
import type { Stage } from "../domain/deployment.js";
import type { Measurement } from "../domain/measurement.js";
import { BLOCK_LIMITS, capBlocks, context, fallback, type MessagePayload, section } from "./block-kit.js";
import { type DeploymentSnapshot, metricTicks } from "./deployment-snapshot.js";
import { escapeMrkdwn, formatCount, formatFigure, formatPercent, reasonText, userText } from "./mrkdwn.js";
import { VERDICT_EMOJI } from "./stage-format.js";

/** Blocks besides the metrics: the headline and the closing context. */
const MAX_METRICS = BLOCK_LIMITS.messageBlocks - 3;

export function analysisReply(snapshot: DeploymentSnapshot, stageIndex: number): MessagePayload {
  const d = snapshot.deployment;
  const found = snapshot.stages.find((s) => s.index === stageIndex);
  if (found?.kind !== "ANALYSIS") {
    const text = `${escapeMrkdwn(d.app)} ${d.version} has no analysis stage #${stageIndex}.`;
    return { text, blocks: [section(text)] };
  }
  const stage = found as Stage<"ANALYSIS">;
  const outcome = outcomeOf(stage);
  const why = stage.statusReason ? `: ${reasonText(stage.statusReason, 1500)}` : "";
  const headline = `📊 *Analysis of ${escapeMrkdwn(d.app)} ${d.version}* ${outcome}${why}`;

  const metrics = stage.options.metrics;
  const blocks: KnownBlock[] = [section(headline)];
  for (const metric of metrics.slice(0, MAX_METRICS)) {
    blocks.push(section(metricText(metric, metricTicks(snapshot, stage.index, metric.common.name))));
  }
  const notes: string[] = [];
  if (metrics.length > MAX_METRICS) notes.push(`… and ${metrics.length - MAX_METRICS} more metrics`);
  if (metrics.some((m) => m.common.dryRun)) notes.push("_dry run_ metrics are measured but never decide");
  if (notes.length > 0) blocks.push(context(...notes));

  const text = `📊 Analysis of ${escapeMrkdwn(d.app)} ${d.version} ${outcome}${why}`;
  return { text: fallback(text), blocks: capBlocks(blocks, BLOCK_LIMITS.messageBlocks) };
}

function outcomeOf(stage: Stage): string {
  switch (stage.status) {
    case "SUCCESS":
      return "✅ passed";
    case "FAILURE":
      return "❌ failed";
    case "RUNNING":
      return "⏳ in progress";
    case "SKIPPED":
      return "⏭️ skipped";
    case "CANCELLED":
      return "✖️ cancelled";
    case "NOT_STARTED":
      return "▫️ not started";
  }
}

function metricText(metric: AnalysisMetric, ticks: Measurement[]): string {
  const title = `*${userText(metric.common.name, 100)}* · ${strategyName(metric)}${metric.common.dryRun ? " · _dry run_" : ""}`;
  const answered = ticks.filter((t) => !isUnanswered(t.verdict));
  if (ticks.length === 0) return `${title}\nno checks yet`;
  const lines = [title, figures(metric, answered), tally(metric, ticks)];
  const last = ticks[ticks.length - 1] as Measurement;
  if (typeof last.data.reason === "string" && last.data.reason)
    lines.push(`last: ${VERDICT_EMOJI[last.verdict] ?? ""} ${reasonText(last.data.reason, 400)}`);
  return lines.filter((l) => l.length > 0).join("\n");
}

function strategyName(metric: AnalysisMetric): string {
  switch (metric.strategy) {
    case "SEQUENTIAL":
      return `sequential vs ${metric.control.toLowerCase()}`;
    case "THRESHOLD":
      return "threshold";
    case "CANARY_BASELINE":
      return "canary vs baseline (Mann-Whitney)";
    case "CANARY_PRIMARY":
      return "canary vs primary (Mann-Whitney)";
    case "PREVIOUS":
      return "vs previous release (Mann-Whitney)";
  }
}

function figures(metric: AnalysisMetric, answered: Measurement[]): string {
  if (answered.length === 0) return "no answer from the metrics provider yet";
  switch (metric.strategy) {
    case "SEQUENTIAL":
      return sequentialFigures(metric, answered);
    case "THRESHOLD":
      return thresholdFigures(metric, answered);
    default:
      return comparisonFigures(
        answered,
        metric.strategy === "CANARY_BASELINE"
          ? "baseline"
          : metric.strategy === "CANARY_PRIMARY"
            ? "primary"
            : "previous",
      );
  }
}

/**
 * `canary 52/10 000 errors (0.52%) vs primary 18/90 000 (0.02%) · ratio 4.9 (3.1–7.7) · evidence 412 ≥ 100`:
 * counts summed over every tick, estimate / interval / evidence as of the last one (they are cumulative).
 */
export function sequentialFigures(metric: SequentialMetric, answered: Measurement[]): string {
  const sum = (key: string): number =>
    answered.reduce((n, t) => n + (typeof t.data[key] === "number" ? (t.data[key] as number) : 0), 0);
  const ce = sum("canaryErrors");
  const ct = sum("canaryTotal");
  const pe = sum("controlErrors");
  const pt = sum("controlTotal");
  const control = metric.control === "BASELINE" ? "baseline" : "primary";
  const last = (answered[answered.length - 1] as Measurement).data;
  const parts = [
    `canary ${formatCount(ce)}/${formatCount(ct)} errors (${formatPercent(ce, ct)}) vs ${control} ${formatCount(pe)}/${formatCount(pt)} (${formatPercent(pe, pt)})`,
  ];
  const estimate = numberOrNull(last.estimate);
  const interval = Array.isArray(last.interval) ? last.interval.map(numberOrNull) : [];
  // JSON stores an unbounded estimate as null: only-canary errors mean "infinitely worse".
  const shownEstimate = estimate ?? (ce > 0 && pe === 0 ? Number.POSITIVE_INFINITY : null);
  if (shownEstimate !== null) {
    const range =
      interval.length === 2
        ? ` (${formatFigure(interval[0] ?? 0)}–${formatFigure(interval[1] ?? Number.POSITIVE_INFINITY)})`
        : "";
    parts.push(`ratio ${formatFigure(shownEstimate)}${range}`);
  } else {
    parts.push("ratio n/a (no errors yet)");
  }
  const threshold = 1 / metric.alpha;
  const evidence = numberOrNull(last.evidence) ?? Number.POSITIVE_INFINITY;
  parts.push(
    `evidence ${formatFigure(evidence)} ${evidence >= threshold ? "≥" : "<"} ${formatFigure(threshold)}`,
  );
  const mdr = numberOrNull(last.minDetectableRatio);
  const tail = [`max ratio ${formatFigure(metric.maxRatio)}`];
  if (mdr !== null && evidence < threshold)
    tail.push(`smallest detectable ratio so far ${formatFigure(mdr)}`);
  return `${parts.join(" · ")}\n${tail.join(" · ")}`;
}

/** `highest 1.7 > max 1.5 ❌ · lowest 0.2 ≥ min 0`: the extremes over every tick against the bounds. */
export function thresholdFigures(metric: ThresholdMetric, answered: Measurement[]): string {
  const highs = answered.map((t) => numberOrNull(t.data.max)).filter((v): v is number => v !== null);
  const lows = answered.map((t) => numberOrNull(t.data.min)).filter((v): v is number => v !== null);
  const { min, max } = metric.expected;
  const parts: string[] = [];
  if (highs.length === 0) return "no data points";
  const high = Math.max(...highs);
  const low = Math.min(...lows);
  if (max !== undefined)
    parts.push(
      `highest ${formatFigure(high)} ${high > max ? "> max" : "≤ max"} ${formatFigure(max)}${high > max ? " ❌" : ""}`,
    );
  if (min !== undefined)
    parts.push(
      `lowest ${formatFigure(low)} ${low < min ? "< min" : "≥ min"} ${formatFigure(min)}${low < min ? " ❌" : ""}`,
    );
  if (parts.length === 0) parts.push(`values ${formatFigure(low)}–${formatFigure(high)} (no bounds set)`);
  return parts.join(" · ");
}

/** `canary median 210 vs baseline median 190 · p = 0.031 (exact)`, from the last answered tick. */
export function comparisonFigures(answered: Measurement[], control: string): string {
  const withTest = answered.filter((t) => typeof t.data.pValue === "number");
  const last = withTest[withTest.length - 1];
  if (!last) return "nothing compared yet";
  const d = last.data;
  const method = typeof d.method === "string" ? ` (${escapeMrkdwn(d.method)})` : "";
  return `canary median ${formatFigure(numberOrNull(d.canaryMedian))} vs ${control} median ${formatFigure(numberOrNull(d.controlMedian))} · p = ${formatFigure(numberOrNull(d.pValue))}${method}`;
}

function tally(metric: AnalysisMetric, ticks: Measurement[]): string {
  const count = (v: string): number => ticks.filter((t) => t.verdict === v).length;
  const parts = [
    `${ticks.length} check${ticks.length === 1 ? "" : "s"}: ${count("PASS")} ✅ ${count("FAIL")} ❌`,
  ];
  if (count("NO_DATA") > 0)
    // Only THRESHOLD skips them (PipeCD's skipOnNoData); elsewhere they count toward noDataLimit / noDataShare.
    parts.push(
      `${count("NO_DATA")} without data${metric.strategy === "THRESHOLD" && metric.common.skipOnNoData ? " (skipped)" : ""}`,
    );
  if (count("ERROR") > 0) parts.push(`${count("ERROR")} provider error${count("ERROR") === 1 ? "" : "s"}`);
  if (count("DATA_ERROR") > 0) parts.push(`${count("DATA_ERROR")} with bad data (not used)`);
  if (metric.strategy !== "SEQUENTIAL") parts.push(`failure limit ${metric.common.failureLimit}`);
  return parts.join(" · ");
}

function numberOrNull(value: unknown): number | null {
  return typeof value === "number" && !Number.isNaN(value) ? value : null;
}
