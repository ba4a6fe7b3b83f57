/**
 * Properties of the SEQUENTIAL test on seeded simulated traffic (bench/analysis/sequential-simulation.ts):
 * the false-alarm guarantee, robustness to shared incidents, hard-failure speed and the interval's
 * coverage. Deterministic (fixed seeds); tolerances are binomial, a few standard errors wide.
 */
import { describe, expect, it } from "vitest";
import {
  absoluteRateFrom,
  ratioFrom,
  simulateBucket,
  type TrafficScenario,
} from "../../bench/analysis/sequential-simulation.js";
import { SeededRandom } from "../../sandbox/seeded-random.js";
import { gridRatio } from "../../src/analysis/sequential-evidence.js";
import { CANDIDATES } from "../../src/analysis/sequential-prior.js";
import {
  initialSequentialState,
  type SequentialState,
  summarizeSequential,
  updateSequential,
} from "../../src/analysis/sequential-test.js";

const ALPHA = 0.01;

const scenario = (requestsPerSecond: number, extra: Partial<TrafficScenario> = {}): TrafficScenario => ({
  requestsPerSecond,
  canaryShare: 0.1,
  baseErrorRate: 0.002,
  noiseSigma: 0.5,
  bucketSeconds: 60,
  ...extra,
});

/** Upper binomial tolerance: p + 3 standard errors over n runs. */
const upper = (p: number, n: number): number => p + 3 * Math.sqrt((p * (1 - p)) / n);

/** Interval ends as ratios, from the state's candidate indices (no summary needed). */
function covers(state: SequentialState, ratio: number): boolean {
  const [lo, hi] = state.interval;
  const low = lo <= -CANDIDATES ? 0 : gridRatio(state.maxRatio, lo);
  const high = hi >= CANDIDATES ? Number.POSITIVE_INFINITY : gridRatio(state.maxRatio, hi);
  return low <= ratio * (1 + 1e-12) && ratio <= high * (1 + 1e-12);
}

describe("SEQUENTIAL on simulated A/A traffic", () => {
  const runs = 2000;
  const buckets = 30;
  const rng = new SeededRandom(0xa11ce);
  let crossed = 0;
  let missed = 0;
  const evidenceAt: Record<number, number[]> = { 5: [], 30: [] };
  for (let run = 0; run < runs; run++) {
    const traffic = scenario([5, 50, 500][run % 3] ?? 50);
    let state = initialSequentialState({ maxRatio: 1, alpha: ALPHA });
    let everMissed = false;
    for (let i = 0; i < buckets; i++) {
      state = updateSequential(state, simulateBucket(rng, traffic, i));
      if (!covers(state, 1)) everMissed = true;
      evidenceAt[i + 1]?.push(summarizeSequential(state).evidence);
    }
    if (state.failedAtBucket !== null) crossed += 1;
    if (everMissed) missed += 1;
  }

  it("reaches 1/alpha in at most alpha of the runs (Ville), checking after every bucket", () => {
    expect(crossed / runs).toBeLessThanOrEqual(upper(ALPHA, runs));
  });

  it.each([5, 30])("has mean evidence ≤ 1 after %i buckets (up to sampling error)", (k) => {
    const values = evidenceAt[k] ?? [];
    const mean = values.reduce((a, v) => a + v, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
    expect(values).toHaveLength(runs);
    expect(mean).toBeLessThanOrEqual(1 + 4 * (sd / Math.sqrt(values.length)));
  });

  it("keeps the true ratio (1) inside the interval at every bucket in ≥ 1 − alpha of the runs", () => {
    expect(missed / runs).toBeLessThanOrEqual(upper(ALPHA, runs));
  });
});

describe("SEQUENTIAL during a shared downstream incident", () => {
  it("fails in at most 2% of runs when both variants' errors go ×10–×50 for five minutes", () => {
    const runs = 1000;
    const rng = new SeededRandom(0x1dc1d);
    let failures = 0;
    for (let run = 0; run < runs; run++) {
      const factor = 10 + 40 * rng.next();
      const traffic = scenario(run % 2 === 0 ? 50 : 500, {
        sharedFactor: (i) => (i >= 9 && i < 14 ? factor : 1),
      });
      let state = initialSequentialState({ maxRatio: 1, alpha: ALPHA });
      for (let i = 0; i < 30 && state.failedAtBucket === null; i++) {
        state = updateSequential(state, simulateBucket(rng, traffic, i));
      }
      if (state.failedAtBucket !== null) failures += 1;
    }
    expect(failures / runs).toBeLessThanOrEqual(0.02);
  });
});

describe("SEQUENTIAL on hard failures", () => {
  const decidedWithin = (seed: number, traffic: TrafficScenario, onset: number, runs: number): number => {
    const rng = new SeededRandom(seed);
    let decided = 0;
    for (let run = 0; run < runs; run++) {
      let state = initialSequentialState({ maxRatio: 1, alpha: ALPHA });
      for (let i = 0; i < onset + 2 && state.failedAtBucket === null; i++) {
        state = updateSequential(state, simulateBucket(rng, traffic, i));
      }
      const at = state.failedAtBucket;
      if (at !== null && at > onset && at <= onset + 2) decided += 1;
    }
    return decided / runs;
  };

  it("flags a 10× canary within 2 buckets at 100 req/s", () => {
    expect(decidedWithin(0x10, scenario(100, { canaryRate: ratioFrom(10) }), 0, 500)).toBeGreaterThanOrEqual(
      0.95,
    );
  });

  it("flags a 10× regression starting at bucket 11 within 2 buckets at 200 req/s", () => {
    expect(
      decidedWithin(0x11, scenario(200, { canaryRate: ratioFrom(10, 10) }), 10, 500),
    ).toBeGreaterThanOrEqual(0.95);
  });

  it("flags 20% canary errors within 2 buckets even at 5 req/s", () => {
    expect(
      decidedWithin(0x20, scenario(5, { canaryRate: absoluteRateFrom(0.2) }), 0, 500),
    ).toBeGreaterThanOrEqual(0.95);
  });
});

describe("SEQUENTIAL interval coverage under a regression", () => {
  it.each([
    ["a grid ratio", 1.05 ** 14],
    ["an off-grid ratio", 1.5],
  ])("contains %s at every bucket in ≥ 1 − alpha of the runs", (_name, ratio) => {
    const runs = 1000;
    const rng = new SeededRandom(Math.round(ratio * 1000));
    const traffic = scenario(200, { canaryRate: ratioFrom(ratio) });
    let missed = 0;
    for (let run = 0; run < runs; run++) {
      let state = initialSequentialState({ maxRatio: 1, alpha: ALPHA });
      let everMissed = false;
      for (let i = 0; i < 30; i++) {
        state = updateSequential(state, simulateBucket(rng, traffic, i));
        if (!covers(state, ratio)) everMissed = true;
      }
      if (everMissed) missed += 1;
    }
    expect(missed / runs).toBeLessThanOrEqual(upper(ALPHA, runs));
  });
});
