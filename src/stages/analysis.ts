/**
 * ANALYSIS {duration, metrics, consecutiveErrorLimit, noDataLimit, noDataShare}: every `interval`, each
 * metric is measured over the window that just ended and the tick is stored (values, counts, estimate,
 * interval, evidence, p-value, verdict). Ticks sit on a fixed grid from the analysis start (start + k·interval), so a
 * restarted analysis catches up on the windows it missed, from its stored ticks and elapsed time, and a
 * replay of recorded series reproduces the live verdicts.
 *
 * A provider shifts every window back by its lag (data newer than that is still arriving), so a tick
 * at start + interval would read traffic from before the analysis began: from before the canary took
 * any (the ECS_TRAFFIC_ROUTING just before), judging the old release's buckets as the new one's. So the
 * first tick comes the largest lag among the stage's metrics' providers late, to the millisecond: the
 * tick at start + lag + interval reads the window that begins at the start, and each later tick reads
 * the next one as soon as its providers have it (a provider moves a window back onto its own buckets,
 * never by more than needed: complete-points.ts, evaluation-plan.ts). A provider that states no lag
 * (`Metrics.lagMsOf`) delays nothing.
 *
 * The start is a bucket boundary where a provider's buckets are (whole minutes for Datadog and
 * CloudWatch; a window that cuts every bucket — a 1m interval from 09:00:30 — would hold no complete
 * one, so every tick would be NO_DATA; whole seconds on Prometheus alone: `alignmentMsOf`). It is the
 * boundary at or before the stage's start, so the first window also holds the canary's traffic of the
 * seconds before the stage (a whole minute of it when the stage starts late in a minute) instead of
 * waiting up to a minute for the next boundary: every query of an analysis is about its deployment's
 * variants, and in the seconds before the stage began those served only this deployment's releases
 * (the routing stage before it, or nothing). Never before the deployment began, though: before that a
 * target group may have served another deployment's canary, so the start is then the next boundary.
 * The end stays where the next boundary would have put it (that boundary + lag + duration, stored as
 * `analysisEnd`), so the analysis judges at least `duration` of the stage's own time, with one more
 * window at its front. An analysis stored before `analysisEnd` existed started on a boundary it waited
 * for and ends at its start + lag + duration.
 *
 * The stage ends as `decideAnalysis` says: FAIL rolls back; PASS promotes; ASK (provider errors or
 * impossible data in a row, missing data past `noDataLimit` / `noDataShare`, or too little traffic to
 * decide) pauses and asks people — Approve continues, Roll back rolls back.
 * A pause for provider errors also lifts itself when the provider recovers before anyone answers: the
 * paused metric keeps being asked every interval, past `duration` too (its errored windows are never
 * asked again: a tick is stored once), and its first answered window ends the pause, so that a Datadog
 * outage in the last minutes neither decides nor leaves the deployment waiting for people who may not
 * come. A pause for impossible data (DATA_ERROR ticks) is one for errors: it lifts the same way. A
 * pause for missing data lifts itself when data comes back before the end and the share of ticks
 * without data is back within `noDataShare` (`decideAnalysis` judges the ticks so far, and every tick
 * up to the end is measured, paused or not); at the end, like a pause for too little traffic, it cannot
 * lift: nothing more is measured, only people decide.
 *
 * On its first step the stage adds a warning to the timeline for each comparison metric whose interval
 * holds fewer than 4 points per side (the config lint `comparisonPointsProblem`): such a metric can
 * (almost) never fail, and `kanaria serve` does not show config warnings.
 *
 * It also records, once, the SEQUENTIAL prior its metrics use (stage state `sequentialPrior`), and
 * every later step — after a restart too — folds the stored ticks with that one. A SEQUENTIAL state is
 * rebuilt from the ticks whenever this process holds no fold of them (`ProgressMemo`: after a restart,
 * say), so without the record a Kanaria upgraded mid-analysis would
 * re-judge ticks already decided under one prior with another, and the two evidences are not one
 * martingale. An analysis stored before the record existed gets the default of the release that first
 * resumes it, recorded then and kept.
 *
 * With the prior it records how long its ticks run (`sequentialHorizonMs`: from the first tick's window to
 * the end, the duration plus the front window when there is one): each SEQUENTIAL metric cuts
 * its late-start law at the last bucket the analysis reaches, ⌊that / interval⌋ (at least 2; see
 * `sequential-prior.ts`). Recorded, not read from the options each time, for the same reason as the
 * prior: an analysis whose prior was recorded without it (by a release before the cut) keeps the uncut
 * law it started with.
 */
