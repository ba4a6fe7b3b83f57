/**
 * The late-start law of the SEQUENTIAL prior and the exact martingale property it must keep: at
 * r = maxRatio every component of the mixture has mean 1 and the prior masses (early, started late,
 * not yet started late) add up to 1, so the expected evidence after any number of buckets is exactly 1.
 * Checked by enumerating every outcome of a few small buckets, not by simulation.
 */
import { describe, expect, it } from "vitest";
import {
  DEFAULT_SEQUENTIAL_PRIOR,
  lateStartMass,
  lateUnstartedMass,
} from "../../src/analysis/sequential-prior.js";
import {
  initialSequentialState,
  type SequentialState,
  summarizeSequential,
  updateSequential,
} from "../../src/analysis/sequential-test.js";

describe("late-start law", () => {
  it.each([0, 3.5, DEFAULT_SEQUENTIAL_PRIOR.lateScale, 40])(
    "h = %s: puts mass late on starts k ≥ 2, late·(1 + h)/(t + h) of it after bucket t",
    (h) => {
      const late = 0.45;
      let started = 0;
      for (let t = 1; t <= 500; t++) {
        if (t >= 2) started += lateStartMass(late, t, h);
        expect(started + lateUnstartedMass(late, t, h)).toBeCloseTo(late, 14);
      }
      expect(lateUnstartedMass(late, 0, h)).toBe(late);
      expect(lateUnstartedMass(late, 1, h)).toBe(late);
      // Half the late mass on starts at buckets 2 … h + 2.
      expect(lateUnstartedMass(late, h + 2, h)).toBeCloseTo(late / 2, 14);
    },
  );

  it.each([
    [2, 0],
    [4, 10],
    [30, 10],
    [30, 0],
    [181, 3.5],
  ])("cut at horizon %s (h = %s): the starts 2 … H carry all of late, none come after", (horizon, h) => {
    const late = 0.3;
    let started = 0;
    for (let t = 1; t <= horizon + 20; t++) {
      if (t >= 2) started += lateStartMass(late, t, h, horizon);
      expect(started + lateUnstartedMass(late, t, h, horizon)).toBeCloseTo(late, 14);
      if (t > horizon) expect(lateStartMass(late, t, h, horizon)).toBe(0);
      if (t >= horizon) expect(lateUnstartedMass(late, t, h, horizon)).toBe(0);
    }
    expect(lateUnstartedMass(late, 1, h, horizon)).toBe(late);
    // Within the horizon the cut law is the uncut one scaled up by one factor: (H + h) / (H − 1).
    expect(lateStartMass(late, 2, h, horizon) / lateStartMass(late, 2, h)).toBeCloseTo(
      (horizon + h) / (horizon - 1),
      12,
    );
  });

  it("is the plain late / ((k − 1)·k) law at h = 0", () => {
    for (const k of [2, 3, 11, 30]) expect(lateStartMass(0.2, k, 0)).toBeCloseTo(0.2 / ((k - 1) * k), 15);
  });
});

/** Binomial(n, p) pmf at k, for small n. */
function binomial(n: number, k: number, p: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c * p ** k * (1 - p) ** (n - k);
}

describe("SEQUENTIAL evidence is an exact martingale at r = maxRatio", () => {
  // Errors per bucket and canary share; 3·2·4·3·3 = 216 paths. A bucket without errors in the middle.
  const buckets = [
    { errors: 2, canaryTotal: 100, controlTotal: 900 },
    { errors: 1, canaryTotal: 200, controlTotal: 800 },
    { errors: 0, canaryTotal: 100, controlTotal: 900 },
    { errors: 3, canaryTotal: 100, controlTotal: 900 },
    { errors: 2, canaryTotal: 500, controlTotal: 500 },
    { errors: 2, canaryTotal: 300, controlTotal: 700 },
  ];

  it.each([
    ["the default prior", 1, DEFAULT_SEQUENTIAL_PRIOR],
    [
      "a heavy late family",
      1.5,
      { centre: 1.3, spread: 0.8, tail: 0.5, late: 0.9, lateFrom: 1.05, lateScale: 2.5 },
    ],
    [
      "the plain start law",
      1,
      { centre: 1.75, spread: 0.2, tail: 0.15, late: 0.3, lateFrom: 4, lateScale: 0 },
    ],
    // Five informative buckets: starts at 2 and 3 only, none pending from bucket 3 on.
    ["the default prior cut at horizon 3", 1, { ...DEFAULT_SEQUENTIAL_PRIOR, horizon: 3 }],
    [
      "a heavy late bump cut at horizon 5",
      0.8,
      {
        centre: 1.3,
        spread: 0.8,
        tail: 0.5,
        late: 0.9,
        lateFrom: 1.05,
        lateScale: 0,
        lateCentre: 2,
        lateSpread: 1,
        horizon: 5,
      },
    ],
  ] as const)("%s (maxRatio %s): E[evidence] = 1 after every bucket", (_name, maxRatio, prior) => {
    const expected = new Array<number>(buckets.length).fill(0);
    const walk = (state: SequentialState, i: number, probability: number): void => {
      if (i === buckets.length) return;
      const b = buckets[i] as (typeof buckets)[number];
      const share = b.canaryTotal / (b.canaryTotal + b.controlTotal);
      const theta = (maxRatio * share) / (maxRatio * share + 1 - share);
      for (let xc = 0; xc <= b.errors; xc++) {
        const next = updateSequential(state, {
          canaryErrors: xc,
          canaryTotal: b.canaryTotal,
          controlErrors: b.errors - xc,
          controlTotal: b.controlTotal,
        });
        const p = probability * binomial(b.errors, xc, theta);
        expected[i] = (expected[i] as number) + p * summarizeSequential(next).evidence;
        walk(next, i + 1, p);
      }
    };
    walk(initialSequentialState({ maxRatio, alpha: 0.01, prior: { ...prior } }), 0, 1);
    for (const value of expected) expect(value).toBeCloseTo(1, 12);
  });
});
