/**
 * One tick of one metric: render the queries for the window, ask the metrics provider, and let the pure
 * evaluators decide. Provider trouble (HTTP errors, 429, timeouts, `status: "error"`) becomes an ERROR
 * tick that neither passes nor fails; the stage decides what repeated errors mean.
 *
 * Impossible data becomes a DATA_ERROR tick, which neither passes nor fails either and names the query
 * and the window: what the provider flagged per series (`{kind: "invalid"}`: duplicate timestamps,
 * non-finite values) and, for SEQUENTIAL's counts, what only this tick can see (negative counts, more
 * errors than requests). The rules are analysis/data-quality.ts; nothing of such a tick is summed or
 * folded into the test.
 *
 * SEQUENTIAL: an errors query without points counts zero errors (Datadog drops the empty buckets of a
 * count); a total query without points, or a zero total, on the canary or the control side is a NO_DATA
 * tick — never zeros folded into the test, never a pass.
 */

import { bucketProblem, countProblem } from "../analysis/data-quality.js";
import type { MetricProgress, SequentialFold } from "../analysis/metric-progress.js";
import {
  type SequentialSummary,
  summarizeSequential,
  updateSequential,
} from "../analysis/sequential-test.js";
import {
  evaluateComparison,
  evaluateThreshold,
  formatNumber,
  type TickOutcome,
} from "../analysis/tick-evaluators.js";
import type { Variant } from "../config/query-template.js";
import { renderMetricQuery } from "../config/render-metric-query.js";
import type { AnalysisMetric, SequentialMetric } from "../domain/analysis-metric.js";
import type { StageContext } from "../engine/stage-executor.js";
import type { MetricQuery, MetricQueryResult } from "../ports.js";

export interface TickWindow {
  from: number;
  to: number;
  /** Start of the analysis, for PREVIOUS's elapsed offsets. */
  analysisStart: number;
}

/** `folded`: a SEQUENTIAL tick's update of the metric's state, for the stage to keep (see advanceProgress). */
export type TickResult = TickOutcome & { retryAfterMs?: number; folded?: SequentialFold };

export async function runTick(
  ctx: StageContext,
  metric: AnalysisMetric,
  window: TickWindow,
  progress: MetricProgress,
): Promise<TickResult> {
  switch (metric.strategy) {
    case "THRESHOLD": {
      const request = requestFor(ctx, metric, metric.query, undefined, window);
      const result = await ctx.ports.metrics.query(request);
      const unusable = unusableTick([request], [result]);
      if (unusable) return unusable;
      return evaluateThreshold(result.kind === "points" ? values(result) : [], metric.expected);
    }
    case "CANARY_BASELINE":
    case "CANARY_PRIMARY": {
      const control: Variant = metric.strategy === "CANARY_BASELINE" ? "baseline" : "primary";
      const requests = [
        requestFor(ctx, metric, metric.query, "canary", window),
        requestFor(ctx, metric, metric.query, control, window),
      ];
      const results = await ctx.ports.metrics.queryAll(requests);
      const unusable = unusableTick(requests, results);
      if (unusable) return unusable;
      const [canary, reference] = results as [MetricQueryResult, MetricQueryResult];
      return evaluateComparison(
        canary.kind === "points" ? values(canary) : [],
        reference.kind === "points" ? values(reference) : [],
        metric.deviation,
        control,
      );
    }
    case "PREVIOUS": {
      const request = requestFor(ctx, metric, metric.query, undefined, window);
      const result = await ctx.ports.metrics.query(request);
      const unusable = unusableTick([request], [result]);
      if (unusable) return unusable;
      const current = result.kind === "points" ? values(result) : [];
      if (current.length === 0) return { verdict: "NO_DATA", reason: "no data points", data: { points: [] } };
      const elapsed = window.to - window.analysisStart;
      const history = ctx.previousMeasurements(metric.common.name);
      // No previous analysis at all (the first release measured this way) passes, as in PipeCD; one
      // without points at this offset is a control without data.
      if (history.length === 0) {
        return {
          verdict: "PASS",
          reason: "no previous release's analysis to compare with",
          data: { points: current },
        };
      }
      const previous = history.find((m) => Math.abs(m.elapsedMs - elapsed) <= metric.common.intervalMs / 2);
      const before = Array.isArray(previous?.data.points) ? (previous.data.points as number[]) : [];
      if (before.length === 0) {
        return {
          verdict: "NO_DATA",
          reason: "no data points of the previous release at this point of its analysis",
          data: { points: current },
        };
      }
      const outcome = evaluateComparison(current, before, metric.deviation, "previous release");
      return { ...outcome, data: { ...outcome.data, points: current } };
    }
    case "SEQUENTIAL":
      return sequentialTick(ctx, metric, window, progress);
  }
}

