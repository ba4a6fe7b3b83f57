/**
 * The arithmetic of the `SEQUENTIAL` test's evidence, on the grid of `sequential-prior.ts`: one bucket's
 * log-likelihood ratios, the late-start recursion, the mixture evidence and the interval's walk. Pure
 * functions of arrays; `sequential-test.ts` owns the state and explains the statistics.
 *
 * Everything is in log space (the evidence of a hard failure at high traffic is e^1000), and the hot
 * paths settle threshold comparisons with the bound ln Σ_{i≤n} e^{x_i} ≤ max x + ln n before computing
 * any exponential: simulations call them millions of times.
 */
import {
  ALTERNATIVES,
  GRID_HALF_WIDTH,
  GRID_LOG_STEP,
  GRID_SIZE,
  lateStartMass,
  lateUnstartedMass,
  type MixtureWeights,
  mixtureWeights,
  type SequentialPrior,
} from "./sequential-prior.js";

// Local copies: module-namespace reads of imported bindings are slow in some transpilers' output, and
// the loops below read these millions of times in simulations.
const HALF = GRID_HALF_WIDTH;
const SIZE = GRID_SIZE;
const ALTS = ALTERNATIVES;
const STEP = GRID_LOG_STEP;
/** ln of the number of terms of a two-sided candidate evidence, plus a hair for rounding. */
const LOG_TWO_SIDED_TERMS = Math.log(2 * ALTERNATIVES) + 1e-9;
/** Same for the test's evidence: early terms, late terms and the not-yet-started late mass. */
const LOG_EVIDENCE_TERMS = Math.log(2 * ALTERNATIVES + 1) + 1e-9;

/** What the evidence needs besides the data, derived from (maxRatio, prior) only. */
export interface SequentialDesign {
  maxRatio: number;
  weights: MixtureWeights;
  /** ln early weight of alternative j at index j − 1. */
  logEarly: number[];
  /** ln(early weight / 2): the two-sided interval's weights. */
  logHalfEarly: number[];
  /** ln late weight (−Infinity below lateFrom). */
  logLate: number[];
  /** Grid ratios maxRatio·1.05^k at index k + GRID_HALF_WIDTH. */
  ratios: number[];
}

/** The evidence of the test: its log, and the data it is computed from. */
export interface EvidenceData {
  /** ℓ(r_k) − ℓ(maxRatio) at index k + GRID_HALF_WIDTH. */
  logLikelihood: readonly number[];
  /** ln of the started late-start components (empty before any has started). */
  lateLog: readonly number[];
  informativeBuckets: number;
}

const designs = new Map<string, SequentialDesign>();

/** Memoised (small, bounded): the simulations ask for the same design millions of times. */
export function sequentialDesign(maxRatio: number, prior: Readonly<SequentialPrior>): SequentialDesign {
  const key = `${maxRatio}|${prior.centre}|${prior.spread}|${prior.tail}|${prior.late}|${prior.lateFrom}|${prior.lateScale}|${prior.lateCentre}|${prior.lateSpread}|${prior.horizon}`;
  const cached = designs.get(key);
  if (cached) return cached;
  const weights = mixtureWeights(prior);
  const design: SequentialDesign = {
    maxRatio,
    weights,
    logEarly: weights.early.map((w) => Math.log(w)),
    logHalfEarly: weights.early.map((w) => Math.log(0.5 * w)),
    logLate: weights.late.map((w) => Math.log(w)),
    ratios: Array.from({ length: SIZE }, (_, i) => gridRatio(maxRatio, i - HALF)),
  };
  if (designs.size >= 64) designs.clear();
  designs.set(key, design);
  return design;
}

/** maxRatio · 1.05^k, the grid's ratio at k. */
export function gridRatio(maxRatio: number, k: number): number {
  return maxRatio * Math.exp(k * STEP);
}

/**
 * ln of one bucket's binomial likelihood at r_k over that at r0 = maxRatio, for every grid index:
 * xc·ln(r_k/r0) − m·ln((1 + s(r_k − 1)) / (1 + s(r0 − 1))) (the binomial coefficient and the
 * (1 − s)^xk factor cancel). Exactly 0 at k = 0.
 */
export function bucketLogLikelihoodRatio(
  design: SequentialDesign,
  share: number,
  canaryErrors: number,
  errors: number,
): number[] {
  const base = Math.log1p(share * (design.maxRatio - 1));
  const out = new Array<number>(SIZE);
  for (let i = 0; i < SIZE; i++) {
    const r = design.ratios[i] ?? design.maxRatio;
    out[i] = canaryErrors * ((i - HALF) * STEP) - errors * (Math.log1p(share * (r - 1)) - base);
  }
  return out;
}

/**
 * B_j ← (B_j + π_t) · L_t(r_j) with π_t = `lateStartMass(late, t, lateScale, horizon)`, the prior
 * mass of "the regression starts at informative bucket t" (t ≥ 2), in log space. Returns [] while no
 * component has started. Past the horizon π_t is 0 and B_j only moves by L_t (never −Infinity: it
 * started with mass at bucket 2).
 */
export function advanceLate(
  lateLog: readonly number[],
  weights: Pick<MixtureWeights, "lateMass" | "lateScale" | "horizon">,
  t: number,
  increment: number[],
): number[] {
  const { lateMass, lateScale, horizon } = weights;
  if (lateMass <= 0 || t < 2) return [];
  const entry = Math.log(lateStartMass(lateMass, t, lateScale, horizon));
  const out: number[] = [];
  for (let j = 1; j <= ALTS; j++) {
    const before = lateLog[j - 1] ?? Number.NEGATIVE_INFINITY;
    out.push(logAddExp(before, entry) + (increment[HALF + j] ?? 0));
  }
  return out;
}

