/**
 * The statistics of the `SEQUENTIAL` strategy (DESIGN §5): an anytime-valid test that the canary's error
 * rate is at most `maxRatio` times the control's, checked after every bucket. Pure: a state goes in, a
 * new state comes out; the state is plain JSON (persisted between ticks, resumed after a restart).
 *
 * Model. In a bucket the canary served nc requests with xc errors, the control nk with xk; s = nc / (nc + nk).
 * If the canary's error rate is r times the control's (whatever the control's rate is that minute),
 * then given the bucket's m = xc + xk errors, xc ~ Binomial(m, θ(r)), θ(r) = r·s / (r·s + 1 − s).
 * Conditioning on m removes the shared base rate, so a downstream incident that multiplies both
 * variants' errors changes m but not the law of xc: it cancels out. (Exact for Poisson counts; for
 * binomial counts at r = 1 the conditional law is hypergeometric, which is less spread than the
 * binomial in the convex order, so the guarantee below still holds. For maxRatio > 1 and error rates of
 * tens of percent, "ratio of rates" and "ratio of odds" start to differ; it is a rate ratio.)
 *
 * Test. H0: r ≤ maxRatio = r0. Per bucket, the likelihood ratio of θ(r1) against θ(r0) for r1 > r0 is
 * ((1 − θ1)/(1 − θ0))^m · (θ1(1 − θ0) / (θ0(1 − θ1)))^xc; its expectation under θ is linear and
 * increasing in θ and equals 1 at θ0, so it is ≤ 1 for every r ≤ r0. Products over buckets, and any
 * fixed mixture of them (over r1 and over the bucket where the regression starts, see
 * `sequential-prior.ts`), are nonnegative supermartingales under H0 with initial value 1, and Ville's
 * inequality gives P(sup_t evidence_t ≥ 1/α) ≤ α: the evidence may be looked at after every bucket.
 * The test fails (roll back) the first time the evidence reaches 1/α, and stays failed.
 *
 * Interval. For each candidate ratio c on the grid, the two-sided mixture (the early prior weights,
 * halved, on c·1.05^±d) is a nonnegative martingale under r = c; a candidate whose evidence reaches
 * 1/α is rejected for good. The interval is [lowest, highest] candidate not rejected, walked inwards
 * from both ends (a superset of the running intersection, hence also a (1 − α) confidence sequence:
 * with probability ≥ 1 − α it contains the true ratio at every bucket, if that ratio is a grid value).
 * It only shrinks. Ends are grid values maxRatio·1.05^c; 0 and Infinity when not yet bounded. The
 * guarantee is for a constant ratio: when the ratio changes during the analysis every candidate may end
 * up rejected (`intervalExhausted`); the interval then stays on the last one.
 *
 * State. The log-likelihood ratio ℓ(r_k) − ℓ(r0) at every grid value (`GRID_SIZE` numbers), the log of
 * the late-start components (`ALTERNATIVES` numbers), the interval's two indices and counts: updating is
 * O(GRID_SIZE + ALTERNATIVES), independent of how many buckets came before.
 *
 * Prior (DEFAULT_SEQUENTIAL_PRIOR): early bump centred on 1.8× maxRatio, σ 0.2 in ln r, 5% of the
 * early mass spread evenly over 1.05×–49.6×; 30% of all mass on a regression starting later, its ratio
 * log-normal around 6.5× (σ 0.35, from 4× up), its start spread over the first tens of buckets
 * (lateScale h = 10) and cut at the analysis's last bucket (`horizon`, which the ANALYSIS stage sets
 * from duration / interval). Tuned with `npx tsx scripts/sim/sequential-tune.ts` on the analysis
 * benchmark's canaries (1000 runs per cell, seeds 1, 2, 3, 4, 7 and the benchmark's 20260401, each
 * cut at the length the benchmark runs it for) and measured below with
 * `npx tsx scripts/sim/sequential-power.ts` (2000 seeded runs per cell, seed 20260401, each row cut at
 * max(30, its buckets); canary share 10%, control errors 0.2% × shared per-minute log-normal noise
 * σ 0.5, 1-minute buckets, 5–500 req/s). The early bump is narrow because the targets sit at 1.5×–2×,
 * where every nat of prior cost is a few points of power.
 * The figure that binds is 10× from bucket 11 at 100 req/s, decided by bucket 12: 95.3 / 95.4 / 95.9 /
 * 96.7 / 96.8 / 95.8% on the six seeds (mean 96.0%). The best level-1% test that knows r and the onset
 * gets 99.6% (bench/analysis/oracle.ts). The previous default (centre 1.75, tail 0.15, late 0.2, the
 * late ratio even in ln r from 4×, no cut) got 92.8–94.9% (mean 93.9%). Where the gain comes from, on the
 * same six seeds:
 * - the late bump and the heavier late family (late 0.3, tail 0.05), uncut: 94.7–96.4% (mean 95.4%);
 * - the cut alone, on the previous default: 93.4–95.4% (mean 94.3%);
 * - both: the figures above. The cut adds 0.4–1.1 points for a 30-minute analysis, because the uncut
 *   law keeps mass for starts after the last bucket, where it is never used. A longer analysis gains less.
 * What it costs:
 * - 10× from bucket 1 at 5–50 req/s: 0.7 / 23.0 / 72.5%, down from 1.8 / 30.3 / 77.8%. The early tail
 *   went from 0.15 to 0.05. At 5 and 20 req/s no level-1% test reaches 95% anyway.
 * - 1.5×: 0.2–2 points, most at 500 req/s.
 * - Healthy 30-minute canaries at 20 req/s that end INCONCLUSIVE (people asked): 5.2–8.9%, as before
 *   (5.5–9.0%).
 * Two heavier variants were rejected:
 * - late 0.4: a mean of 95.9% without the cut, but 2× at 500 req/s drops below 95% on two seeds.
 * - late 0.45 with a narrower early bump: a healthy 30-minute canary at 20 req/s is asked about in 28–33%
 *   of runs, and a healthy 5-minute canary at 100 req/s (5 canary errors) can no longer pass: its smallest
 *   detectable ratio is 3.15, above INCONCLUSIVE_FACTOR = 3 (today's default: 2.90).
 * The runner-up figure is 2× at 500 req/s (7 buckets to its horizon): 95.3–96.5%. 1.5× at 500 req/s is
 * marginal in 1000-run cells: 79.4% on seed 3, where the previous default got 79.9%.
 * Measured (% of runs, worst over 5/20/50/100/200/500 req/s unless a range is given):
 *   A/A 30 min, false failures                     0.1–0.6%   (≤ 1%)
 *   A/A 3 h, false failures                        0.1–0.6%   (≤ 1%)
 *   shared incident ×10–50 for 5 min, false fail.  0.1–0.3%   (≤ 2%)
 *   2× by 40 expected canary errors*               95.7–98.2% (≥ 95%)
 *   1.5× by 100 expected canary errors*            82.0–86.0% (≥ 80%)
 *   10× from bucket 1, decided by bucket 2         0.7 / 23.0 / 72.5 / 97.2 / 99.8 / 100%
 *   10× from bucket 11, decided by bucket 12       0.8 / 21.4 / 69.5 / 95.5 / 99.9 / 99.8%
 *   20% canary errors (from 1 or 11), ≤ 2 buckets  98.8–100%
 * * expected at the control's error rate (canary requests × base rate). Counting the canary's own,
 *   regressed rate instead (i.e. half / two thirds the traffic) gives 69.3–72.5% and 63.4–66.6%; the best
 *   level-1% test that knew r and the onset would reach 87.6–91.6% in both, so 95% is out of reach there.
 * Hard failures at 5–20 req/s: two minutes hold 1–5 canary errors, too few for any level-1% decision
 * (the best level-1% test knowing r = 10 and the onset, randomised, gets 22–24% at 5 req/s and 71% at
 * 20 req/s).
 */

