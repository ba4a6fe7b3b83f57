/**
 * What to draw for one metric of an ANALYSIS stage, from its stored measurements. Pure: no clock, no
 * store, no Slack; the caller hands the data in and uploads what `render-chart.ts` makes of the model.
 *
 * What each strategy stores per tick (`src/stages/analysis-tick.ts`, `src/analysis/tick-evaluators.ts`):
 * - THRESHOLD: `points` (the window's values, in time order), `min`, `max`, `expected`.
 * - CANARY_BASELINE / CANARY_PRIMARY / PREVIOUS: `canary`, `control` (values), `canaryMedian`,
 *   `controlMedian`, `pValue`; PREVIOUS without a previous release stores only `points`.
 * - SEQUENTIAL: the bucket's `canaryErrors`, `canaryTotal`, `controlErrors`, `controlTotal`, and after
 *   it the running `estimate`, `interval` [lo, hi] (hi null = unbounded), `evidence`, `minDetectableRatio`.
 * - ERROR ticks store only `error`; DATA_ERROR ticks `error`, `query` and the window (their figures are
 *   never drawn: they are impossible); NO_DATA ticks whatever was there (possibly nothing).
 * Every tick also carries `reason`. Values are read defensively: a field of the wrong type is absent.
 *
 * Conventions of the model: x is milliseconds since the analysis start; a window's summary (median,
 * rate, ratio) sits at the window's end, when it was measured; a window's individual values are not
 * stored with timestamps, so they are spread evenly across the window (the provider returns them in
 * time order). A null y breaks a line: ERROR, DATA_ERROR and NO_DATA windows are gaps plus a shaded `ChartGap`,
 * never zeros.
 */
import { median } from "../analysis/median.js";
import { isUnanswered } from "../analysis/tick-evaluators.js";
import type { AnalysisMetric } from "../domain/analysis-metric.js";
import type { Measurement } from "../domain/measurement.js";
import { clockTime, finiteNumber, finiteNumbers, formatFigure, formatInterval } from "./chart-format.js";
import { decisionFigure } from "./decision-figure.js";

/** STOPPED: the stage failed on another metric while this one had not failed. */
export type ChartOutcomeVerdict = "PASS" | "FAIL" | "INCONCLUSIVE" | "PAUSED" | "STOPPED";

export interface AnalysisChartInput {
  app: string;
  version: string;
  /** How the thread names the stage, e.g. "ANALYSIS 2/3" or the PipeCD `desc`. */
  stageLabel: string;
  metric: AnalysisMetric;
  /** This metric's measurements, in time order. */
  measurements: readonly Measurement[];
  /** How the analysis ended, if it has. `at` is when it was decided (ms). */
  outcome?: { verdict: ChartOutcomeVerdict; at: number; reason: string };
  /** Start of the analysis (ms). Default: the first tick minus one interval (ticks sit on start + k·interval). */
  analysisStart?: number;
  /** Unit of THRESHOLD and comparison values, for the y axis (e.g. "ms"). SEQUENTIAL has its own. */
  unit?: string;
}

/** A value `x` ms after the analysis start; y null breaks the line. */
export interface ChartPoint {
  x: number;
  y: number | null;
  /** This value is what failed a tick (outside the threshold, a significant window, a failing bucket). */
  failed?: boolean;
}

/** Decides the colour: canary and control values, or the canary ÷ control ratio. */
export type SeriesRole = "canary" | "control" | "ratio";

export interface ChartSeries {
  /** Legend label. A median line and its dots share one, so the legend shows the pair once. */
  name: string;
  role: SeriesRole;
  /** `line`: one value per window, joined; `dots`: every value of every window, unjoined. */
  style: "line" | "dots";
  points: ChartPoint[];
}

/** A range per window, e.g. SEQUENTIAL's anytime-valid interval. */
export interface ChartBand {
  name: string;
  role: SeriesRole;
  /** low 0 = unbounded below, high Infinity = unbounded above; both null = no value (a gap). */
  points: { x: number; low: number | null; high: number | null }[];
}

/** A horizontal line: a threshold, or `maxRatio`. */
export interface ChartRule {
  label: string;
  value: number;
}

export interface ChartPanel {
  /** Y axis title with its unit, e.g. "error rate (%)". */
  axisName: string;
  /** Suffix of y tick labels: "%", "×" or "" (a user's unit is only in `axisName`). */
  unit: string;
  scale: "linear" | "log";
  series: ChartSeries[];
  bands: ChartBand[];
  rules: ChartRule[];
  /** THRESHOLD: the allowed range, shaded. */
  allowed?: { min?: number; max?: number };
}

/** A window without an answer: the provider failed (ERROR), had impossible data (DATA_ERROR) or nothing (NO_DATA). */
export interface ChartGap {
  kind: "ERROR" | "DATA_ERROR" | "NO_DATA";
  from: number;
  to: number;
  reason: string;
}

export interface ChartDecision {
  x: number;
  verdict: ChartOutcomeVerdict;
  /** e.g. "failed at 14:07 — ratio 4.9 (3.1–7.7)". */
  label: string;
  reason: string;
}

