/**
 * The grid and the mixing prior of the `SEQUENTIAL` strategy (see `sequential-test.ts` for the test).
 *
 * Every ratio the test looks at lies on one log-spaced grid anchored at `maxRatio`:
 * r_k = maxRatio · 1.05^k, k = −GRID_HALF_WIDTH … GRID_HALF_WIDTH. Anchoring it there makes the null
 * value r_0 = maxRatio a grid point, makes r_c · 1.05^d a grid point for every candidate c of the
 * confidence sequence, and lets one vector of log-likelihoods serve the test, the interval and the
 * estimate.
 *
 * The prior is a set of weights over the alternatives r_j = maxRatio · 1.05^j, j = 1 … ALTERNATIVES
 * (1.05× … 49.6× maxRatio), in two families:
 * - "early" (mass 1 − late): the regression is there from the first informative bucket. A log-normal
 *   bump (most of the power where the targets are: 1.5×–2×) plus a share `tail` spread evenly in ln r
 *   over the whole grid (hard failures, 10×–50×, are flagged in one or two buckets even with little
 *   weight).
 * - "late" (mass `late`): the regression starts at informative bucket k ≥ 2, with prior mass
 *   π_k = late·(1 + h) / ((k − 1 + h)·(k + h)), h = `lateScale` (a telescoping sum: π over k ≥ 2
 *   is `late`, and over k > t it is late·(1 + h) / (t + h)), and a ratio evenly spread in ln r from
 *   `lateFrom` to the top of the grid. This is what lets a release that turns bad mid-analysis be
 *   rolled back within two buckets: without it, the evidence against large ratios piled up during the
 *   good minutes must first be paid back. h spreads the start over the first tens of buckets (half of
 *   the late mass on k ≤ h + 2) instead of piling it on the first few, where the early family already
 *   catches a regression: with the default h = 10 a start at bucket 11 has 2.9 times the mass of the plain
 *   late / ((k − 1)·k) law (h = 0), a start at bucket 30 6.1 times, a start at bucket 2 a sixth.
 * Any fixed prior keeps the false-alarm guarantee; the choice only moves power around. The default was
 * tuned with `scripts/sim/sequential-tune.ts` and measured with `scripts/sim/sequential-power.ts`
 * (figures in `sequential-test.ts`).
 */

/** Grid spacing as a ratio: neighbouring grid values differ by 5%. */
export const GRID_RATIO_STEP = 1.05;
/** ln(GRID_RATIO_STEP), the spacing in ln r. */
export const GRID_LOG_STEP = Math.log(GRID_RATIO_STEP);
/** Alternatives of the test: 1.05^1 … 1.05^80 ≈ 49.6 times maxRatio. */
export const ALTERNATIVES = 80;
/** Candidates of the confidence sequence: maxRatio · 1.05^c, |c| ≤ 95, i.e. maxRatio / 103 … maxRatio · 103. */
export const CANDIDATES = 95;
/** The log-likelihood grid covers every candidate ± every alternative offset. */
export const GRID_HALF_WIDTH = CANDIDATES + ALTERNATIVES;
/** Number of grid points (index i holds k = i − GRID_HALF_WIDTH). */
export const GRID_SIZE = 2 * GRID_HALF_WIDTH + 1;

export interface SequentialPrior {
  /** Centre of the log-normal bump, as a ratio r / maxRatio (> 1). */
  centre: number;
  /** Standard deviation of the bump in ln r (> 0). */
  spread: number;
  /** Share of the early mass spread evenly in ln r over all alternatives, in [0, 1]. */
  tail: number;
  /** Prior probability that the regression starts after the first informative bucket, in [0, 1). */
  late: number;
  /** Smallest ratio (r / maxRatio) of the late-start alternatives, in [1.05, 49.6]. */
  lateFrom: number;
  /**
   * h of the late-start law π_k above, ≥ 0 (0: the plain late / ((k − 1)·k)). A field of the prior like
   * the others, so that a state (which carries its prior) and a stored analysis (which records it) keep
   * the start law they began with when the default changes.
   */
  lateScale: number;
}

/**
 * Chosen with `scripts/sim/sequential-tune.ts` and `scripts/sim/sequential-power.ts`; see the table in
 * `sequential-test.ts`. Changing it changes the meaning of stored states, which is why a state carries
 * the prior it was started with.
 */
