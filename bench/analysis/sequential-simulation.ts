/**
 * Simulated error/total counts for one canary analysis, for the `SEQUENTIAL` strategy's tests, its
 * power simulation (`scripts/sim/sequential-power.ts`) and benchmarks. Pure given the random stream:
 * the same seed and scenario give the same buckets.
 *
 * Per bucket: requests ~ Poisson(rate · seconds), split between canary and control binomially by the
 * canary's traffic share; the control's error rate is the base rate times a per-bucket log-normal
 * factor with mean 1 shared by both variants (minute-level noise) times an optional shared incident
 * factor; the canary's rate is a function of the control's (a ratio, or an absolute rate for hard
 * failures); errors are binomial in each variant.
 */

import type { SeededRandom } from "../../sandbox/seeded-random.js";
import type { SequentialBucket } from "../../src/analysis/sequential-test.js";

export interface TrafficScenario {
  /** Requests per second to both variants together. */
  requestsPerSecond: number;
  /** Canary share of requests, in (0, 1). */
  canaryShare: number;
  /** Control error rate before noise and incidents. */
  baseErrorRate: number;
  /** σ of ln of the shared per-bucket noise factor (0: no noise). */
  noiseSigma: number;
  bucketSeconds: number;
  /** Canary error rate in bucket `index` (0-based), given the control's rate there. Default: the same. */
  canaryRate?: (index: number, controlRate: number) => number;
  /** Factor on both variants' error rates in bucket `index` (a shared downstream incident). Default 1. */
  sharedFactor?: (index: number) => number;
}

/** Canary rate = ratio × control rate from bucket `from` (0-based) on, the control's before. */
export function ratioFrom(ratio: number, from = 0): (index: number, controlRate: number) => number {
  return (index, controlRate) => (index >= from ? ratio * controlRate : controlRate);
}

/** Canary rate = max(rate, control's) from bucket `from` on: a hard failure at an absolute error rate. */
export function absoluteRateFrom(rate: number, from = 0): (index: number, controlRate: number) => number {
  return (index, controlRate) => (index >= from ? Math.max(rate, controlRate) : controlRate);
}

/** Expected canary errors per bucket at the base rate (what "N canary errors expected" counts). */
export function expectedCanaryErrorsPerBucket(scenario: TrafficScenario): number {
  return scenario.requestsPerSecond * scenario.bucketSeconds * scenario.canaryShare * scenario.baseErrorRate;
}

export function simulateBucket(
  rng: SeededRandom,
  scenario: TrafficScenario,
  index: number,
): SequentialBucket {
  const requests = rng.poisson(scenario.requestsPerSecond * scenario.bucketSeconds);
  const canaryTotal = rng.binomial(requests, scenario.canaryShare);
  const controlTotal = requests - canaryTotal;
  const sigma = scenario.noiseSigma;
  const noise = sigma > 0 ? Math.exp(sigma * rng.normal() - (sigma * sigma) / 2) : 1;
  const shared = scenario.sharedFactor?.(index) ?? 1;
  const controlRate = Math.min(1, scenario.baseErrorRate * noise * shared);
  const canaryRate = Math.min(1, Math.max(0, scenario.canaryRate?.(index, controlRate) ?? controlRate));
  return {
    canaryErrors: rng.binomial(canaryTotal, canaryRate),
    canaryTotal,
    controlErrors: rng.binomial(controlTotal, controlRate),
    controlTotal,
  };
}

/** `count` consecutive buckets, indices 0 … count − 1. */
export function simulateBuckets(
  rng: SeededRandom,
  scenario: TrafficScenario,
  count: number,
): SequentialBucket[] {
  const out: SequentialBucket[] = [];
  for (let i = 0; i < count; i++) out.push(simulateBucket(rng, scenario, i));
  return out;
}
