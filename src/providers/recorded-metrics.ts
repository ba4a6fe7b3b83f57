/**
 * A `Metrics` port that answers from a recording's series (`kanaria replay`), with the Datadog
 * provider's window semantics so that a replay sees what the live stage saw:
 *
 * - the window is shifted back by the recording's lag the same way (`lagShiftedWindow`), on the replay's
 *   virtual clock;
 * - whole buckets only, by the live rule (`completePoints`): a point stands for `[t, t + width)` and
 *   counts only when that bucket lies inside the window, so a bucket that runs past the window's end
 *   (what live drops as the trailing partial bucket) is left out here too; null points are dropped,
 *   never read as 0;
 * - no point left is `no-data`.
 *
 * The bucket width: live reads it from Datadog's response (`interval`); a recording holds only points,
 * so it is inferred per series as the smallest positive gap between its recorded timestamps (null points
 * included: they are buckets too), but never wider than the query's own resolution (`queryResolution`:
 * its `.rollup(…, N)`, else 60 s). Spacing alone over-estimates the width of a sparse series — a count
 * of rare errors has points minutes apart, because live drops empty buckets and RecordingMetrics keeps
 * what live returned — and an over-estimate would silently drop points live kept; Datadog's buckets are
 * the query's rollup, the data's spacing only bounds them from above (sub-minute points: finer buckets).
 * A series with a single point (no gap) gets the query's resolution: 60 s without a rollup.
 *
 * A series with impossible points (two at one timestamp, a non-finite value: analysis/data-quality.ts)
 * answers `{kind: "invalid"}` for every window, as live Datadog's would: `kanaria replay` refuses such a
 * recording when it loads it, so only a series built in code gets here.
 *
 * Each query is answered by a binary search for its window in the series (kept in time order), not a
 * scan: a long recording is asked once per tick and query, and a scan made a replay quadratic.
 *
 * A query that is not in the recording at all is not "no data" but a mistake (a mistyped template, a
 * recording of another pipeline): `query` rejects with KanariaError `RECORDING_MISSING_QUERY`, naming
 * the query and the recorded ones.
 */
import { columnsProblem } from "../analysis/data-quality.js";
import { queryResolution } from "../config/metric-lints.js";
import { inTimeOrder, type RecordedSeries } from "../config/recorded-series.js";
import { KanariaError } from "../domain/kanaria-error.js";
import type { Clock, MetricQuery, MetricQueryResult, Metrics } from "../ports.js";
import { lagShiftedWindow } from "./datadog/complete-points.js";
import { queryEachAlone } from "./metrics-from-query.js";

export class RecordedMetrics implements Metrics {
  /** Bucket width (seconds) per recorded query; see the module comment. */
  private readonly widths = new Map<string, number>();
  /** Each recorded series in time order. */
  private readonly series = new Map<string, RecordedSeries>();
  /** Why a series cannot be used, per query (see the module comment). */
  private readonly problems = new Map<string, string>();

  constructor(
    series: ReadonlyMap<string, RecordedSeries>,
    private readonly clock: Clock,
    private readonly lagMs: number,
  ) {
    for (const [query, columns] of series) {
      const sorted = inTimeOrder(columns);
      this.series.set(query, sorted);
      this.widths.set(query, bucketSeconds(query, sorted));
      const problem = columnsProblem(sorted.at, sorted.value);
      if (problem !== undefined) this.problems.set(query, problem);
    }
  }

  /** The recording's lag, whatever the provider's name. */
  lagMsOf(): number {
    return this.lagMs;
  }

  async query(request: MetricQuery): Promise<MetricQueryResult> {
    const recorded = this.series.get(request.query);
    if (!recorded) {
      const known = [...this.series.keys()].map((q) => `  ${q}`).join("\n");
      throw new KanariaError(
        "RECORDING_MISSING_QUERY",
        `the analysis asked for a query that is not in the recording's series:\n  ${request.query}\n` +
          (known === "" ? "the recording has no series" : `recorded queries:\n${known}`),
      );
    }
    const problem = this.problems.get(request.query);
    if (problem !== undefined) return { kind: "invalid", reason: problem };
    const window = lagShiftedWindow({ fromMs: request.from, toMs: request.to }, this.clock.now(), this.lagMs);
    const widthMs = (this.widths.get(request.query) ?? queryResolution(request.query).seconds) * 1000;
    // Whole buckets with a value, by the live rule (complete-points.ts), found by binary search.
    const { at, value } = recorded;
    const points: Array<[number, number]> = [];
    for (let i = firstAtOrAfter(at, window.fromMs); i < at.length; i++) {
      const t = at[i] as number;
      if (t >= window.toMs) break;
      const v = value[i] as number;
      if (Number.isNaN(v) || t + widthMs > window.toMs) continue;
      points.push([t, v]);
    }
    return points.length > 0 ? { kind: "points", points } : { kind: "no-data" };
  }

  queryAll(requests: readonly MetricQuery[]): Promise<MetricQueryResult[]> {
    return queryEachAlone(this, requests);
  }
}

/**
 * The inferred bucket width of one recorded series, in seconds (see the module comment). `series` in
 * time order; equal timestamps are not a gap.
 */
export function bucketSeconds(query: string, series: RecordedSeries): number {
  const resolution = queryResolution(query).seconds;
  const { at } = series;
  let smallestGapMs = Number.POSITIVE_INFINITY;
  for (let i = 1; i < at.length; i++) {
    const gap = (at[i] as number) - (at[i - 1] as number);
    if (gap > 0 && gap < smallestGapMs) smallestGapMs = gap;
  }
  return Math.min(resolution, smallestGapMs / 1000);
}

/** Index of the first timestamp at or after `ms` in timestamps in time order (binary search). */
function firstAtOrAfter(at: Float64Array, ms: number): number {
  let lo = 0;
  let hi = at.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((at[mid] as number) < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
