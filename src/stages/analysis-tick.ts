/**
 * One tick of one metric: render the queries for the window, ask the metrics provider, and let the pure
 * evaluators decide. Provider trouble (HTTP errors, 429, timeouts, `status: "error"`) becomes an ERROR
 * tick that neither passes nor fails; the stage decides what repeated errors mean.
 */

import type { MetricProgress, SequentialFold } from "../analysis/metric-progress.js";
import { summarizeSequential, updateSequential } from "../analysis/sequential-test.js";
import {
  evaluateComparison,
  evaluateThreshold,
  formatNumber,
  type TickOutcome,
} from "../analysis/tick-evaluators.js";
import { renderQuery, type Variant } from "../config/query-template.js";
import type { AnalysisMetric, SequentialMetric } from "../config/types.js";
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
      const result = await query(ctx, metric, metric.query, undefined, window);
      if (result.kind === "error") return errorTick(result);
      return evaluateThreshold(result.kind === "points" ? values(result) : [], metric.expected);
    }
    case "CANARY_BASELINE":
    case "CANARY_PRIMARY": {
      const control: Variant = metric.strategy === "CANARY_BASELINE" ? "baseline" : "primary";
      const [canary, reference] = (await ctx.ports.metrics.queryAll([
        request(ctx, metric, metric.query, "canary", window),
        request(ctx, metric, metric.query, control, window),
      ])) as [MetricQueryResult, MetricQueryResult];
      if (canary.kind === "error") return errorTick(canary);
      if (reference.kind === "error") return errorTick(reference);
      return evaluateComparison(
        canary.kind === "points" ? values(canary) : [],
        reference.kind === "points" ? values(reference) : [],
        metric.deviation,
        control,
      );
    }
    case "PREVIOUS": {
      const result = await query(ctx, metric, metric.query, undefined, window);
      if (result.kind === "error") return errorTick(result);
      const current = result.kind === "points" ? values(result) : [];
      const elapsed = window.to - window.analysisStart;
      const previous = ctx
        .previousMeasurements(metric.common.name)
        .find((m) => Math.abs(m.elapsedMs - elapsed) <= metric.common.intervalMs / 2);
      const before = Array.isArray(previous?.data.points) ? (previous.data.points as number[]) : undefined;
      if (!before || before.length === 0) {
        if (current.length === 0)
          return { verdict: "NO_DATA", reason: "no data points", data: { points: [] } };
        return {
          verdict: "PASS",
          reason: "no previous release's analysis at this point to compare with",
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
  const results = await ctx.ports.metrics.queryAll([
    request(ctx, metric, metric.errors, "canary", window),
    request(ctx, metric, metric.total, "canary", window),
    request(ctx, metric, metric.errors, control, window),
    request(ctx, metric, metric.total, control, window),
  ]);
  const failure = results.find((r) => r.kind === "error");
  if (failure && failure.kind === "error") return errorTick(failure);
  // A count metric with nothing to count has no points in Datadog: no data means zero here.
  const [canaryErrors, canaryTotal, controlErrors, controlTotal] = results.map((r) =>
    r.kind === "points" ? sum(values(r)) : 0,
  );
  const bucket = {
    canaryErrors: canaryErrors ?? 0,
    canaryTotal: canaryTotal ?? 0,
    controlErrors: controlErrors ?? 0,
    controlTotal: controlTotal ?? 0,
  };
  if (!progress.sequentialState) throw new Error("SEQUENTIAL metric without state");
  const state = updateSequential(progress.sequentialState, bucket);
  const summary = summarizeSequential(state);
  const folded = { state, summary };
  const data = {
    ...bucket,
    estimate: finiteOrNull(summary.estimate),
    interval: summary.interval.map(finiteOrNull),
    evidence: finiteOrNull(summary.evidence),
    minDetectableRatio: finiteOrNull(summary.minDetectableRatio),
    decision: summary.decision,
  };
  if (bucket.canaryTotal === 0 || bucket.controlTotal === 0) {
    return {
      verdict: "NO_DATA",
      reason: `no ${bucket.canaryTotal === 0 ? "canary" : control} traffic in this window`,
      data,
      folded,
    };
  }
  const figures =
    `canary ${bucket.canaryErrors}/${bucket.canaryTotal} vs ${control} ${bucket.controlErrors}/${bucket.controlTotal}; ` +
    `ratio ${summary.estimate === undefined ? "n/a" : formatNumber(summary.estimate)} ` +
    `(${formatNumber(summary.interval[0])}–${formatNumber(summary.interval[1])}), evidence ${formatNumber(summary.evidence)}/${formatNumber(summary.threshold)}`;
  if (summary.decision === "FAIL")
    return { verdict: "FAIL", reason: `error ratio above ${metric.maxRatio}: ${figures}`, data, folded };
  return { verdict: "PASS", reason: figures, data, folded };
}

function query(
  ctx: StageContext,
  metric: AnalysisMetric,
  template: string,
  variant: Variant | undefined,
  window: TickWindow,
): Promise<MetricQueryResult> {
  return ctx.ports.metrics.query(request(ctx, metric, template, variant, window));
}

/** The metric's query rendered for `variant` over the tick's window. */
function request(
  ctx: StageContext,
  metric: AnalysisMetric,
  template: string,
  variant: Variant | undefined,
  window: TickWindow,
): MetricQuery {
  const app = ctx.deployment.appConfig;
  const variantArgs = "variantArgs" in metric && variant ? metric.variantArgs[variant] : undefined;
  const rendered = renderQuery(template, {
    app: { name: app.name, ...(app.labels.env ? { env: app.labels.env } : {}) },
    ...(variant ? { variant } : {}),
    ...(variantArgs ? { variantCustomArgs: variantArgs } : {}),
    appCustomArgs: metric.common.appArgs,
    version: ctx.deployment.version,
  });
  return {
    provider: metric.common.provider,
    query: rendered,
    from: window.from,
    to: window.to,
    timeoutMs: metric.common.timeoutMs,
  };
}

function errorTick(result: Extract<MetricQueryResult, { kind: "error" }>): TickResult {
  return {
    verdict: "ERROR",
    reason: result.reason,
    data: { error: result.reason },
    ...(result.retryAfterMs !== undefined ? { retryAfterMs: result.retryAfterMs } : {}),
  };
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
