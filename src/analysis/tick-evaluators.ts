/**
 * One analysis tick of the PipeCD strategies, pure. The executor fetches the points; these decide.
 *
 * - THRESHOLD: every point within `expected.min/max` (a single bad point fails the tick: a hard
 *   guardrail that rolls an obviously broken canary back at the first complete bucket).
 * - CANARY_BASELINE / CANARY_PRIMARY / PREVIOUS: the Mann-Whitney U test of the canary's points against
 *   the control's (baseline, primary, or the previous release at the same elapsed time), in the
 *   direction `deviation` says; the tick fails when p ≤ 0.05, as in PipeCD.
 */
import type { Deviation } from "../domain/analysis-metric.js";
import { deviationToAlternative, mannWhitneyU } from "./mann-whitney.js";

/**
 * ERROR: the provider failed (HTTP, 429, timeout). DATA_ERROR: it answered with impossible data
 * (analysis/data-quality.ts). Neither passes nor fails a tick; both count toward asking people.
 */
export type TickVerdict = "PASS" | "FAIL" | "NO_DATA" | "ERROR" | "DATA_ERROR";

/** Verdicts of ticks that got no usable answer from the provider. */
export function isUnanswered(verdict: string): boolean {
  return verdict === "ERROR" || verdict === "DATA_ERROR";
}

export interface TickOutcome {
  verdict: TickVerdict;
  reason: string;
  data: Record<string, unknown>;
}

/** PipeCD's significance level for the comparison strategies. */
export const COMPARISON_ALPHA = 0.05;

export function evaluateThreshold(
  points: readonly number[],
  expected: { min?: number; max?: number },
): TickOutcome {
  if (points.length === 0) return { verdict: "NO_DATA", reason: "no data points", data: { points: [] } };
  const low = Math.min(...points);
  const high = Math.max(...points);
  const data = { points: [...points], min: low, max: high, expected };
  if (expected.max !== undefined && high > expected.max) {
    return { verdict: "FAIL", reason: `${formatNumber(high)} is above the maximum ${expected.max}`, data };
  }
  if (expected.min !== undefined && low < expected.min) {
    return { verdict: "FAIL", reason: `${formatNumber(low)} is below the minimum ${expected.min}`, data };
  }
  return { verdict: "PASS", reason: `${formatRange(low, high)} within bounds`, data };
}

export function evaluateComparison(
  canary: readonly number[],
  control: readonly number[],
  deviation: Deviation,
  controlName: string,
): TickOutcome {
  if (canary.length === 0 || control.length === 0) {
    const missing = canary.length === 0 ? "canary" : controlName;
    return {
      verdict: "NO_DATA",
      reason: `no data points for the ${missing}`,
      data: { canary: [...canary], control: [...control] },
    };
  }
  const result = mannWhitneyU(canary, control, deviationToAlternative(deviation));
  const data = {
    canary: [...canary],
    control: [...control],
    canaryMedian: median(canary),
    controlMedian: median(control),
    u: result.u,
    pValue: result.pValue,
    method: result.method,
  };
  const direction =
    deviation === "HIGH" ? "higher than" : deviation === "LOW" ? "lower than" : "different from";
  const summary = `canary median ${formatNumber(data.canaryMedian)} vs ${controlName} ${formatNumber(data.controlMedian)}, p = ${result.pValue.toPrecision(3)}`;
  if (result.pValue <= COMPARISON_ALPHA) {
    return { verdict: "FAIL", reason: `canary significantly ${direction} ${controlName}: ${summary}`, data };
  }
  return { verdict: "PASS", reason: summary, data };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && Math.abs(value) < 0.01) return value.toExponential(2);
  return Number(value.toPrecision(4)).toString();
}

function formatRange(low: number, high: number): string {
  return low === high ? formatNumber(low) : `${formatNumber(low)}–${formatNumber(high)}`;
}
