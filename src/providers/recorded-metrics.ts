/**
 * A `Metrics` port that answers from a recording's series (`kanaria replay`), with the Datadog
 * provider's window semantics so that a replay sees what the live stage saw:
 *
 * - the window is shifted back by the recording's lag the same way (`lagShiftedWindow`), on the replay's
 *   virtual clock;
 * - a point belongs to the window when `from ≤ timestamp < to`; null points are dropped, never read as 0;
 * - no point left is `no-data`.
 *
 * A query that is not in the recording at all is not "no data" but a mistake (a mistyped template, a
 * recording of another pipeline): `query` rejects with KanariaError `RECORDING_MISSING_QUERY`, naming
 * the query and the recorded ones.
 */
import type { RecordedPoint } from "../config/parse-recording.js";
import { KanariaError } from "../domain/kanaria-error.js";
import type { Clock, MetricQuery, MetricQueryResult, Metrics } from "../ports.js";
import { lagShiftedWindow } from "./datadog/complete-points.js";
import { queryEachAlone } from "./metrics-from-query.js";

export class RecordedMetrics implements Metrics {
  constructor(
    private readonly series: ReadonlyMap<string, readonly RecordedPoint[]>,
    private readonly clock: Clock,
    private readonly lagMs: number,
  ) {}

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
    const points: Array<[number, number]> = [];
    for (const [at, value] of recorded) {
      if (value === null || !Number.isFinite(value)) continue;
      if (at >= window.fromMs && at < window.toMs) points.push([at, value]);
    }
    return points.length > 0 ? { kind: "points", points } : { kind: "no-data" };
  }

  queryAll(requests: readonly MetricQuery[]): Promise<MetricQueryResult[]> {
    return queryEachAlone(this, requests);
  }
}
