/**
 * What makes metric data impossible (DESIGN §5: "impossible values are data-quality errors, never
 * used"). Pure rules, applied where the data is still whole enough to judge:
 *
 * - `seriesProblem`, per series, at the provider edge (providers/datadog, providers/recorded-metrics)
 *   and when `kanaria replay` loads a recording: two points at one timestamp, or a value that is not a
 *   finite number. Only there is one series still one series: a query that returns several (an
 *   unaggregated `by {host}`) is handed on as one list of points, where equal timestamps are normal.
 *   A provider that finds a problem answers `{kind: "invalid"}` for the whole query, never the points
 *   without the bad ones: dropping or summing them is exactly what made a regression look healthy.
 * - `countProblem` and `bucketProblem`, in the SEQUENTIAL tick (stages/analysis-tick.ts), the only
 *   place that knows a query is a count: a negative count, and more errors than requests in a bucket.
 *   Other strategies read gauges, where negative values can be real.
 *
 * The tick that meets either gets the DATA_ERROR verdict: it neither passes nor fails, counts toward
 * asking people like a provider error, and its reason names the query and the window.
 */

/**
 * The first problem of one series' points (any order), or undefined when they can be used. Linear for
 * points in time order (what providers and recordings hold); a set of timestamps otherwise.
 */
export function seriesProblem(points: ReadonlyArray<readonly [number, number | null]>): string | undefined {
  let ordered = true;
  for (let i = 0; i < points.length; i++) {
    const [at, value] = points[i] as readonly [number, number | null];
    if (value !== null && !Number.isFinite(value)) return `value ${value} at ${isoTime(at)}`;
    const before = points[i - 1]?.[0];
    if (before === at) return duplicate(at);
    if (before !== undefined && before > at) ordered = false;
  }
  if (ordered) return undefined;
  const seen = new Set<number>();
  for (const [at] of points) {
    if (seen.has(at)) return duplicate(at);
    seen.add(at);
  }
  return undefined;
}

/**
 * The same rules for a series held as columns in time order (recorded-series.ts: a null point is NaN,
 * so only ±Infinity is a bad value here).
 */
export function columnsProblem(at: ArrayLike<number>, value: ArrayLike<number>): string | undefined {
  for (let i = 0; i < at.length; i++) {
    const v = value[i] as number;
    if (v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY)
      return `value ${v} at ${isoTime(at[i] as number)}`;
    if (i > 0 && at[i - 1] === at[i]) return duplicate(at[i] as number);
  }
  return undefined;
}

function duplicate(at: number): string {
  return `two points at ${isoTime(at)} in one series`;
}

/** The first negative point of a count series, or undefined. */
export function countProblem(points: ReadonlyArray<readonly [number, number]>): string | undefined {
  const negative = points.find(([, value]) => value < 0);
  return negative ? `negative count ${negative[1]} at ${isoTime(negative[0])}` : undefined;
}

/** One side's counts in a bucket; `total` undefined when its query had no data. */
export interface SideCounts {
  errors: number;
  total: number | undefined;
}

/** More errors than requests on one side of a bucket; undefined when the counts are possible. */
export function bucketProblem(side: string, counts: SideCounts): string | undefined {
  if (counts.total === undefined || counts.errors <= counts.total) return undefined;
  return `${side} errors ${counts.errors} > total ${counts.total}`;
}

function isoTime(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}