async function sequentialTick(
  ctx: StageContext,
  metric: SequentialMetric,
  window: TickWindow,
  progress: MetricProgress,
): Promise<TickResult> {
  const control: Variant = metric.control === "BASELINE" ? "baseline" : "primary";
  // One batch: the provider may fetch each query's canary and control in one request.
  const requests = [
    requestFor(ctx, metric, metric.errors, "canary", window),
    requestFor(ctx, metric, metric.total, "canary", window),
    requestFor(ctx, metric, metric.errors, control, window),
    requestFor(ctx, metric, metric.total, control, window),
  ];
  const results = await ctx.ports.metrics.queryAll(requests);
  const unusable = unusableTick(requests, results);
  if (unusable) return unusable;
  for (const [i, result] of results.entries()) {
    const problem = result.kind === "points" ? countProblem(result.points) : undefined;
    if (problem) return dataErrorTick(requests[i] as MetricQuery, problem);
  }
  const [canaryErrors, canaryTotal, controlErrors, controlTotal] = results.map((r) =>
    r.kind === "points" ? sum(values(r)) : undefined,
  );
  const sides = [
    { name: "canary", errors: canaryErrors ?? 0, total: canaryTotal, request: requests[0] },
    { name: control, errors: controlErrors ?? 0, total: controlTotal, request: requests[2] },
  ];
  for (const side of sides) {
    const problem = bucketProblem(side.name, side);
    if (problem && side.request) {
      return dataErrorTick(side.request, problem, { errors: side.errors, total: side.total ?? null });
    }
  }
  if (!progress.sequentialState) throw new Error("SEQUENTIAL metric without state");
  const missing = sides.find((side) => !side.total);
  if (missing) {
    // Not folded (see the module comment): the figures stay those of the ticks before.
    const before = progress.sequential ?? summarizeSequential(progress.sequentialState);
    return {
      verdict: "NO_DATA",
      reason: `no ${missing.name} traffic in this window${missing.total === undefined ? " (no data points)" : ""}`,
      data: {
        canaryErrors: canaryErrors ?? null,
        canaryTotal: canaryTotal ?? null,
        controlErrors: controlErrors ?? null,
        controlTotal: controlTotal ?? null,
        ...summaryData(before),
      },
    };
  }
  const bucket = {
    canaryErrors: canaryErrors ?? 0,
    canaryTotal: canaryTotal ?? 0,
    controlErrors: controlErrors ?? 0,
    controlTotal: controlTotal ?? 0,
  };
  const state = updateSequential(progress.sequentialState, bucket);
  const summary = summarizeSequential(state);
  const folded = { state, summary };
  const data = { ...bucket, ...summaryData(summary) };
  const figures =
    `canary ${bucket.canaryErrors}/${bucket.canaryTotal} vs ${control} ${bucket.controlErrors}/${bucket.controlTotal}; ` +
    `ratio ${summary.estimate === undefined ? "n/a" : formatNumber(summary.estimate)} ` +
    `(${formatNumber(summary.interval[0])}–${formatNumber(summary.interval[1])}), evidence ${formatNumber(summary.evidence)}/${formatNumber(summary.threshold)}`;
  if (summary.decision === "FAIL")
    return { verdict: "FAIL", reason: `error ratio above ${metric.maxRatio}: ${figures}`, data, folded };
  return { verdict: "PASS", reason: figures, data, folded };
}

/** What a SEQUENTIAL tick stores of the test's summary (JSON has no Infinity: null is "unbounded"). */
function summaryData(summary: SequentialSummary): Record<string, unknown> {
  return {
    estimate: finiteOrNull(summary.estimate),
    interval: summary.interval.map(finiteOrNull),
    evidence: finiteOrNull(summary.evidence),
    minDetectableRatio: finiteOrNull(summary.minDetectableRatio),
    decision: summary.decision,
  };
}

/** The metric's query rendered for `variant` over the tick's window. */
function requestFor(
  ctx: StageContext,
  metric: AnalysisMetric,
  template: string,
  variant: Variant | undefined,
  window: TickWindow,
): MetricQuery {
  return {
    provider: metric.common.provider,
    query: renderMetricQuery(metric, template, variant, {
      app: ctx.deployment.appConfig,
      version: ctx.deployment.version,
    }),
    from: window.from,
    to: window.to,
    timeoutMs: metric.common.timeoutMs,
  };
}

/** The first ERROR or DATA_ERROR among a tick's answers, in request order; undefined when none. */
function unusableTick(
  requests: readonly MetricQuery[],
  results: readonly MetricQueryResult[],
): TickResult | undefined {
  for (const [i, result] of results.entries()) {
    if (result.kind === "error") return errorTick(result);
    const request = requests[i];
    if (result.kind === "invalid" && request) return dataErrorTick(request, result.reason);
  }
  return undefined;
}

function errorTick(result: Extract<MetricQueryResult, { kind: "error" }>): TickResult {
  return {
    verdict: "ERROR",
    reason: result.reason,
    data: { error: result.reason },
    ...(result.retryAfterMs !== undefined ? { retryAfterMs: result.retryAfterMs } : {}),
  };
}

/**
 * A DATA_ERROR tick: the problem, the query and the window, so that people in the thread can look at
 * the same data. `extra`: figures worth showing (never summed into anything).
 */
function dataErrorTick(
  request: MetricQuery,
  problem: string,
  extra: Record<string, unknown> = {},
): TickResult {
  const window = `${clockTime(request.from)}–${clockTime(request.to)} UTC`;
  return {
    verdict: "DATA_ERROR",
    reason: `bad data, not used: ${problem} (query ${request.query}, window ${window})`,
    data: { error: problem, query: request.query, from: request.from, to: request.to, ...extra },
  };
}

function clockTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

function values(result: Extract<MetricQueryResult, { kind: "points" }>): number[] {
  return result.points.map(([, value]) => value);
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

/** JSON has no Infinity; measurements store null for "unbounded". */
function finiteOrNull(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) ? value : null;
}