export interface AnalysisChartModel {
  /** e.g. "web v3 · error rate · SEQUENTIAL". */
  title: string;
  /** Stage, start time, interval and how to read the chart. */
  subtitle: string;
  startAt: number;
  intervalMs: number;
  /** Right end of the x axis: the last window or the decision, whichever is later. */
  endX: number;
  /** One panel, or two for SEQUENTIAL (error rates, then the ratio). */
  panels: ChartPanel[];
  gaps: ChartGap[];
  decision?: ChartDecision;
}

export function analysisChartModel(input: AnalysisChartInput): AnalysisChartModel {
  const { metric, measurements } = input;
  const intervalMs = metric.common.intervalMs;
  const first = measurements[0];
  const startAt = input.analysisStart ?? (first ? first.at - intervalMs : (input.outcome?.at ?? 0));
  const ticks = measurements.map((m) => ({ ...m, x: m.at - startAt }));
  const lastX = ticks.at(-1)?.x ?? 0;
  const endX = Math.max(lastX, input.outcome ? input.outcome.at - startAt : 0, intervalMs);

  const gaps: ChartGap[] = ticks
    .filter((t) => isUnanswered(t.verdict) || t.verdict === "NO_DATA")
    .map((t) => ({
      kind: t.verdict === "ERROR" || t.verdict === "DATA_ERROR" ? t.verdict : "NO_DATA",
      from: t.x - intervalMs,
      to: t.x,
      reason: text(t.data.reason) ?? text(t.data.error) ?? "",
    }));

  const built = buildPanels(metric, ticks, input.unit);
  const model: AnalysisChartModel = {
    title: `${input.app} ${input.version} · ${metric.common.name} · ${metric.strategy}`,
    subtitle: [
      input.stageLabel,
      `from ${clockTime(startAt)} UTC, every ${formatInterval(intervalMs)}`,
      built.hint,
      ...(metric.common.dryRun ? ["dry run: measured, not deciding"] : []),
    ].join(" · "),
    startAt,
    intervalMs,
    endX,
    panels: built.panels,
    gaps,
  };
  if (input.outcome) {
    const { verdict, at, reason } = input.outcome;
    const decisive = ticks.filter((t) => t.at <= at);
    const figure = decisionFigure(metric, decisive, verdict);
    model.decision = {
      x: at - startAt,
      verdict,
      label: `${VERDICT_WORDS[verdict]} at ${clockTime(at)}${figure ? ` — ${figure}` : ""}`,
      reason,
    };
  }
  return model;
}

type Tick = Measurement & { x: number };

const VERDICT_WORDS: Record<ChartOutcomeVerdict, string> = {
  PASS: "passed",
  FAIL: "failed",
  INCONCLUSIVE: "inconclusive",
  PAUSED: "paused",
  STOPPED: "stopped",
};

function buildPanels(
  metric: AnalysisMetric,
  ticks: readonly Tick[],
  unit: string | undefined,
): { panels: ChartPanel[]; hint: string } {
  const axisName = unit ? `${metric.common.name} (${unit})` : metric.common.name;
  switch (metric.strategy) {
    case "THRESHOLD":
      return {
        panels: [thresholdPanel(metric.expected, ticks, axisName, metric.common.intervalMs)],
        hint: limitsHint(metric),
      };
    case "CANARY_BASELINE":
    case "CANARY_PRIMARY":
    case "PREVIOUS": {
      const control =
        metric.strategy === "PREVIOUS"
          ? "previous release"
          : metric.strategy === "CANARY_BASELINE"
            ? "baseline"
            : "primary";
      return {
        panels: [comparisonPanel(ticks, control, axisName, metric.common.intervalMs)],
        hint: "lines: median per window, dots: every point",
      };
    }
    case "SEQUENTIAL": {
      const control = metric.control === "BASELINE" ? "baseline" : "primary";
      return {
        panels: sequentialPanels(ticks, control, metric, metric.common.intervalMs),
        hint: `band: ${formatFigure(100 * (1 - metric.alpha))}% anytime-valid interval`,
      };
    }
  }
}

function limitsHint(metric: Extract<AnalysisMetric, { strategy: "THRESHOLD" }>): string {
  const { min, max } = metric.expected;
  if (min !== undefined && max !== undefined)
    return `every point within ${formatFigure(min)}–${formatFigure(max)}`;
  if (max !== undefined) return `every point at most ${formatFigure(max)}`;
  if (min !== undefined) return `every point at least ${formatFigure(min)}`;
  return "no bounds configured";
}

function thresholdPanel(
  expected: { min?: number; max?: number },
  ticks: readonly Tick[],
  axisName: string,
  intervalMs: number,
): ChartPanel {
  const outside = (y: number) =>
    (expected.max !== undefined && y > expected.max) || (expected.min !== undefined && y < expected.min);
  const points: ChartPoint[] = [];
  for (const tick of ticks) {
    const values = finiteNumbers(tick.data.points);
    if (isUnanswered(tick.verdict) || values.length === 0) {
      points.push(gapPoint(tick, intervalMs));
      continue;
    }
    for (const p of spread(values, tick.x, intervalMs))
      points.push(p.y !== null && outside(p.y) ? { ...p, failed: true } : p);
  }
  const rules: ChartRule[] = [];
  if (expected.max !== undefined)
    rules.push({ label: `max ${formatFigure(expected.max)}`, value: expected.max });
  if (expected.min !== undefined)
    rules.push({ label: `min ${formatFigure(expected.min)}`, value: expected.min });
  return {
    axisName,
    unit: "",
    scale: "linear",
    series: [{ name: "measured value", role: "canary", style: "line", points }],
    bands: [],
    rules,
    allowed: { ...expected },
  };
}

