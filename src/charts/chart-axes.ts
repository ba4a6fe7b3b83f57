/**
 * Axis ranges and tick labels for chart panels. Values get a readable range of their own (zero kept in
 * view when it is near, limits always in view); ratios a log-2 axis with a tick at every power of 2.
 * The x axis counts minutes since the analysis start.
 */
import type { ChartPanel } from "./analysis-chart-model.js";
import { formatFigure } from "./chart-format.js";

const MINUTE = 60_000;

/** The x axis in minutes: a readable step (at most 10 intervals) and an end on a step. */
export function timeAxis(endX: number): { max: number; step: number } {
  const minutes = Math.max(endX / MINUTE, 1);
  const step = [0.5, 1, 2, 5, 10, 15, 30, 60, 120].find((s) => minutes / s <= 10) ?? 240;
  return { max: Math.ceil(minutes / step - 1e-9) * step, step };
}

export function elapsedLabel(minutes: number): string {
  if (minutes === 0) return "0";
  if (minutes < 60 || minutes % 60 !== 0) {
    if (minutes < 120) return `+${formatFigure(minutes)}m`;
    const hours = Math.floor(minutes / 60);
    return `+${hours}h${String(Math.round(minutes - hours * 60)).padStart(2, "0")}`;
  }
  return `+${minutes / 60}h`;
}

export interface Extent {
  min: number;
  max: number;
  /** Linear axes: the tick step. */
  step?: number;
}

/** Every value, band end and rule in view; zero included when it is near; log axes on powers of 2. */
export function valueExtent(panel: ChartPanel): Extent {
  if (panel.scale === "log") {
    // Estimates and rules are always in view; band ends widen the axis up to 1/16×–16× at most (an
    // early interval spans 0–∞, and drawing it to the edge says so); never beyond 1/64×–64×.
    const core = [
      ...panel.series.flatMap((s) => s.points.map((p) => p.y)),
      ...panel.rules.map((r) => r.value),
    ].filter((v): v is number => v !== null && v > 0 && Number.isFinite(v));
    const ends = panel.bands
      .flatMap((b) => b.points.flatMap((p) => [p.low, p.high]))
      .filter((v): v is number => v !== null && v > 0 && Number.isFinite(v));
    const low = Math.min(0.5, ...core.map((v) => v / 1.15), ...ends.map((v) => Math.max(v, 1 / 16)));
    const high = Math.max(2, ...core.map((v) => v * 1.15), ...ends.map((v) => Math.min(v, 16)));
    return {
      min: 2 ** Math.max(-6, Math.floor(Math.log2(low))),
      max: 2 ** Math.min(6, Math.ceil(Math.log2(high))),
    };
  }
  const values: number[] = [
    ...panel.series.flatMap((s) => s.points.map((p) => p.y)),
    ...panel.bands.flatMap((b) => b.points.flatMap((p) => [p.low, p.high])),
    ...panel.rules.map((r) => r.value),
  ].filter((v): v is number => v !== null && Number.isFinite(v));
  let low = Math.min(...values);
  let high = Math.max(...values);
  if (values.length === 0) [low, high] = [0, 1];
  if (low >= 0 && low <= high / 2) low = 0;
  if (high === low) [low, high] = low === 0 ? [0, 1] : [low - Math.abs(low) / 2, high + Math.abs(high) / 2];
  const step = niceStep((high - low) / 5);
  return { min: Math.floor(low / step) * step, max: Math.ceil((high + step * 0.25) / step) * step, step };
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10) * power;
}

/** "2%", "4×", "1/4×" (fractions read better than 0.063× on a ratio axis), "250" (unit in the axis name). */
export function tickLabel(value: number, panel: ChartPanel): string {
  if (panel.scale === "log" && value < 1) return `1/${Math.round(1 / value)}${panel.unit}`;
  return `${formatFigure(value)}${panel.unit}`;
}
