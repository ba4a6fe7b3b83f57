/**
 * ANALYSIS {duration, metrics, consecutiveErrorLimit}: every `interval`, each metric is measured over
 * the window that just ended and the tick is stored (values, counts, estimate, interval, evidence,
 * p-value, verdict). Ticks sit on a fixed grid from the analysis start (start + k·interval), so a
 * restarted analysis catches up on the windows it missed, from its stored ticks and elapsed time, and a
 * replay of recorded series reproduces the live verdicts.
 *
 * The stage ends as `decideAnalysis` says: FAIL rolls back; PASS promotes; ASK (provider errors in a
 * row, or too little traffic to decide) pauses and asks people — Approve continues, Roll back rolls back
 * — and lifts itself if the provider recovers before anyone answers.
 */
import { decideAnalysis, type MetricStanding } from "../analysis/analysis-decision.js";
import { foldMetric, hasFailed, type TickRecord } from "../analysis/metric-progress.js";
import type { TickVerdict } from "../analysis/tick-evaluators.js";
import type { AnalysisMetric } from "../config/types.js";
import { APPROVAL_KEY, approvalsOf } from "../engine/approval-state.js";
import type { StageContext, StageExecutor } from "../engine/stage-executor.js";
import type { Measurement } from "../store/measurement-repository.js";
import { runTick } from "./analysis-tick.js";
import { storedDeadline } from "./stored-deadline.js";

const MINUTE_MS = 60_000;

export const analysisExecutor: StageExecutor<"ANALYSIS"> = {
  kind: "ANALYSIS",
  async step(ctx) {
    const { durationMs, metrics, consecutiveErrorLimit } = ctx.stage.options;
    // Ticks sit on a grid aligned to whole minutes: Datadog's buckets are, and a window that cuts every
    // bucket (a 1m interval from 09:00:30) would hold no complete one, so every tick would be NO_DATA.
    const start = storedDeadline(
      ctx,
      "analysisStart",
      (MINUTE_MS - (ctx.clock.now() % MINUTE_MS)) % MINUTE_MS,
    );
    const end = start + durationMs;
    const stored = ctx.measurements();

    const standings: MetricStanding[] = [];
    for (const metric of metrics) {
      const ticks = stored.filter((m) => m.metric === metric.common.name).map(toTick);
      const standing = await catchUp(ctx, metric, ticks, start, end);
      if ("retryAt" in standing) return { type: "wait", until: standing.retryAt, reason: standing.reason };
      standings.push(standing);
    }

    const now = ctx.clock.now();
    const decision = decideAnalysis(standings, now >= end, consecutiveErrorLimit);
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
          until: nextTick(standings, start, end, now),
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
        if (ctx.stage.state[APPROVAL_KEY] !== undefined) ctx.saveState({ [APPROVAL_KEY]: undefined });
        return { type: "wait", until: nextTick(standings, start, end, now), reason: progressLine(standings) };
    }
  },
};

/** Runs every tick of `metric` that is due and not yet stored; stops early once the metric failed. */
async function catchUp(
  ctx: StageContext,
  metric: AnalysisMetric,
  stored: TickRecord[],
  start: number,
  end: number,
): Promise<MetricStanding | { retryAt: number; reason: string }> {
  const interval = metric.common.intervalMs;
  const ticks = [...stored];
  let progress = foldMetric(metric, ticks);
  for (let at = (progress.lastAt ?? start) + interval; at <= Math.min(end, ctx.clock.now()); at += interval) {
    // A deciding metric that failed ends the stage; a dry-run one keeps being measured.
    if (!metric.common.dryRun && hasFailed(metric, progress)) break;
    const result = await runTick(
      ctx,
      metric,
      { from: at - interval, to: at, analysisStart: start },
      progress,
    );
    // A rate limit is waited out once for the same tick before it counts as an error.
    const retryKey = `retry:${metric.common.name}`;
    if (result.verdict === "ERROR" && result.retryAfterMs !== undefined && ctx.stage.state[retryKey] !== at) {
      ctx.saveState({ [retryKey]: at });
      return { retryAt: ctx.clock.now() + result.retryAfterMs, reason: `rate limited: ${result.reason}` };
    }
    const tick: TickRecord = { at, verdict: result.verdict, reason: result.reason, data: result.data };
    ctx.recordMeasurement({
      metric: metric.common.name,
      at,
      verdict: tick.verdict,
      data: { ...tick.data, reason: tick.reason },
    });
    ticks.push(tick);
    progress = foldMetric(metric, ticks);
  }
  return { metric, progress };
}

function toTick(m: Measurement): TickRecord {
  return { at: m.at, verdict: m.verdict as TickVerdict, reason: String(m.data.reason ?? ""), data: m.data };
}

function nextTick(standings: readonly MetricStanding[], start: number, end: number, now: number): number {
  const upcoming = standings
    .map((s) => (s.progress.lastAt ?? start) + s.metric.common.intervalMs)
    .filter((t) => t <= end);
  // Past the end (paused, waiting for people), look again every minute for a provider that recovered.
  return upcoming.length > 0 ? Math.min(...upcoming) : Math.max(now + 60_000, end);
}

function progressLine(standings: readonly MetricStanding[]): string {
  return standings
    .map(
      ({ metric, progress }) =>
        `${progress.name}: ${progress.answered} checks${metric.common.dryRun ? " (dry run)" : ""}, ${progress.lastReason || "waiting for the first window"}`,
    )
    .join("; ");
}