/**
 * ln of the mixture likelihood ratio:
 * (1 − late)·Σ_j w_j Λ(r_j) + Σ_j v_j B_j + `lateUnstartedMass(late, t, h, H)`, the last term being
 * the late-start components that have not started yet (k > t), which still count with ratio 1 (none
 * are left from the horizon on: ln 0 = −Infinity, a term that adds nothing).
 */
export function logEvidence(data: EvidenceData, design: SequentialDesign): number {
  const lateMass = design.weights.lateMass;
  const earlyTerms: number[] = [];
  for (let j = 1; j <= ALTS; j++) {
    earlyTerms.push((design.logEarly[j - 1] ?? 0) + (data.logLikelihood[HALF + j] ?? 0));
  }
  const terms = [Math.log1p(-lateMass) + logSumExp(earlyTerms)];
  if (lateMass > 0) {
    terms.push(logSumExp(data.lateLog.map((value, i) => (design.logLate[i] ?? 0) + value)));
    terms.push(Math.log(unstarted(data.informativeBuckets, design.weights)));
  }
  return logSumExp(terms);
}

function unstarted(t: number, weights: MixtureWeights): number {
  return lateUnstartedMass(weights.lateMass, t, weights.lateScale, weights.horizon);
}

/** logEvidence(data) ≥ logThreshold, without exponentials when the max-term bound settles it. */
export function evidenceReaches(data: EvidenceData, design: SequentialDesign, logThreshold: number): boolean {
  const lateMass = design.weights.lateMass;
  let max = Number.NEGATIVE_INFINITY;
  const logEarlyMass = Math.log1p(-lateMass);
  for (let j = 1; j <= ALTS; j++) {
    const term = logEarlyMass + (design.logEarly[j - 1] ?? 0) + (data.logLikelihood[HALF + j] ?? 0);
    if (term > max) max = term;
  }
  if (lateMass > 0) {
    for (let i = 0; i < data.lateLog.length; i++) {
      const term = (design.logLate[i] ?? 0) + (data.lateLog[i] ?? 0);
      if (term > max) max = term;
    }
    const pending = Math.log(unstarted(data.informativeBuckets, design.weights));
    if (pending > max) max = pending;
  }
  if (max >= logThreshold) return true;
  if (max + LOG_EVIDENCE_TERMS < logThreshold) return false;
  return logEvidence(data, design) >= logThreshold;
}

/**
 * ln of the two-sided evidence against r = maxRatio·1.05^c (candidate index c, |c| ≤ CANDIDATES):
 * Σ_d ½w_d (Λ(c+d) + Λ(c−d)) / Λ(c), a martingale with mean 1 when the true ratio is r.
 */
export function candidateLogEvidence(
  logLikelihood: readonly number[],
  design: SequentialDesign,
  c: number,
): number {
  const centre = logLikelihood[HALF + c] ?? 0;
  const terms: number[] = [];
  for (let d = 1; d <= ALTS; d++) {
    const logHalfWeight = design.logHalfEarly[d - 1] ?? 0;
    terms.push(logHalfWeight + (logLikelihood[HALF + c + d] ?? 0) - centre);
    terms.push(logHalfWeight + (logLikelihood[HALF + c - d] ?? 0) - centre);
  }
  return logSumExp(terms);
}

function candidateRejected(
  logLikelihood: readonly number[],
  design: SequentialDesign,
  c: number,
  logThreshold: number,
): boolean {
  const centre = logLikelihood[HALF + c] ?? 0;
  let max = Number.NEGATIVE_INFINITY;
  for (let d = 1; d <= ALTS; d++) {
    const w = design.logHalfEarly[d - 1] ?? 0;
    const up = w + (logLikelihood[HALF + c + d] ?? 0);
    const down = w + (logLikelihood[HALF + c - d] ?? 0);
    if (up > max) max = up;
    if (down > max) max = down;
  }
  if (max - centre >= logThreshold) return true;
  if (max - centre + LOG_TWO_SIDED_TERMS < logThreshold) return false;
  return candidateLogEvidence(logLikelihood, design, c) >= logThreshold;
}

export interface WalkedInterval {
  lo: number;
  hi: number;
  /** Every candidate is now rejected; lo = hi is the last one standing. */
  exhausted: boolean;
}

/**
 * Moves each end inwards past candidates rejected now. The ends never cross: when the last candidate
 * is rejected too, the interval stays on it and reports `exhausted`.
 */
export function walkInterval(
  lo: number,
  hi: number,
  logLikelihood: readonly number[],
  design: SequentialDesign,
  logThreshold: number,
): WalkedInterval {
  let a = lo;
  let b = hi;
  while (a < b && candidateRejected(logLikelihood, design, a, logThreshold)) a += 1;
  while (b > a && candidateRejected(logLikelihood, design, b, logThreshold)) b -= 1;
  const exhausted = a === b && candidateRejected(logLikelihood, design, a, logThreshold);
  return { lo: a, hi: b, exhausted };
}

export function logAddExp(a: number, b: number): number {
  const m = Math.max(a, b);
  if (m === Number.NEGATIVE_INFINITY) return m;
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

export function logSumExp(values: readonly number[]): number {
  let m = Number.NEGATIVE_INFINITY;
  for (const v of values) if (v > m) m = v;
  if (m === Number.NEGATIVE_INFINITY || m === Number.POSITIVE_INFINITY) return m;
  let sum = 0;
  for (const v of values) sum += Math.exp(v - m);
  return m + Math.log(sum);
}