import { estimateRatio, minDetectableRatio } from "./sequential-estimate.js";
import {
  advanceLate,
  bucketLogLikelihoodRatio,
  evidenceReaches,
  gridRatio,
  logEvidence,
  sequentialDesign,
  walkInterval,
} from "./sequential-evidence.js";
import {
  ALTERNATIVES,
  CANDIDATES,
  DEFAULT_SEQUENTIAL_PRIOR,
  GRID_SIZE,
  isSequentialPrior,
  type SequentialPrior,
  validatePrior,
} from "./sequential-prior.js";

/**
 * /2: the prior gained `lateScale` (the start law of the late family); a /1 state has none. /3: the prior
 * may carry `lateCentre`, `lateSpread` (the late ratio bump) and `horizon` (the cut start law). A /2
 * state is still read and updated (it keeps its schema): its prior has none of those fields, which
 * means exactly the law it was started with.
 */
export const SEQUENTIAL_STATE_SCHEMA = "kanaria.sequential/3";
/** The schema before the late bump and the horizon, still accepted (see above). */
export const SEQUENTIAL_STATE_SCHEMA_2 = "kanaria.sequential/2";

export interface SequentialParams {
  /** H0: canary error rate ≤ maxRatio × control error rate. > 0. */
  maxRatio: number;
  /** False-failure bound, in (0, 1): fail when the evidence reaches 1/alpha. */
  alpha: number;
  /** The mixing prior; `DEFAULT_SEQUENTIAL_PRIOR` when absent. */
  prior?: SequentialPrior;
}

