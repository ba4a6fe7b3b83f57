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
 * A query that is not in the recording at all is not "no data" but a mistake (a mistyped template, a
 * recording of another pipeline): `query` rejects with KanariaError `RECORDING_MISSING_QUERY`, naming
 * the query and the recorded ones.
 */
import { queryResolution } from "../config/metric-lints.js";
import type { RecordedPoint } from "../config/parse-recording.js";
import { KanariaError } from "../domain/kanaria-error.js";
import type { Clock, MetricQuery, MetricQueryResult, Metrics } from "../ports.js";
import { completePoints, lagShiftedWindow } from "./datadog/complete-points.js";
import { queryEachAlone } from "./metrics-from-query.js";

export class RecordedMetrics implements Metrics {
  /** Bucket width (seconds) per recorded query; see the module comment. */
  private readonly widths = new Map<string, number>();

  constructor(
    private readonly series: ReadonlyMap<string, readonly RecordedPoint[]>,
    private readonly clock: Clock,
    private readonly lagMs: number,
  ) {
    for (const [query, points] of series) this.widths.set(query, bucketSeconds(query, points));
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
    const window = lagShiftedWindow({ fromMs: request.from, toMs: request.to }, this.clock.now(), this.lagMs);
    const width = this.widths.get(request.query) ?? queryResolution(request.query).seconds;
    const points = completePoints(recorded, width, window);
    return points.length > 0 ? { kind: "points", points } : { kind: "no-data" };
  }

  queryAll(requests: readonly MetricQuery[]): Promise<MetricQueryResult[]> {
    return queryEachAlone(this, requests);
  }
}

/** The inferred bucket width of one recorded series, in seconds (see the module comment). */
export function bucketSeconds(query: string, points: readonly RecordedPoint[]): number {
  const resolution = queryResolution(query).seconds;
  const times = [...new Set(points.map(([at]) => at))].sort((a, b) => a - b);
  let smallestGapMs = Number.POSITIVE_INFINITY;
  for (let i = 1; i < times.length; i++) {
    smallestGapMs = Math.min(smallestGapMs, (times[i] as number) - (times[i - 1] as number));
  }
  return Math.min(resolution, smallestGapMs / 1000);
}
