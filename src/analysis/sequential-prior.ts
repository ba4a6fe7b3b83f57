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
 *   is `late`, and over k > t it is late·(1 + h) / (t + h)). This is what lets a release that turns
 *   bad mid-analysis be rolled back within two buckets: without it, the evidence against large ratios
 *   piled up during the good minutes must first be paid back. h spreads the start over the first tens
 *   of buckets (half of the late mass on k ≤ h + 2) instead of piling it on the first few, where the
 *   early family already catches a regression: with h = 10 a start at bucket 11 has 2.9 times the mass
 *   of the plain late / ((k − 1)·k) law (h = 0), a start at bucket 30 6.1 times, a start at bucket 2 a
 *   sixth.
 *   With a `horizon` H (the analysis's last bucket, which the ANALYSIS stage knows before it starts)
 *   the law is cut at H and renormalised: π'_k = π_k · (H + h) / (H − 1) for 2 ≤ k ≤ H, 0 after. The
 *   mass the uncut law puts on starts the analysis never reaches is spent on the ones it does: +0.32
 *   nats for a start at bucket 11 of a 30-bucket analysis. Without a horizon the law is uncut.
 *   The late family's ratio is log-normal in ln r around `lateCentre` with σ `lateSpread`, from
 *   `lateFrom` to the top of the grid (without those two fields, evenly spread in ln r over that range:
 *   the law of a prior recorded before they existed). A mid-analysis regression the early family
 *   cannot catch in two buckets is a large one, so the late mass sits where 5×–10× are.
 * Any fixed prior keeps the false-alarm guarantee (a horizon is fixed too: it comes from the config,
 * before the first bucket); the choice only moves power around. The default was
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
  /**
   * Centre of the late family's log-normal ratio law, as a ratio r / maxRatio (> 1). Optional together
   * with `lateSpread`: without both the late ratios are evenly spread in ln r (a `kanaria.sequential/2`
   * prior, recorded by an analysis that started before these fields existed, keeps that law).
   */
  lateCentre?: number;
  /** Standard deviation of the late family's ratio law in ln r (> 0); see `lateCentre`. */
  lateSpread?: number;
  /**
   * The last informative bucket a late start may be at (integer ≥ 2): the late-start law is cut there
   * and renormalised. Set by the ANALYSIS stage from its duration and the metric's interval; absent
   * means uncut (and is what a stored prior without one meant).
   */
  horizon?: number;
}

/**
 * Chosen with `scripts/sim/sequential-tune.ts` and `scripts/sim/sequential-power.ts`; see the table in
 * `sequential-test.ts`. Changing it changes the meaning of stored states, which is why a state carries
 * the prior it was started with.
 */
export const DEFAULT_SEQUENTIAL_PRIOR: Readonly<SequentialPrior> = Object.freeze({
  centre: 1.8,
  spread: 0.2,
  tail: 0.05,
  late: 0.3,
  lateFrom: 4,
  lateScale: 10,
  lateCentre: 6.5,
  lateSpread: 0.35,
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
  /** Where the late-start law is cut (the prior's `horizon`); undefined: uncut. */
  horizon: number | undefined;
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
    [
      "lateCentre",
      prior.lateCentre === undefined || (prior.lateCentre > 1 && Number.isFinite(prior.lateCentre)),
    ],
    [
      "lateSpread",
      prior.lateSpread === undefined || (prior.lateSpread > 0 && Number.isFinite(prior.lateSpread)),
    ],
    ["horizon", prior.horizon === undefined || (Number.isInteger(prior.horizon) && prior.horizon >= 2)],
  ];
  for (const [field, ok] of checks) {
    if (!ok) throw new RangeError(`sequential prior: ${field} out of range (${prior[field]})`);
  }
  if ((prior.lateCentre === undefined) !== (prior.lateSpread === undefined)) {
    throw new RangeError("sequential prior: lateCentre and lateSpread go together (one is missing)");
  }
}

/** Structural and domain check for a prior read back from storage (JSON gives `unknown`). */
export function isSequentialPrior(value: unknown): value is SequentialPrior {
  if (typeof value !== "object" || value === null) return false;
  const fields = ["centre", "spread", "tail", "late", "lateFrom", "lateScale"] as const;
  const optional = ["lateCentre", "lateSpread", "horizon"] as const;
  const record = value as Record<string, unknown>;
  if (!fields.every((field) => typeof record[field] === "number")) return false;
  if (!optional.every((field) => record[field] === undefined || typeof record[field] === "number"))
    return false;
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
  const { lateCentre, lateSpread } = prior;
  if (lateCentre === undefined || lateSpread === undefined) {
    for (let j = 1; j <= ALTERNATIVES; j++) late.push(j >= firstLate ? 1 / lateCount : 0);
  } else {
    const lateMu = Math.log(lateCentre);
    let lateSum = 0;
    for (let j = 1; j <= ALTERNATIVES; j++) {
      const z = (j * GRID_LOG_STEP - lateMu) / lateSpread;
      const density = j >= firstLate ? Math.exp(-0.5 * z * z) : 0;
      late.push(density);
      lateSum += density;
    }
    // A narrow bump far outside [lateFrom, top] underflows to nothing there. Its limit is all the mass
    // on the kept alternative nearest the centre.
    const nearest = Math.min(ALTERNATIVES, Math.max(firstLate, Math.round(lateMu / GRID_LOG_STEP)));
    for (let j = 1; j <= ALTERNATIVES; j++) {
      late[j - 1] = lateSum > 0 ? (late[j - 1] as number) / lateSum : j === nearest ? 1 : 0;
    }
  }

  return { early, late, lateMass: prior.late, lateScale: prior.lateScale, horizon: prior.horizon };
}

/**
 * The `horizon` of an analysis of `durationMs` judged every `intervalMs`: its last bucket,
 * ⌊duration / interval⌋, at least 2 (a one-bucket analysis has no late start to cut; the field's domain
 * starts at 2).
 */
export function horizonFor(durationMs: number, intervalMs: number): number {
  return Math.max(2, Math.floor(durationMs / intervalMs));
}

/**
 * π_t = late·(1 + h) / ((t − 1 + h)·(t + h)): the prior mass of "the regression starts at informative
 * bucket t" (t ≥ 2), h = `scale` (a prior's `lateScale`). With a `horizon` H: π_t·(H + h) / (H − 1)
 * up to H, 0 after it (the cut law of the module comment).
 */
export function lateStartMass(late: number, t: number, scale: number, horizon?: number): number {
  const uncut = (late * (1 + scale)) / ((t - 1 + scale) * (t + scale));
  if (horizon === undefined) return uncut;
  return t > horizon ? 0 : (uncut * (horizon + scale)) / (horizon - 1);
}

/**
 * Σ_{k > t} π_k: the late starts still to come (all of `late` while t ≤ 1). Uncut: late·(1 + h) /
 * (t + h); cut at H: late·(1 + h)·(H − t) / ((t + h)·(H − 1)), 0 from H on.
 */
export function lateUnstartedMass(late: number, t: number, scale: number, horizon?: number): number {
  // Exactly `late` before any start, not late·(1 + h) / (1 + h) rounded.
  if (t <= 1) return late;
  if (horizon === undefined) return (late * (1 + scale)) / (t + scale);
  return t >= horizon ? 0 : (late * (1 + scale) * (horizon - t)) / ((t + scale) * (horizon - 1));
}