import {
  type AnalysisDecision,
  DEFAULT_NO_DATA_LIMIT,
  DEFAULT_NO_DATA_SHARE,
  type DecisionLimits,
  decideAnalysis,
  type MetricStanding,
} from "../analysis/analysis-decision.js";
import {
  advanceProgress,
  foldMetric,
  hasFailed,
  type MetricProgress,
  type TickRecord,
} from "../analysis/metric-progress.js";
import {
  DEFAULT_SEQUENTIAL_PRIOR,
  horizonFor,
  isSequentialPrior,
  type SequentialPrior,
} from "../analysis/sequential-prior.js";
import { SequentialError } from "../analysis/sequential-test.js";
import type { TickVerdict } from "../analysis/tick-evaluators.js";
import { comparisonPointsProblem } from "../config/metric-lints.js";
import type { AnalysisMetric } from "../domain/analysis-metric.js";
import { approvalsOf } from "../domain/approval-state.js";
import type { Measurement } from "../domain/measurement.js";
import type { StageContext, StageExecutor, StepResult } from "../engine/stage-executor.js";
import { analysisGrid } from "./analysis-grid.js";
import { runTick } from "./analysis-tick.js";
import { ProgressMemo } from "./progress-memo.js";

/**
 * An ANALYSIS executor whose new analyses record `defaultPrior` (tests pass another to play a release
 * whose default differs from the one an analysis started with). Each executor keeps its own
 * `ProgressMemo`: one per engine.
 */
export function analysisExecutorWith(defaultPrior: Readonly<SequentialPrior>): StageExecutor<"ANALYSIS"> {
  const memo = new ProgressMemo();
  return {
    kind: "ANALYSIS",
    step: (ctx) => analysisStep(ctx, defaultPrior, memo),
  };
}

/** The ANALYSIS executor of this release: new analyses record `DEFAULT_SEQUENTIAL_PRIOR`. */
export function analysisExecutor(): StageExecutor<"ANALYSIS"> {
  return analysisExecutorWith(DEFAULT_SEQUENTIAL_PRIOR);
}

async function analysisStep(
  ctx: StageContext<"ANALYSIS">,
  defaultPrior: Readonly<SequentialPrior>,
  memo: ProgressMemo,
): Promise<StepResult> {
  const { durationMs, metrics, consecutiveErrorLimit } = ctx.stage.options;
  // A stage stored by a release before the no-data limits has none: today's defaults.
  const limits: DecisionLimits = {
    consecutiveErrorLimit,
    noDataLimit: ctx.stage.options.noDataLimit ?? DEFAULT_NO_DATA_LIMIT,
    noDataShare: ctx.stage.options.noDataShare ?? DEFAULT_NO_DATA_SHARE,
  };
  // Before the start is stored: once per analysis, not again on every step or after a restart.
  if (ctx.stage.state.analysisStart === undefined) warnUnfailable(ctx, metrics);
  const { start, origin, end } = analysisGrid(ctx, metrics, durationMs);
  const recorded = recordedPrior(ctx, metrics, defaultPrior, end - origin);
  const memoPrefix = `${ctx.deployment.id}#${ctx.stage.index}#${start}#`;
  const tallies = new Map(ctx.measurementTally().map((t) => [t.metric, t]));
  // Read (and decode) the stored ticks only when some metric's fold is not in the memo.
  let stored: Measurement[] | undefined;
  const storedTicks = (name: string): TickRecord[] => {
    stored ??= ctx.measurements();
    return stored.filter((m) => m.metric === name).map(toTick);
  };

  const standings: MetricStanding[] = [];
  for (const metric of metrics) {
    const name = metric.common.name;
    const key = memoPrefix + name;
    const tally = tallies.get(name);
    const remembered = memo.lookup(key, { count: tally?.count ?? 0, lastAt: tally?.lastAt });
    const prior = metricPrior(recorded, metric);
    const progress = remembered ?? foldMetric(metric, storedTicks(name), prior);
    const standing = await catchUp(
      ctx,
      metric,
      progress,
      tally?.count ?? 0,
      { start, origin, end },
      consecutiveErrorLimit,
      {
        memo,
        key,
      },
    );
    if ("retryAt" in standing) return { type: "wait", until: standing.retryAt, reason: standing.reason };
    standings.push(standing);
  }

  const now = ctx.clock.now();
  const decision = decideAnalysis(standings, now >= end, limits);
  const result = nextStep(ctx, decision, standings, { origin, end, now, consecutiveErrorLimit });
  // The analysis is over: nothing will ask for its folds again.
  if (result.type === "done") memo.forget(memoPrefix);
  return result;
}

