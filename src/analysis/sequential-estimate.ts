/**
 * Point estimate and smallest detectable ratio of the `SEQUENTIAL` strategy, computed from the state's
 * grid of log-likelihoods and summed counts (no history is kept; see `sequential-test.ts`).
 */
import { gridRatio, logAddExp, logSumExp, type SequentialDesign } from "./sequential-evidence.js";
import { ALTERNATIVES, GRID_HALF_WIDTH, GRID_LOG_STEP, GRID_SIZE } from "./sequential-prior.js";
import type { SequentialCounts } from "./sequential-test.js";

/**
 * Maximum-likelihood ratio: undefined without errors, 0 when only the control had errors, Infinity when
 * only the canary had; otherwise the best grid value refined by `refineMaximum` (relative error ~1e-7
 * against the exact maximiser, checked in the tests), clamped to the grid (maxRatio·1.05^±175).
 */
export function estimateRatio(
  logLikelihood: readonly number[],
  compared: SequentialCounts,
  maxRatio: number,
): number | undefined {
  const { canaryErrors, controlErrors } = compared;
  if (canaryErrors + controlErrors <= 0) return undefined;
  if (canaryErrors <= 0) return 0;
  if (controlErrors <= 0) return Number.POSITIVE_INFINITY;
  let best = 0;
  for (let i = 1; i < GRID_SIZE; i++) if ((logLikelihood[i] ?? 0) > (logLikelihood[best] ?? 0)) best = i;
  const k = best - GRID_HALF_WIDTH;
  if (best === 0 || best === GRID_SIZE - 1) return gridRatio(maxRatio, k);
  const at = (offset: number): number => logLikelihood[best + offset] ?? 0;
  return gridRatio(maxRatio, k + refineMaximum(at, best >= 2 && best <= GRID_SIZE - 3));
}

/**
 * Offset x in [−1, 1] (in grid steps) of the maximum of the polynomial interpolating f(−2 … 2) (quartic)
 * or f(−1 … 1) (parabola), found by Newton's method from the parabola's vertex. f(0) is the largest
 * grid value, so the maximum of the concave log-likelihood lies within one step. The rule is part of
 * the estimate's definition: `scripts/reference/sequential-reference.py` restates it.
 */
export function refineMaximum(f: (offset: number) => number, quartic: boolean): number {
  const fm1 = f(-1);
  const f0 = f(0);
  const fp1 = f(1);
  let a1 = (fp1 - fm1) / 2;
  let a2 = (fp1 - 2 * f0 + fm1) / 2;
  let a3 = 0;
  let a4 = 0;
  if (quartic) {
    const fm2 = f(-2);
    const fp2 = f(2);
    a1 = (fm2 - 8 * fm1 + 8 * fp1 - fp2) / 12;
    a2 = (-fm2 + 16 * fm1 - 30 * f0 + 16 * fp1 - fp2) / 24;
    a3 = (-fm2 + 2 * fm1 - 2 * fp1 + fp2) / 12;
    a4 = (fm2 - 4 * fm1 + 6 * f0 - 4 * fp1 + fp2) / 24;
  }
  if (!(a2 < 0)) return 0;
  const clamp = (x: number): number => Math.min(1, Math.max(-1, x));
  let x = clamp(-a1 / (2 * a2));
  for (let i = 0; i < 50; i++) {
    const slope = a1 + 2 * a2 * x + 3 * a3 * x * x + 4 * a4 * x * x * x;
    const curvature = 2 * a2 + 6 * a3 * x + 12 * a4 * x * x;
    if (!(curvature < 0)) break;
    const nextX = clamp(x - slope / curvature);
    if (Math.abs(nextX - x) < 1e-15) {
      x = nextX;
      break;
    }
    x = nextX;
  }
  return x;
}

/**
 * ln of the evidence the test would show on *expected* data at ratio r: the compared buckets as one
 * bucket with their summed totals and share, the control erring at the pooled rate p and the canary at
 * r·p. (One bucket: the late-start components have not started and count with ratio 1.)
 */
export function expectedLogEvidence(
  compared: SequentialCounts,
  design: SequentialDesign,
  ratio: number,
): number {
  const { canaryErrors, canaryTotal, controlErrors, controlTotal } = compared;
  const rate = (canaryErrors + controlErrors) / (canaryTotal + controlTotal);
  const share = canaryTotal / (canaryTotal + controlTotal);
  const expectedCanary = ratio * rate * canaryTotal;
  const expectedErrors = expectedCanary + rate * controlTotal;
  const base = Math.log1p(share * (design.maxRatio - 1));
  const terms: number[] = [];
  for (let j = 1; j <= ALTERNATIVES; j++) {
    const r = design.ratios[GRID_HALF_WIDTH + j] ?? design.maxRatio;
    const llr = expectedCanary * (j * GRID_LOG_STEP) - expectedErrors * (Math.log1p(share * (r - 1)) - base);
    terms.push((design.logEarly[j - 1] ?? 0) + llr);
  }
  const lateMass = design.weights.lateMass;
  const early = Math.log1p(-lateMass) + logSumExp(terms);
  return lateMass > 0 ? logAddExp(early, Math.log(lateMass)) : early;
}

/**
 * The smallest r > maxRatio whose expected evidence (above) reaches 1/alpha: a ratio this large is
 * flagged by now about half the time (the expected log-evidence is close to its median). Infinity
 * without traffic on both sides or without errors, or beyond maxRatio·1.05^GRID_HALF_WIDTH.
 */
export function minDetectableRatio(
  compared: SequentialCounts,
  design: SequentialDesign,
  alpha: number,
): number {
  const { canaryErrors, canaryTotal, controlErrors, controlTotal } = compared;
  if (!(canaryTotal > 0 && controlTotal > 0 && canaryErrors + controlErrors > 0))
    return Number.POSITIVE_INFINITY;
  const target = -Math.log(alpha);
  // The expected evidence increases with r (more canary errors, each pointing further up), so scan the
  // grid for the first value that reaches the threshold, then bisect in ln r below it.
  let upper = 0;
  for (let k = 1; k <= GRID_HALF_WIDTH; k++) {
    if (expectedLogEvidence(compared, design, gridRatio(design.maxRatio, k)) >= target) {
      upper = k;
      break;
    }
  }
  if (upper === 0) return Number.POSITIVE_INFINITY;
  let lo = (upper - 1) * GRID_LOG_STEP;
  let hi = upper * GRID_LOG_STEP;
  for (let i = 0; i < 100 && hi - lo > 1e-13; i++) {
    const mid = (lo + hi) / 2;
    if (expectedLogEvidence(compared, design, design.maxRatio * Math.exp(mid)) >= target) hi = mid;
    else lo = mid;
  }
  return design.maxRatio * Math.exp(hi);
}
