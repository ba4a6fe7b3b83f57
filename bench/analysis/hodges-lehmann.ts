/**
 * The Hodges-Lehmann estimate of the shift between two samples and its confidence interval from the
 * Mann-Whitney distribution (Hollander & Wolfe's large-sample form), for the Kayenta-like judge of the
 * analysis benchmark. Bench-only: production never judges this way.
 *
 * With x the canary and y the control, the shift is the median of the n1·n2 pairwise differences
 * x_i − y_j (positive: the canary is higher). The (1 − a) interval is [D_(c), D_(n1·n2 + 1 − c)], D_(k)
 * the k-th smallest difference, c = round(n1·n2/2 − z_{1−a/2}·σ_U) with σ_U the standard deviation of U
 * under the null, tie-corrected as in the Mann-Whitney normal approximation. When c < 1 the data are too
 * few for that confidence and the interval is unbounded.
 *
 * The k-th difference is found without listing the n1·n2 differences (a 1,667 × 1,667 matrix at the
 * longest benchmark horizon): with x ascending and y descending the differences form a matrix sorted
 * along rows and columns, and a randomized selection (Monahan's idea) shrinks each row's candidate range
 * around a pivot counted in O(n1 + n2). Expected O((n1 + n2)·log(n1·n2)) per rank. The pivots come from a
 * fixed-seed generator, so results are deterministic.
 *
 * Pure: no I/O, no clock.
 */

import { SeededRandom } from "../../sandbox/seeded-random.js";
import { doubledMidranks } from "../../src/analysis/doubled-midranks.js";
import { normalCdf } from "../../src/analysis/normal-cdf.js";

export interface ShiftEstimate {
  /** Median of the pairwise differences x_i − y_j. */
  estimate: number;
  /** Interval ends: −Infinity / Infinity when the samples are too small for the confidence. */
  lower: number;
  upper: number;
  /** c: the lower end is the c-th smallest difference, the upper the c-th largest (< 1: unbounded). */
  rank: number;
}

export type HodgesLehmannErrorCode = "EMPTY_SAMPLE" | "NOT_A_NUMBER" | "BAD_RANK" | "BAD_CONFIDENCE";