/** What the stage does after this step's decision. */
function nextStep(
  ctx: StageContext<"ANALYSIS">,
  decision: AnalysisDecision,
  standings: readonly MetricStanding[],
  timing: { origin: number; end: number; now: number; consecutiveErrorLimit: number },
): StepResult {
  const { origin, end, now, consecutiveErrorLimit } = timing;
  switch (decision.kind) {
    case "fail":
      return { type: "done", status: "FAILURE", reason: decision.reason };
    case "pass":
      return { type: "done", status: "SUCCESS", reason: decision.reason };
    case "ask": {
      const approvals = approvalsOf(ctx.stage.state);
      if (approvals.length > 0) {
        return {
          type: "done",
          status: "SUCCESS",
          reason: `approved by ${approvals.map((a) => a.actor).join(", ")} despite: ${decision.reason}`,
        };
      }
      return {
        type: "wait",
        until: nextTick(standings, origin, end, now, consecutiveErrorLimit),
        reason: decision.reason,
        approval: {
          approvers: [],
          minApproverNum: 1,
          question: `The analysis of ${ctx.deployment.app} ${ctx.deployment.version} cannot decide: ${decision.reason}. Approve to continue, or roll back.`,
        },
      };
    }
    case "continue":
      // A pause lifted by itself (the provider recovered) must not carry old approvals into a later one.
      if (ctx.stage.state.approval !== undefined) ctx.saveState({ approval: undefined });
      return {
        type: "wait",
        until: nextTick(standings, origin, end, now, consecutiveErrorLimit),
        reason: progressLine(standings),
      };
  }
}

/**
 * Runs every tick of `metric` that is due and not yet stored, up to `end` — and past it while the metric
 * is paused for provider errors (see the module comment); stops early once the metric failed.
 * `folded`: the progress of the `storedCount` ticks stored so far. `grid`: the analysis start, the
 * grid's origin (start + lag delay: the first tick is at origin + interval) and the end.
 */
async function catchUp(
  ctx: StageContext<"ANALYSIS">,
  metric: AnalysisMetric,
  folded: MetricProgress,
  storedCount: number,
  grid: { start: number; origin: number; end: number },
  consecutiveErrorLimit: number,
  cache: { memo: ProgressMemo; key: string },
): Promise<MetricStanding | { retryAt: number; reason: string }> {
  const { start, origin, end } = grid;
  const interval = metric.common.intervalMs;
  let count = storedCount;
  let progress = folded;
  cache.memo.store(cache.key, count, progress);
  for (
    let at = (progress.lastAt ?? origin) + interval;
    at <= ctx.clock.now() && (at <= end || pausedForErrors(metric, progress, consecutiveErrorLimit));
    at += interval
  ) {
    // A deciding metric that failed ends the stage; a dry-run one keeps being measured.
    if (!metric.common.dryRun && hasFailed(metric, progress)) break;
    const result = await runTick(
      ctx,
      metric,
      { from: at - interval, to: at, analysisStart: start },
      progress,
    );
    // A rate limit is waited out once for the same tick before it counts as an error.
    const waited = ctx.stage.state.rateLimitedTicks;
    if (
      result.verdict === "ERROR" &&
      result.retryAfterMs !== undefined &&
      waited?.[metric.common.name] !== at
    ) {
      ctx.saveState({ rateLimitedTicks: { ...waited, [metric.common.name]: at } });
      return { retryAt: ctx.clock.now() + result.retryAfterMs, reason: `rate limited: ${result.reason}` };
    }
    const tick: TickRecord = { at, verdict: result.verdict, reason: result.reason, data: result.data };
    ctx.recordMeasurement({
      metric: metric.common.name,
      at,
      verdict: tick.verdict,
      data: { ...tick.data, reason: tick.reason },
    });
    progress = advanceProgress(metric, progress, tick, result.folded);
    count += 1;
    cache.memo.store(cache.key, count, progress);
  }
  return { metric, progress };
}

/** The recorded prior and the duration its late-start law is cut at (undefined: uncut). */
interface RecordedPrior {
  prior: Readonly<SequentialPrior>;
  horizonMs: number | undefined;
}

