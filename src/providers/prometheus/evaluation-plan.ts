/**
 * Which evaluations of a PromQL query one analysis window needs, and how the provider's lag moves them.
 * Pure; the provider (prometheus-metrics.ts) turns the plan into an HTTP request.
 *
 * A Prometheus point is an evaluation at an instant `t`; a range selector in the query (`[1m]`) looks
 * back from `t`, so the evaluation at `t` stands for the stretch `(t − step, t]` when the selector equals
 * the step. The plan therefore evaluates at the *ends* of the window's steps, never at its start (an
 * evaluation at `from` would count the time before the window again):
 *
 * - **Step**: at most 60 s (PipeCD's step for Prometheus, and the one point per minute the config lint
 *   `comparisonPointsProblem` assumes), and a whole fraction of the window so that the steps tile it:
 *   a 5-minute interval is 5 steps of 60 s, a 90 s interval 2 steps of 45 s, a 30 s interval one step.
 * - **One value or a range**: a window of one step is one value, asked from `/api/v1/query` at the
 *   window's end; a window of several steps is `/api/v1/query_range` from the first step's end to the
 *   window's end.
 * - **Lag**: the newest samples are not in Prometheus yet (scrape interval, then rule evaluation for
 *   recorded series), so an evaluation near now sees a part of its last step: an incomplete bucket that
 *   undercounts. The window is moved back by the lag, rounded up to whole seconds, or further when it
 *   would still end after `now − lag`. The shift does not depend on how late a tick runs, so the windows
 *   of consecutive ticks still tile time, and no evaluation is ever later than `now − lag`.
 * - **Timestamps**: the provider reports each point at the start of its step (`t − step`), so that a
 *   point stands for `[t − step, t)` as a Datadog point stands for its bucket, and recordings replay
 *   with the same window rules (providers/recorded-metrics.ts).
 */

/** PipeCD queries Prometheus with a one-minute step. */
export const MAX_STEP_MS = 60_000;

export interface EvaluationPlan {
  kind: "instant" | "range";
  /** The first evaluation instant (ms); equals `endMs` for an instant query. */
  startMs: number;
  /** The last evaluation instant (ms): the lag-shifted window's end. */
  endMs: number;
  stepMs: number;
}

/** The evaluations for the window `[fromMs, toMs)` at `nowMs` with `lagMs` of lag (see above). */
export function evaluationPlan(fromMs: number, toMs: number, nowMs: number, lagMs: number): EvaluationPlan {
  const length = toMs - fromMs;
  const needed = Math.max(lagMs, toMs - (nowMs - lagMs));
  const shift = Math.ceil(needed / 1000) * 1000;
  const steps = Math.ceil(length / MAX_STEP_MS);
  const stepMs = length / steps;
  const endMs = toMs - shift;
  const startMs = endMs - (steps - 1) * stepMs;
  return { kind: steps === 1 ? "instant" : "range", startMs, endMs, stepMs };
}

/** Whether `atMs` is one of the plan's evaluation instants (a server answering others is ignored). */
export function isPlannedInstant(plan: EvaluationPlan, atMs: number): boolean {
  if (atMs < plan.startMs - 1 || atMs > plan.endMs + 1) return false;
  const k = (atMs - plan.startMs) / plan.stepMs;
  // Timestamps travel as seconds with millisecond precision: allow a millisecond of rounding.
  return Math.abs(k - Math.round(k)) * plan.stepMs <= 1;
}

/** Seconds for Prometheus's `time`, `start`, `end` and `step` parameters (millisecond precision). */
export function promSeconds(ms: number): string {
  return (Math.round(ms) / 1000).toString();
}