/**
 * One interval's counts. Non-negative finite numbers; fractional counts (from rollups) are accepted,
 * the likelihood extends to them. Errors above totals are not rejected either: only the errors enter
 * the conditional likelihood, the totals only through the share.
 */
export interface SequentialBucket {
  canaryErrors: number;
  canaryTotal: number;
  controlErrors: number;
  controlTotal: number;
}

export type SequentialCounts = SequentialBucket;

/** Plain JSON (no Infinity, NaN or undefined anywhere): safe to persist and resume. */
export interface SequentialState {
  readonly schema: typeof SEQUENTIAL_STATE_SCHEMA | typeof SEQUENTIAL_STATE_SCHEMA_2;
  readonly maxRatio: number;
  readonly alpha: number;
  /** The prior the analysis started with; kept so that a resumed analysis keeps its meaning. */
  readonly prior: Readonly<SequentialPrior>;
  /** Every bucket seen, informative or not. */
  readonly buckets: number;
  /** Buckets with traffic on both sides and at least one error: the only ones that move the evidence. */
  readonly informativeBuckets: number;
  /** Sums over every bucket. */
  readonly counts: Readonly<SequentialCounts>;
  /** Sums over buckets with traffic on both sides (what the estimate and the detectable ratio use). */
  readonly compared: Readonly<SequentialCounts>;
  /** ℓ(r_k) − ℓ(maxRatio) at r_k = maxRatio·1.05^k, index k + GRID_HALF_WIDTH. */
  readonly logLikelihood: readonly number[];
  /**
   * ln B_j for j = 1 … ALTERNATIVES (index j − 1), B_j = Σ_{2 ≤ k ≤ t} π_k Π_{i=k..t} L_i(r_j): the
   * late-start components already started. Empty until the second informative bucket (or when the
   * prior's `late` is 0), so that the state never holds −Infinity.
   */
  readonly lateLog: readonly number[];
  /** Candidate indices c (ratio maxRatio·1.05^c, |c| ≤ CANDIDATES) of the interval's ends. */
  readonly interval: readonly [number, number];
  /** Every candidate has been rejected (see the module comment). Sticky. */
  readonly intervalExhausted: boolean;
  /** The bucket (1-based, counting every bucket) at which the evidence first reached 1/alpha. */
  readonly failedAtBucket: number | null;
}

export interface SequentialSummary {
  /** The mixture likelihood ratio (Infinity when it overflows a double; see logEvidence). */
  evidence: number;
  logEvidence: number;
  /** 1/alpha. */
  threshold: number;
  /** FAIL once the evidence has reached the threshold (sticky), CONTINUE otherwise. */
  decision: "FAIL" | "CONTINUE";
  failedAtBucket: number | undefined;
  /**
   * Maximum-likelihood ratio over the compared buckets: undefined without errors, 0 when only the
   * control had errors, Infinity when only the canary had; see `estimateRatio`.
   */
  estimate: number | undefined;
  /** Anytime-valid (1 − alpha) confidence sequence for the ratio; ends 0 / Infinity when unbounded. */
  interval: readonly [number, number];
  /** No constant ratio is compatible with the data any more (the ratio changed, or a 1 − α miss). */
  intervalExhausted: boolean;
  /** The interval lies entirely below maxRatio (and the test has not failed). */
  canPassEarly: boolean;
  /**
   * The smallest ratio the test would flag on typical data given the traffic so far: the smallest
   * r > maxRatio at which the evidence computed on *expected* counts reaches 1/alpha, the compared
   * buckets taken as one bucket with their summed totals, the control erring at the pooled rate
   * p = (canary + control errors) / (canary + control requests) and the canary at r·p. A ratio this
   * large is flagged by now about half the time. Infinity without traffic on both sides or without
   * errors, or above maxRatio·1.05^175. See `minDetectableRatio`.
   */
  minDetectableRatio: number;
  buckets: number;
  informativeBuckets: number;
  counts: SequentialCounts;
}

