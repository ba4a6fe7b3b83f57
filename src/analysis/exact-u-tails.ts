/**
 * The exact null distribution of the Mann-Whitney U statistic, conditional on the tie structure of the
 * pooled sample: every one of the C(N, n1) ways to choose which n1 of the N pooled values belong to x is
 * equally likely, and U1 = R1 − n1(n1+1)/2 where R1 is the sum of x's midranks. Without ties this is the
 * classic Mann-Whitney distribution; with ties it is the exact permutation distribution of the midranks
 * (what scipy's `permutation_test` enumerates), computed without enumerating.
 */
import type { TieGroup } from "./doubled-midranks.js";

/** Tail probabilities of U1 at an observed value u. */
export interface UTails {
  /** P(U1 ≤ u) */
  atMost: number;
  /** P(U1 ≥ u) */
  atLeast: number;
}

/**
 * Contract: `groups` are the pooled sample's tie groups in ascending order of value (as
 * `doubledMidranks` returns them), 1 ≤ n1 < N, and `doubledU` = 2·u is an integer in [0, 2·n1·n2].
 *
 * Cost: O(N · min(n1, n2) · n1·n2) time and O(min(n1, n2) · n1·n2) memory, i.e. about 25M multiply-adds
 * and 2 MB for 50 + 50 points. Both tails are sums of nonnegative terms (no 1 − x), so small p-values
 * keep their full relative precision (~1e-14).
 */
export function exactUTails(groups: readonly TieGroup[], n1: number, doubledU: number): UTails {
  let total = 0;
  for (const group of groups) total += group.size;
  const n2 = total - n1;
  // Tabulating the smaller sample is cheaper; U2 = n1·n2 − U1 mirrors the tails.
  if (n1 > n2) {
    const mirrored = tails(doubledUCounts(groups, n2), 2 * n1 * n2 - doubledU);
    return { atMost: mirrored.atLeast, atLeast: mirrored.atMost };
  }
  return tails(doubledUCounts(groups, n1), doubledU);
}

function tails(counts: Float64Array, doubledU: number): UTails {
  // Sum each tail from its far end so the smallest terms are added first.
  let below = 0;
  for (let w = 0; w <= Math.min(doubledU, counts.length - 1); w++) below += counts[w] as number;
  let above = 0;
  for (let w = counts.length - 1; w >= Math.max(doubledU, 0); w--) above += counts[w] as number;
  let all = 0;
  for (let w = 0; w < counts.length; w++) all += counts[w] as number;
  return { atMost: below / all, atLeast: above / all };
}

/**
 * counts[w] = the number of k-subsets of the pooled values whose doubled rank sum minus k(k+1) is w,
 * i.e. the number of ways to get 2·U = w when those k values are the sample. Index range 0..2k(N−k).
 *
 * Dynamic program over the tie groups in ascending order. State row j holds, for the groups seen so far,
 * the counts of j-subsets by w_j = (their doubled rank sum) − j(j+1). Taking m of a group's `size` values
 * (C(size, m) ways) moves row j−m to row j and adds m·doubledRank − (j(j+1) − (j−m)(j−m+1)) to w. That
 * shift is never negative: the j−m values taken before lie in the group's a−1 predecessors and j ≤ b, so
 * 2j − m + 1 ≤ a + b. Hence w never decreases along a path and anything past the final maximum 2k(N−k)
 * can be dropped. Every entry is an integer count stored as a double: counts stay below C(100, 50) ≈ 1e29
 * and only nonnegative terms are added, so the relative rounding error stays around N · 2⁻⁵³.
 */
function doubledUCounts(groups: readonly TieGroup[], k: number): Float64Array {
  let total = 0;
  for (const group of groups) total += group.size;
  const width = 2 * k * (total - k) + 1;
  const rows: Float64Array[] = [];
  for (let j = 0; j <= k; j++) rows.push(new Float64Array(width));
  (rows[0] as Float64Array)[0] = 1;
  // Highest index holding a nonzero count in each row (−1: row still empty), to skip empty work.
  const highest = new Array<number>(k + 1).fill(-1);
  highest[0] = 0;

  let seen = 0;
  for (const group of groups) {
    const ways = binomialRow(group.size);
    // Descending j so that rows j − m (m ≥ 1) still hold the counts before this group.
    for (let j = Math.min(k, seen + group.size); j >= 1; j--) {
      const target = rows[j] as Float64Array;
      for (let m = 1; m <= Math.min(group.size, j); m++) {
        const from = j - m;
        const fromHighest = highest[from] as number;
        if (fromHighest < 0) continue;
        const source = rows[from] as Float64Array;
        const shift = m * group.doubledRank - (j * (j + 1) - from * (from + 1));
        const multiplicity = ways[m] as number;
        const end = Math.min(fromHighest, width - 1 - shift);
        for (let w = 0; w <= end; w++) {
          target[w + shift] = (target[w + shift] as number) + multiplicity * (source[w] as number);
        }
        if (end >= 0) highest[j] = Math.max(highest[j] as number, end + shift);
      }
    }
    seen += group.size;
  }
  return rows[k] as Float64Array;
}

/** [C(n, 0), …, C(n, n)] via Pascal's rule: exact while the values stay below 2⁵³ (n ≤ 56). */
function binomialRow(n: number): number[] {
  const row = [1];
  for (let i = 1; i <= n; i++) {
    row.push(1);
    for (let j = i - 1; j >= 1; j--) row[j] = (row[j] as number) + (row[j - 1] as number);
  }
  return row;
}
