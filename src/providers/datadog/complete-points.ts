/**
 * The data-quality rules of DESIGN §5 that turn what Datadog returned into points the analysis may
 * trust. Pure functions; the provider applies them to every series.
 *
 * - **Lag**: the most recent `lag` of data is still arriving, so every window is moved back (whole,
 *   keeping its length) until it ends on a whole minute at least `lag` before its own end — or before
 *   `now`, when the clock is behind the window's end. The move does not depend on how late a tick runs,
 *   so consecutive ticks asking for consecutive windows tile time without gaps or overlaps, stay aligned
 *   to Datadog's minute buckets (a move of 59.9 s would cut every bucket in two), and a replay asks for
 *   the same windows. The ANALYSIS grid puts its ticks a whole number of minutes plus exactly `lag`
 *   after a whole minute (stages/analysis.ts), so a lag of 90 s reads each minute 90 s after it closed,
 *   not the 2 minutes a shift rounded up to whole minutes would wait.
 * - **Whole buckets only**: a point stands for the bucket `[t, t + interval)`. A bucket that ends after
 *   the window (the trailing partial bucket: Datadog reports the bucket in progress with what it has so
 *   far) or starts before it (a leading bucket cut by an unaligned `from`) is dropped, so each bucket
 *   is counted in exactly one window and never as a fraction of itself.
 * - **Nulls** are dropped, never read as 0: no value is not a zero count.
 */

export interface TimeWindow {
  /** Inclusive, ms since the epoch. */
  fromMs: number;
  /** Exclusive, ms since the epoch. */
  toMs: number;
}

/** Datadog's and CloudWatch's buckets: a shifted window ends on one's boundary. */
const BUCKET_MS = 60_000;

/** The window to ask Datadog for: `window` moved back past the lag onto a whole minute (see above). */
export function lagShiftedWindow(window: TimeWindow, nowMs: number, lagMs: number): TimeWindow {
  const latestEnd = Math.min(window.toMs, nowMs) - lagMs;
  const toMs = Math.floor(latestEnd / BUCKET_MS) * BUCKET_MS;
  return { fromMs: toMs - (window.toMs - window.fromMs), toMs };
}

/** The points of whole buckets inside `window` with a value, in time order. */
export function completePoints(
  pointlist: ReadonlyArray<readonly [number, number | null]>,
  intervalSeconds: number,
  window: TimeWindow,
): Array<[number, number]> {
  const widthMs = intervalSeconds * 1000;
  const out: Array<[number, number]> = [];
  for (const [at, value] of pointlist) {
    if (value === null || !Number.isFinite(value)) continue;
    if (at < window.fromMs || at + widthMs > window.toMs) continue;
    out.push([at, value]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}