function comparisonPanel(
  ticks: readonly Tick[],
  controlName: string,
  axisName: string,
  intervalMs: number,
): ChartPanel {
  const canaryLine: ChartPoint[] = [];
  const controlLine: ChartPoint[] = [];
  const canaryDots: ChartPoint[] = [];
  const controlDots: ChartPoint[] = [];
  for (const tick of ticks) {
    const canary = finiteNumbers(tick.data.canary ?? tick.data.points);
    const control = finiteNumbers(tick.data.control);
    const canaryMedian = finiteNumber(tick.data.canaryMedian) ?? median(canary);
    const controlMedian = finiteNumber(tick.data.controlMedian) ?? median(control);
    const gap = gapPoint(tick, intervalMs);
    canaryLine.push(
      canaryMedian === undefined
        ? gap
        : { x: tick.x, y: canaryMedian, ...(tick.verdict === "FAIL" ? { failed: true } : {}) },
    );
    controlLine.push(controlMedian === undefined ? gap : { x: tick.x, y: controlMedian });
    canaryDots.push(...spread(canary, tick.x, intervalMs));
    controlDots.push(...spread(control, tick.x, intervalMs));
  }
  return {
    axisName,
    unit: "",
    scale: "linear",
    series: [
      { name: "canary", role: "canary", style: "line", points: canaryLine },
      { name: controlName, role: "control", style: "line", points: controlLine },
      { name: "canary", role: "canary", style: "dots", points: canaryDots },
      { name: controlName, role: "control", style: "dots", points: controlDots },
    ],
    bands: [],
    rules: [],
  };
}

function sequentialPanels(
  ticks: readonly Tick[],
  controlName: string,
  { maxRatio, alpha }: { maxRatio: number; alpha: number },
  intervalMs: number,
): ChartPanel[] {
  const canaryRate: ChartPoint[] = [];
  const controlRate: ChartPoint[] = [];
  const estimate: ChartPoint[] = [];
  const band: ChartBand["points"] = [];
  for (const tick of ticks) {
    const gap = gapPoint(tick, intervalMs);
    const rate = (errors: unknown, total: unknown): ChartPoint => {
      const e = finiteNumber(errors);
      const n = finiteNumber(total);
      return e !== undefined && n !== undefined && n > 0 ? { x: tick.x, y: (100 * e) / n } : gap;
    };
    canaryRate.push(rate(tick.data.canaryErrors, tick.data.canaryTotal));
    controlRate.push(rate(tick.data.controlErrors, tick.data.controlTotal));
    const est = finiteNumber(tick.data.estimate);
    // An estimate of Infinity (only the canary erred) is stored as null, like "no errors yet": a gap.
    estimate.push(
      isUnanswered(tick.verdict) || est === undefined
        ? gap
        : { x: tick.x, y: est, ...(tick.verdict === "FAIL" ? { failed: true } : {}) },
    );
    const range = Array.isArray(tick.data.interval) ? (tick.data.interval as unknown[]) : undefined;
    const low = finiteNumber(range?.[0]);
    // The stored interval's upper end is null when unbounded (JSON has no Infinity).
    band.push(
      range && low !== undefined
        ? { x: tick.x, low, high: finiteNumber(range[1]) ?? Number.POSITIVE_INFINITY }
        : { x: gap.x, low: null, high: null },
    );
  }
  return [
    {
      axisName: "error rate (%)",
      unit: "%",
      scale: "linear",
      series: [
        { name: "canary", role: "canary", style: "line", points: canaryRate },
        { name: controlName, role: "control", style: "line", points: controlRate },
      ],
      bands: [],
      rules: [],
    },
    {
      axisName: `error ratio, canary ÷ ${controlName} (×)`,
      unit: "×",
      scale: "log",
      series: [{ name: "ratio estimate", role: "ratio", style: "line", points: estimate }],
      bands: [{ name: `${formatFigure(100 * (1 - alpha))}% interval`, role: "ratio", points: band }],
      rules: [{ label: `max ratio ${formatFigure(maxRatio)}`, value: maxRatio }],
    },
  ];
}

/** A window's values spread evenly over it, the last at its end. */
function spread(values: readonly number[], end: number, intervalMs: number): ChartPoint[] {
  return values.map((y, i) => ({ x: end - intervalMs + ((i + 1) * intervalMs) / values.length, y }));
}

/** A line break in the middle of the tick's window. */
function gapPoint(tick: Tick, intervalMs: number): ChartPoint {
  return { x: tick.x - intervalMs / 2, y: null };
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