export const DEFAULT_SEQUENTIAL_PRIOR: Readonly<SequentialPrior> = Object.freeze({
  centre: 1.75,
  spread: 0.2,
  tail: 0.15,
  late: 0.2,
  lateFrom: 4,
  lateScale: 10,
});

export interface MixtureWeights {
  /** Early weights for j = 1 … ALTERNATIVES at index j − 1; they sum to 1. */
  early: number[];
  /** Late weights for j = 1 … ALTERNATIVES at index j − 1; they sum to 1 (zeros below lateFrom). */
  late: number[];
  /** Total late mass (the prior's `late`). */
  lateMass: number;
  /** h of the late-start law (the prior's `lateScale`). */
  lateScale: number;
}

/** Throws a RangeError naming the field when a prior is outside its documented domain. */
export function validatePrior(prior: SequentialPrior): void {
  const top = GRID_RATIO_STEP ** ALTERNATIVES;
  const checks: [keyof SequentialPrior, boolean][] = [
    ["centre", prior.centre > 1 && Number.isFinite(prior.centre)],
    ["spread", prior.spread > 0 && Number.isFinite(prior.spread)],
    ["tail", prior.tail >= 0 && prior.tail <= 1],
    ["late", prior.late >= 0 && prior.late < 1],
    ["lateFrom", prior.lateFrom >= GRID_RATIO_STEP && prior.lateFrom <= top],
    ["lateScale", prior.lateScale >= 0 && Number.isFinite(prior.lateScale)],
  ];
  for (const [field, ok] of checks) {
    if (!ok) throw new RangeError(`sequential prior: ${field} out of range (${prior[field]})`);
  }
}

/** Structural and domain check for a prior read back from storage (JSON gives `unknown`). */
export function isSequentialPrior(value: unknown): value is SequentialPrior {
  if (typeof value !== "object" || value === null) return false;
  const fields = ["centre", "spread", "tail", "late", "lateFrom", "lateScale"] as const;
  const record = value as Record<string, unknown>;
  if (!fields.every((field) => typeof record[field] === "number")) return false;
  try {
    validatePrior(value as SequentialPrior);
    return true;
  } catch {
    return false;
  }
}

/** The normalised weights of a prior over the alternatives r_j = maxRatio · 1.05^j. */
export function mixtureWeights(prior: SequentialPrior): MixtureWeights {
  validatePrior(prior);
  const mu = Math.log(prior.centre);
  const bump: number[] = [];
  let bumpSum = 0;
  for (let j = 1; j <= ALTERNATIVES; j++) {
    const z = (j * GRID_LOG_STEP - mu) / prior.spread;
    const density = Math.exp(-0.5 * z * z);
    bump.push(density);
    bumpSum += density;
  }
  const early = bump.map((density) => (1 - prior.tail) * (density / bumpSum) + prior.tail / ALTERNATIVES);

  // First alternative at or above lateFrom (the small epsilon keeps 1.05^j itself inside).
  const firstLate = Math.max(1, Math.ceil(Math.log(prior.lateFrom) / GRID_LOG_STEP - 1e-9));
  const lateCount = ALTERNATIVES - firstLate + 1;
  const late: number[] = [];
  for (let j = 1; j <= ALTERNATIVES; j++) late.push(j >= firstLate ? 1 / lateCount : 0);

  return { early, late, lateMass: prior.late, lateScale: prior.lateScale };
}

/**
 * π_t = late·(1 + h) / ((t − 1 + h)·(t + h)): the prior mass of "the regression starts at informative
 * bucket t" (t ≥ 2), h = `scale` (a prior's `lateScale`).
 */
export function lateStartMass(late: number, t: number, scale: number): number {
  return (late * (1 + scale)) / ((t - 1 + scale) * (t + scale));
}

/** Σ_{k > t} π_k = late·(1 + h) / (t + h): the late starts still to come (all of `late` while t ≤ 1). */
export function lateUnstartedMass(late: number, t: number, scale: number): number {
  // Exactly `late` before any start, not late·(1 + h) / (1 + h) rounded.
  return t <= 1 ? late : (late * (1 + scale)) / (t + scale);
}