export type SequentialErrorCode =
  | "SEQUENTIAL_INVALID_PARAMS"
  | "SEQUENTIAL_INVALID_BUCKET"
  | "SEQUENTIAL_BAD_STATE";

/** Programming or data errors (never an expected outcome such as a failed test). */
export class SequentialError extends Error {
  override readonly name = "SequentialError";
  constructor(
    readonly code: SequentialErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const ZERO_COUNTS: SequentialCounts = Object.freeze({
  canaryErrors: 0,
  canaryTotal: 0,
  controlErrors: 0,
  controlTotal: 0,
});

/** Throws SequentialError (SEQUENTIAL_INVALID_PARAMS) outside the documented domains. */
export function initialSequentialState(params: SequentialParams): SequentialState {
  const { maxRatio, alpha } = params;
  const prior = { ...(params.prior ?? DEFAULT_SEQUENTIAL_PRIOR) };
  if (!(maxRatio > 0 && Number.isFinite(maxRatio))) {
    throw new SequentialError(
      "SEQUENTIAL_INVALID_PARAMS",
      `maxRatio must be a positive number, got ${maxRatio}`,
    );
  }
  if (!(alpha > 0 && alpha < 1)) {
    throw new SequentialError("SEQUENTIAL_INVALID_PARAMS", `alpha must be in (0, 1), got ${alpha}`);
  }
  try {
    validatePrior(prior);
  } catch (cause) {
    throw new SequentialError("SEQUENTIAL_INVALID_PARAMS", (cause as Error).message, { cause });
  }
  return {
    schema: SEQUENTIAL_STATE_SCHEMA,
    maxRatio,
    alpha,
    prior,
    buckets: 0,
    informativeBuckets: 0,
    counts: ZERO_COUNTS,
    compared: ZERO_COUNTS,
    logLikelihood: new Array<number>(GRID_SIZE).fill(0),
    lateLog: [],
    interval: [-CANDIDATES, CANDIDATES],
    intervalExhausted: false,
    failedAtBucket: null,
  };
}

/**
 * Folds one bucket into the state; O(GRID_SIZE + ALTERNATIVES). A bucket without traffic on either side
 * or without errors changes only the counts. Throws SequentialError on a negative or non-finite count
 * (SEQUENTIAL_INVALID_BUCKET) or a state of another schema (SEQUENTIAL_BAD_STATE).
 */
export function updateSequential(state: SequentialState, bucket: SequentialBucket): SequentialState {
  assertState(state);
  for (const field of ["canaryErrors", "canaryTotal", "controlErrors", "controlTotal"] as const) {
    const value = bucket[field];
    if (!(typeof value === "number" && Number.isFinite(value) && value >= 0)) {
      throw new SequentialError(
        "SEQUENTIAL_INVALID_BUCKET",
        `bucket ${field} must be a finite count ≥ 0, got ${value}`,
      );
    }
  }
  const buckets = state.buckets + 1;
  const counts = addCounts(state.counts, bucket);
  if (!(bucket.canaryTotal > 0 && bucket.controlTotal > 0)) return { ...state, buckets, counts };
  const compared = addCounts(state.compared, bucket);
  const errors = bucket.canaryErrors + bucket.controlErrors;
  if (!(errors > 0)) return { ...state, buckets, counts, compared };

  const design = sequentialDesign(state.maxRatio, state.prior);
  const logThreshold = -Math.log(state.alpha);
  const share = bucket.canaryTotal / (bucket.canaryTotal + bucket.controlTotal);
  const increment = bucketLogLikelihoodRatio(design, share, bucket.canaryErrors, errors);
  const logLikelihood = state.logLikelihood.map((value, i) => value + (increment[i] ?? 0));
  const informativeBuckets = state.informativeBuckets + 1;
  const lateLog = advanceLate(state.lateLog, design.weights, informativeBuckets, increment);
  const walked = walkInterval(state.interval[0], state.interval[1], logLikelihood, design, logThreshold);

  const next: SequentialState = {
    ...state,
    buckets,
    informativeBuckets,
    counts,
    compared,
    logLikelihood,
    lateLog,
    interval: [walked.lo, walked.hi],
    intervalExhausted: state.intervalExhausted || walked.exhausted,
  };
  if (state.failedAtBucket === null && evidenceReaches(next, design, logThreshold)) {
    return { ...next, failedAtBucket: buckets };
  }
  return next;
}

export function summarizeSequential(state: SequentialState): SequentialSummary {
  assertState(state);
  const design = sequentialDesign(state.maxRatio, state.prior);
  const logEv = logEvidence(state, design);
  const [lo, hi] = state.interval;
  const intervalLo = lo <= -CANDIDATES ? 0 : gridRatio(state.maxRatio, lo);
  const intervalHi = hi >= CANDIDATES ? Number.POSITIVE_INFINITY : gridRatio(state.maxRatio, hi);
  const failed = state.failedAtBucket !== null;
  return {
    evidence: Math.exp(logEv),
    logEvidence: logEv,
    threshold: 1 / state.alpha,
    decision: failed ? "FAIL" : "CONTINUE",
    failedAtBucket: state.failedAtBucket ?? undefined,
    estimate: estimateRatio(state.logLikelihood, state.compared, state.maxRatio),
    interval: [intervalLo, intervalHi],
    intervalExhausted: state.intervalExhausted,
    canPassEarly: !failed && intervalHi < state.maxRatio,
    minDetectableRatio: minDetectableRatio(state.compared, design, state.alpha),
    buckets: state.buckets,
    informativeBuckets: state.informativeBuckets,
    counts: { ...state.counts },
  };
}

/** Structural check for a state read back from storage (JSON.parse gives `unknown`). */
export function isSequentialState(value: unknown): value is SequentialState {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<Record<keyof SequentialState, unknown>>;
  const finiteArray = (a: unknown, lengths: number[]): boolean =>
    Array.isArray(a) &&
    lengths.includes(a.length) &&
    a.every((x) => typeof x === "number" && Number.isFinite(x));
  const numbers = (o: unknown, keys: string[]): boolean =>
    typeof o === "object" &&
    o !== null &&
    keys.every((k) => typeof (o as Record<string, unknown>)[k] === "number");
  const countKeys = ["canaryErrors", "canaryTotal", "controlErrors", "controlTotal"];
  return (
    (v.schema === SEQUENTIAL_STATE_SCHEMA ||
      (v.schema === SEQUENTIAL_STATE_SCHEMA_2 && isSchema2Prior(v.prior))) &&
    typeof v.maxRatio === "number" &&
    typeof v.alpha === "number" &&
    isSequentialPrior(v.prior) &&
    Number.isInteger(v.buckets) &&
    Number.isInteger(v.informativeBuckets) &&
    numbers(v.counts, countKeys) &&
    numbers(v.compared, countKeys) &&
    finiteArray(v.logLikelihood, [GRID_SIZE]) &&
    finiteArray(v.lateLog, [0, ALTERNATIVES]) &&
    finiteArray(v.interval, [2]) &&
    typeof v.intervalExhausted === "boolean" &&
    (v.failedAtBucket === null || Number.isInteger(v.failedAtBucket))
  );
}

/** A /2 prior has none of the fields /3 added (one that does is not a state any release wrote). */
function isSchema2Prior(prior: unknown): boolean {
  const record = prior as Record<string, unknown> | null;
  return (
    typeof record === "object" &&
    record !== null &&
    record.lateCentre === undefined &&
    record.lateSpread === undefined &&
    record.horizon === undefined
  );
}

function assertState(state: SequentialState): void {
  const schemaKnown =
    state.schema === SEQUENTIAL_STATE_SCHEMA ||
    (state.schema === SEQUENTIAL_STATE_SCHEMA_2 && isSchema2Prior(state.prior));
  if (!schemaKnown || state.logLikelihood?.length !== GRID_SIZE) {
    throw new SequentialError(
      "SEQUENTIAL_BAD_STATE",
      `not a ${SEQUENTIAL_STATE_SCHEMA} (or ${SEQUENTIAL_STATE_SCHEMA_2}) state (schema ${String(state.schema)})`,
    );
  }
}

function addCounts(a: SequentialCounts, b: SequentialBucket): SequentialCounts {
  return {
    canaryErrors: a.canaryErrors + b.canaryErrors,
    canaryTotal: a.canaryTotal + b.canaryTotal,
    controlErrors: a.controlErrors + b.controlErrors,
    controlTotal: a.controlTotal + b.controlTotal,
  };
}
