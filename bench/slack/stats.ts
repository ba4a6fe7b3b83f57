/**
 * The figures `bench:slack` reports: nearest-rank percentiles of samples, and counts per label. Pure.
 */

/** p50 / p95 / p99 / max of a set of samples (NaN for each when there are none). */
export interface Summary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/**
 * The nearest-rank percentile: the smallest sample with at least `p`% of the samples at or below it
 * (so p99 of 100 samples is the 99th smallest, and of 10 samples the largest). Never interpolates, so a
 * reported figure is always one that was measured. NaN for no samples; `p` must be in (0, 100].
 */
export function percentile(values: readonly number[], p: number): number {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export function summarize(values: readonly number[]): Summary {
  return {
    count: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    max: values.length === 0 ? Number.NaN : Math.max(...values),
  };
}

/** How many times each label occurs, most frequent first (ties in alphabetical order). */
export function countBy(labels: Iterable<string>): [string, number][] {
  const counts = new Map<string, number>();
  for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