/**
 * The SEQUENTIAL prior of this analysis: the one recorded in the stage state, else `defaultPrior`,
 * recorded now with `horizonMs` (how long its ticks run) as its horizon (on the first step, or the first after an
 * upgrade from a release that did not record it). Nothing is recorded for an analysis without
 * SEQUENTIAL metrics. A record that is not a valid prior or horizon is a corrupt state, not something
 * to paper over with today's default.
 */
function recordedPrior(
  ctx: StageContext<"ANALYSIS">,
  metrics: readonly AnalysisMetric[],
  defaultPrior: Readonly<SequentialPrior>,
  horizonMs: number,
): RecordedPrior {
  // The store checked the shape (a horizon that is not a positive duration is a corrupt row); whether the
  // numbers make a prior is the analysis's to say.
  const { sequentialPrior: stored, sequentialHorizonMs: storedHorizon } = ctx.stage.state;
  if (isSequentialPrior(stored)) return { prior: stored, horizonMs: storedHorizon };
  if (stored !== undefined) {
    throw new SequentialError(
      "SEQUENTIAL_BAD_STATE",
      `stage state sequentialPrior is not a valid prior: ${JSON.stringify(stored)}`,
    );
  }
  if (metrics.some((m) => m.strategy === "SEQUENTIAL")) {
    ctx.saveState({ sequentialPrior: { ...defaultPrior }, sequentialHorizonMs: horizonMs });
  }
  return { prior: defaultPrior, horizonMs };
}

/** The prior one metric folds with: the recorded one, cut at the last bucket of its interval. */
function metricPrior(recorded: RecordedPrior, metric: AnalysisMetric): Readonly<SequentialPrior> {
  const { prior, horizonMs } = recorded;
  if (horizonMs === undefined || metric.strategy !== "SEQUENTIAL") return prior;
  return { ...prior, horizon: horizonFor(horizonMs, metric.common.intervalMs) };
}

function toTick(m: Measurement): TickRecord {
  return { at: m.at, verdict: m.verdict as TickVerdict, reason: String(m.data.reason ?? ""), data: m.data };
}

/**
 * A deciding metric whose provider failed `consecutiveErrorLimit` times in a row: what makes
 * `decideAnalysis` ask, and what keeps the metric measured past `end` until the provider answers.
 */
function pausedForErrors(metric: AnalysisMetric, progress: MetricProgress, limit: number): boolean {
  return !metric.common.dryRun && progress.consecutiveErrors >= limit;
}

/** When the next step is due: the next tick of any metric that still has one (see `catchUp`). */
function nextTick(
  standings: readonly MetricStanding[],
  origin: number,
  end: number,
  now: number,
  consecutiveErrorLimit: number,
): number {
  const upcoming = standings
    .map((s) => ({ s, at: (s.progress.lastAt ?? origin) + s.metric.common.intervalMs }))
    .filter(({ s, at }) => at <= end || pausedForErrors(s.metric, s.progress, consecutiveErrorLimit))
    .map(({ at }) => at);
  if (upcoming.length > 0) return Math.min(...upcoming);
  // No tick left before the end (an interval that does not divide the duration): decide at the end.
  // After it nothing is measured any more, so only people end the wait (a command wakes the runner) or
  // the stage's or the deployment's timeout, at which the runner cuts every wait short.
  return now < end ? end : Number.POSITIVE_INFINITY;
}

/** The timeline warning of the module comment, one line per metric that cannot fail. */
function warnUnfailable(ctx: StageContext, metrics: readonly AnalysisMetric[]): void {
  for (const metric of metrics) {
    if (metric.strategy === "THRESHOLD" || metric.strategy === "SEQUENTIAL") continue;
    const problem = comparisonPointsProblem(metric.query, metric.common.intervalMs, metric.deviation);
    if (problem === undefined) continue;
    const message = `Warning: ${metric.common.name} (${metric.strategy}): ${problem}`;
    ctx.logger.warn({ metric: metric.common.name, strategy: metric.strategy }, message);
    ctx.report(message, { warning: "COMPARISON_TOO_FEW_POINTS", metric: metric.common.name });
  }
}

function progressLine(standings: readonly MetricStanding[]): string {
  return standings
    .map(
      ({ metric, progress }) =>
        `${progress.name}: ${progress.answered} checks${metric.common.dryRun ? " (dry run)" : ""}, ${progress.lastReason || "waiting for the first window"}`,
    )
    .join("; ");
}
