/**
 * RecordedMetrics answers a window as the live Datadog provider would: lag shift, whole buckets only
 * (the bucket width inferred from the recording), nulls dropped, nothing left is no data.
 */
import { describe, expect, it } from "vitest";
import type { RecordedPoint } from "../../src/config/parse-recording.js";
import { recordedSeries } from "../../src/config/recorded-series.js";
import type { MetricQuery } from "../../src/ports.js";
import { bucketSeconds, RecordedMetrics } from "../../src/providers/recorded-metrics.js";
import { FakeClock } from "../fakes/fake-clock.js";

const M = 60_000;
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

function ask(
  series: Record<string, RecordedPoint[]>,
  query: string,
  fromMin: number,
  toMin: number,
  lagMs = 0,
) {
  // The clock sits at the window's end, as a tick that runs on time does.
  const clock = new FakeClock(T0 + toMin * M);
  const columns = Object.entries(series).map(([q, points]) => [q, recordedSeries(points)] as const);
  const recorded = new RecordedMetrics(new Map(columns), clock, lagMs);
  const request: MetricQuery = {
    provider: "datadog",
    query,
    from: T0 + fromMin * M,
    to: T0 + toMin * M,
    timeoutMs: 1000,
  };
  return recorded.query(request);
}

/** Points at `T0 + offset` (ms) with the given values. */
const at = (...points: Array<[offsetMs: number, value: number | null]>): RecordedPoint[] =>
  points.map(([offset, value]) => [T0 + offset, value]);

describe("RecordedMetrics", () => {
  it("drops a coarse bucket that runs past the window's end, as live drops the trailing partial bucket", async () => {
    const q = "avg:latency{app:web}.rollup(avg, 300)";
    const series = { [q]: at([0, 100], [5 * M, 200], [10 * M, 300]) };
    // A 1-minute window holds no whole 5-minute bucket: live gets nothing complete.
    expect(await ask(series, q, 0, 1)).toEqual({ kind: "no-data" });
    expect(await ask(series, q, 5, 6)).toEqual({ kind: "no-data" });
    expect(await ask(series, q, 0, 5)).toEqual({ kind: "points", points: [[T0, 100]] });
    expect(await ask(series, q, 0, 14)).toEqual({
      kind: "points",
      points: [
        [T0, 100],
        [T0 + 5 * M, 200],
      ],
    });
  });

  it("infers sub-minute buckets from the spacing and keeps only those that end inside the window", async () => {
    const q = "avg:cpu{app:web}";
    // 45 s buckets: 0, 45, 90, 135 s. In [60 s, 120 s) the bucket at 90 s ends at 135 s: not whole.
    const series = { [q]: at([0, 1], [45_000, 2], [90_000, 3], [135_000, 4]) };
    expect(await ask(series, q, 1, 2)).toEqual({ kind: "no-data" });
    expect(await ask(series, q, 0, 3)).toEqual({
      kind: "points",
      points: [
        [T0, 1],
        [T0 + 45_000, 2],
        [T0 + 90_000, 3],
        [T0 + 135_000, 4],
      ],
    });
  });

  it("keeps every point of a sparse count series: its buckets are the query's minute, not the gaps", async () => {
    const q = "sum:errors{variant:canary}.as_count()";
    const series = { [q]: at([3 * M, 1], [7 * M, 2], [12 * M, 1]) };
    expect(await ask(series, q, 7, 8)).toEqual({ kind: "points", points: [[T0 + 7 * M, 2]] });
    expect(await ask(series, q, 12, 13)).toEqual({ kind: "points", points: [[T0 + 12 * M, 1]] });
  });

  it("drops nulls (never 0) and says no data when nothing is left", async () => {
    const q = "sum:errors{*}.as_count()";
    const series = { [q]: at([0, null], [M, 4], [2 * M, null]) };
    expect(await ask(series, q, 0, 1)).toEqual({ kind: "no-data" });
    expect(await ask(series, q, 0, 3)).toEqual({ kind: "points", points: [[T0 + M, 4]] });
  });

  it("shifts the window back by the recording's lag, in whole minutes", async () => {
    const q = "sum:hits{*}.as_count()";
    const series = { [q]: at([0, 10], [M, 20], [2 * M, 30]) };
    expect(await ask(series, q, 2, 3, 60_000)).toEqual({ kind: "points", points: [[T0 + M, 20]] });
    expect(await ask(series, q, 2, 3, 30_000)).toEqual({ kind: "points", points: [[T0 + M, 20]] });
  });

  it("rejects a query the recording lacks, naming the recorded ones", async () => {
    const series = { "sum:hits{*}": at([0, 1]) };
    await expect(ask(series, "sum:hitz{*}", 0, 1)).rejects.toMatchObject({
      code: "RECORDING_MISSING_QUERY",
      message: expect.stringContaining("recorded queries:\n  sum:hits{*}"),
    });
  });
});

describe("bucketSeconds", () => {
  it.each<[string, string, RecordedPoint[], number]>([
    ["one-minute points", "sum:x{*}", at([0, 1], [M, 2], [2 * M, 3]), 60],
    ["the smallest gap, not the first", "sum:x{*}", at([0, 1], [3 * M, 2], [3 * M + 20_000, 3]), 20],
    ["null points are buckets too", "sum:x{*}", at([0, 1], [10_000, null], [20_000, 3]), 10],
    ["duplicate timestamps are not a gap", "sum:x{*}", at([0, 1], [0, 1], [30_000, 2]), 30],
    ["a single point: 60 s", "sum:x{*}", at([0, 1]), 60],
    ["no points: 60 s", "sum:x{*}", [], 60],
    ["a single point with a rollup: the rollup", "sum:x{*}.rollup(sum, 300)", at([0, 1]), 300],
    ["coarse points with that rollup", "avg:x{*}.rollup(avg, 600)", at([0, 1], [10 * M, 2]), 600],
    ["sparse points, no rollup: capped at 60 s", "sum:x{*}", at([0, 1], [5 * M, 2], [9 * M, 1]), 60],
  ])("%s", (_name, query, points, expected) => {
    expect(bucketSeconds(query, recordedSeries(points))).toBe(expected);
  });
});