/** Invalid input (a bug in the caller, never an outcome of the data). */
export class HodgesLehmannError extends Error {
  override readonly name = "HodgesLehmannError";
  constructor(
    readonly code: HodgesLehmannErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Hodges-Lehmann shift of x over y with its `confidence` (two-sided, in (0, 1)) interval. Throws
 * HodgesLehmannError on an empty sample, a NaN, or a confidence outside (0, 1).
 */
export function hodgesLehmann(x: readonly number[], y: readonly number[], confidence: number): ShiftEstimate {
  if (!(confidence > 0 && confidence < 1)) {
    throw new HodgesLehmannError("BAD_CONFIDENCE", `confidence must be in (0, 1), got ${confidence}`);
  }
  const xs = sortedSample(x, "x");
  const ys = sortedSample(y, "y");
  const pairs = xs.length * ys.length;
  const middle = Math.floor((pairs + 1) / 2);
  const estimate =
    pairs % 2 === 1
      ? kthSorted(xs, ys, middle)
      : (kthSorted(xs, ys, middle) + kthSorted(xs, ys, middle + 1)) / 2;
  const rank = intervalRank(xs, ys, confidence);
  if (rank < 1) return { estimate, lower: Number.NEGATIVE_INFINITY, upper: Number.POSITIVE_INFINITY, rank };
  return {
    estimate,
    lower: kthSorted(xs, ys, rank),
    upper: kthSorted(xs, ys, pairs + 1 - rank),
    rank,
  };
}

/**
 * The k-th smallest (1-based, 1 ≤ k ≤ |x|·|y|) of the pairwise differences x_i − y_j, ties counted
 * with multiplicity. Throws HodgesLehmannError on an empty sample, a NaN or a rank out of range.
 */
export function kthPairwiseDifference(x: readonly number[], y: readonly number[], k: number): number {
  return kthSorted(sortedSample(x, "x"), sortedSample(y, "y"), k);
}

/** z with Φ(z) = p, 0 < p < 1, by bisection on Φ (to the last bit; only called once per interval). */
export function normalQuantile(p: number): number {
  let lo = -40;
  let hi = 40;
  for (let i = 0; i < 200 && hi - lo > 0; i++) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    if (normalCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** c = round(n1·n2/2 − z·σ_U), σ_U tie-corrected (0 when every pooled value is equal). */
function intervalRank(xs: readonly number[], ys: readonly number[], confidence: number): number {
  const n1 = xs.length;
  const n2 = ys.length;
  const n = n1 + n2;
  let tieTerm = 0;
  for (const { size } of doubledMidranks([...xs, ...ys]).groups) tieTerm += size ** 3 - size;
  const variance = ((n1 * n2) / 12) * (n + 1 - (n > 1 ? tieTerm / (n * (n - 1)) : 0));
  const z = normalQuantile(1 - (1 - confidence) / 2);
  return Math.round((n1 * n2) / 2 - z * Math.sqrt(Math.max(0, variance)));
}

function sortedSample(sample: readonly number[], name: string): number[] {
  if (sample.length === 0) throw new HodgesLehmannError("EMPTY_SAMPLE", `sample ${name} is empty`);
  if (sample.some((v) => Number.isNaN(v)))
    throw new HodgesLehmannError("NOT_A_NUMBER", `sample ${name} has NaN`);
  return [...sample].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Selection in the matrix D(i, j) = xs[i] − yd[j], yd = ys reversed: non-decreasing along i and j
 * (IEEE subtraction is monotone in each argument, so the sorted structure survives rounding). Row i keeps
 * candidate columns [lo[i], hi[i]). Each round takes a uniformly random candidate as the pivot p, counts
 * the differences < p and ≤ p in the whole matrix, and drops the candidates on the wrong side of p; the
 * pivot itself is always dropped or returned, so the loop ends, and every difference equal to the answer
 * stays a candidate until then.
 */
function kthSorted(xs: readonly number[], ys: readonly number[], k: number): number {
  const n = xs.length;
  const m = ys.length;
  if (!(Number.isInteger(k) && k >= 1 && k <= n * m)) {
    throw new HodgesLehmannError("BAD_RANK", `rank must be an integer in [1, ${n * m}], got ${k}`);
  }
  const yd = [...ys].reverse();
  const at = (i: number, j: number): number => (xs[i] as number) - (yd[j] as number);
  const lo = new Int32Array(n);
  const hi = new Int32Array(n).fill(m);
  const below = new Int32Array(n);
  const through = new Int32Array(n);
  const rng = new SeededRandom(0x4c48 ^ (n * 31 + m));
  for (;;) {
    let remaining = 0;
    for (let i = 0; i < n; i++) remaining += (hi[i] as number) - (lo[i] as number);
    let r = rng.int(remaining);
    let row = 0;
    while (r >= (hi[row] as number) - (lo[row] as number)) {
      r -= (hi[row] as number) - (lo[row] as number);
      row += 1;
    }
    const pivot = at(row, (lo[row] as number) + r);
    // below[i] = #{j : D(i, j) < pivot}, through[i] = #{j : D(i, j) ≤ pivot}; both fall as i grows.
    let less = 0;
    let atMost = 0;
    let jb = m;
    let jt = m;
    for (let i = 0; i < n; i++) {
      while (jb > 0 && at(i, jb - 1) >= pivot) jb -= 1;
      while (jt > 0 && at(i, jt - 1) > pivot) jt -= 1;
      below[i] = jb;
      through[i] = jt;
      less += jb;
      atMost += jt;
    }
    if (k <= less) {
      for (let i = 0; i < n; i++) hi[i] = Math.min(hi[i] as number, below[i] as number);
    } else if (k > atMost) {
      for (let i = 0; i < n; i++) lo[i] = Math.max(lo[i] as number, through[i] as number);
    } else {
      return pivot;
    }
  }
}
