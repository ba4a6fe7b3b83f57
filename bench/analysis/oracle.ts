/**
 * The benchmark's oracle bound: the power of the best level-α test that cancels shared noise, for a
 * canary whose error rate is a known constant r > 1 times the control's from a known onset.
 *
 * Like SEQUENTIAL it conditions on each bucket's errors: given m_i errors and canary share s_i, the
 * canary's count is Binomial(m_i, θ(r)), θ(r) = r·s_i / (r·s_i + 1 − s_i), whatever the (noisy, shared)
 * base rate is. The likelihood ratio of θ(r) against θ(1) over a set of buckets is
 * Π_i (1 + s_i(r − 1))^(−m_i) · r^X with X = Σ_i canary errors (the odds ratio θ(r)(1 − θ(1)) /
 * (θ(1)(1 − θ(r))) is exactly r in every bucket), so given the m_i and s_i it increases with X alone.
 * By Neyman-Pearson the most powerful level-α test of r = 1 against r rejects for large X, randomising
 * at the boundary: with X ~ Σ_i Binomial(m_i, s_i) under r = 1 (a Poisson-binomial law, computed
 * exactly), the critical value c is the smallest with P(X > c) ≤ α and the test rejects with
 * probability γ = (α − P(X > c)) / P(X = c) when X = c. Its size is exactly α, and it is the same test
 * for every r > 1: knowing the onset (which buckets to sum) is what the oracle really knows.
 *
 * No test that looks at the same buckets (sequential or not, knowing r or not) has more power at level
 * α, so a target figure above this bound is out of reach for every level-α test on the conditional
 * split, SEQUENTIAL included.
 */

/** The null law of X (canary errors summed over buckets, r = 1), built bucket by bucket. */
export interface NullSplit {
  /** pmf[x] = P(X = x) under r = 1; length = errors so far + 1. */
  pmf: number[];
  /** X observed so far. */
  canaryErrors: number;
}

export function emptyNullSplit(): NullSplit {
  return { pmf: [1], canaryErrors: 0 };
}

/**
 * Folds one bucket into the null law (in place): `errors` more Bernoulli(share) terms, one at a time
 * (exact, and stable: every step is a convex combination). Counts must be non-negative integers.
 */
export function addBucket(split: NullSplit, canaryErrors: number, errors: number, share: number): void {
  if (
    !(
      Number.isInteger(errors) &&
      Number.isInteger(canaryErrors) &&
      canaryErrors >= 0 &&
      errors >= canaryErrors
    )
  ) {
    throw new RangeError(
      `oracle: counts must be integers with 0 ≤ canary ≤ total, got ${canaryErrors} / ${errors}`,
    );
  }
  if (!(share >= 0 && share <= 1)) throw new RangeError(`oracle: share must be in [0, 1], got ${share}`);
  const pmf = split.pmf;
  const q = 1 - share;
  for (let e = 0; e < errors; e++) {
    pmf.push(0);
    for (let x = pmf.length - 1; x > 0; x--) {
      pmf[x] = (pmf[x] as number) * q + (pmf[x - 1] as number) * share;
    }
    pmf[0] = (pmf[0] as number) * q;
  }
  split.canaryErrors += canaryErrors;
}

export interface NeymanPearsonTest {
  /** Reject when X > critical. */
  critical: number;
  /** Reject with this probability when X = critical, in [0, 1]. */
  gamma: number;
  /** P(X > critical) under the null, ≤ alpha. */
  tailAbove: number;
}

/** The randomised level-alpha test rejecting for large X, from X's null pmf. */
export function neymanPearson(pmf: readonly number[], alpha: number): NeymanPearsonTest {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`oracle: alpha must be in (0, 1), got ${alpha}`);
  let above = 0;
  for (let x = pmf.length - 1; x >= 0; x--) {
    const p = pmf[x] as number;
    if (above + p > alpha) {
      return { critical: x, gamma: Math.min(1, Math.max(0, (alpha - above) / p)), tailAbove: above };
    }
    above += p;
  }
  // Only when the pmf sums to ≤ alpha, i.e. never for a probability law; reject everything.
  return { critical: -1, gamma: 0, tailAbove: above };
}

/** The test's rejection probability at an observed X. */
export function rejectionProbability(test: NeymanPearsonTest, x: number): number {
  if (x > test.critical) return 1;
  return x === test.critical ? test.gamma : 0;
}

/** The oracle's rejection probability on the buckets folded into `split` (its X as observed). */
export function oracleRejection(split: NullSplit, alpha: number): number {
  return rejectionProbability(neymanPearson(split.pmf, alpha), split.canaryErrors);
}
