/**
 * The SEQUENTIAL prior's optional fields: the late family's ratio bump (`lateCentre`, `lateSpread`)
 * and the horizon of the late-start law. A prior without them is the law an older analysis recorded,
 * and must keep meaning exactly that.
 */
import { describe, expect, it } from "vitest";
import {
  ALTERNATIVES,
  DEFAULT_SEQUENTIAL_PRIOR,
  GRID_RATIO_STEP,
  horizonFor,
  isSequentialPrior,
  mixtureWeights,
  type SequentialPrior,
  validatePrior,
} from "../../src/analysis/sequential-prior.js";

/** The default of the release before the late bump, as its analyses recorded it. */
const EVEN_LATE: SequentialPrior = {
  centre: 1.75,
  spread: 0.2,
  tail: 0.15,
  late: 0.2,
  lateFrom: 4,
  lateScale: 10,
};

/** A late bump around 6.5× (σ 0.35 in ln r) from 4× up. */
const BUMPED: SequentialPrior = { ...EVEN_LATE, lateCentre: 6.5, lateSpread: 0.35 };

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
/** Index j − 1 of the first alternative r_j = 1.05^j at or above `ratio`. */
const firstAtOrAbove = (ratio: number) => Math.ceil(Math.log(ratio) / Math.log(GRID_RATIO_STEP) - 1e-9) - 1;

describe("the late family's ratio law", () => {
  it("without lateCentre and lateSpread is even in ln r from lateFrom up (an older prior's law)", () => {
    const { late } = mixtureWeights(EVEN_LATE);
    const first = firstAtOrAbove(4);
    expect(late.slice(0, first).every((w) => w === 0)).toBe(true);
    const share = 1 / (ALTERNATIVES - first);
    expect(late.slice(first).every((w) => w === share)).toBe(true);
  });

  it("with them is a log-normal bump cut below lateFrom, peaking at the grid point nearest lateCentre", () => {
    const { late } = mixtureWeights(BUMPED);
    expect(sum(late)).toBeCloseTo(1, 12);
    const first = firstAtOrAbove(BUMPED.lateFrom);
    expect(late.slice(0, first).every((w) => w === 0)).toBe(true);
    expect(late[first]).toBeGreaterThan(0);
    const peak = late.indexOf(Math.max(...late));
    // 1.05^38 = 6.38 and 1.05^39 = 6.70: 6.5 is nearer the first in ln r.
    expect(peak + 1).toBe(Math.round(Math.log(6.5) / Math.log(GRID_RATIO_STEP)));
    // Neighbours in ln r: z = ±0.0488 / 0.35 ≈ ±0.14 from the peak weigh about e^(−0.01) of it.
    const z = (j: number) => (j * Math.log(GRID_RATIO_STEP) - Math.log(6.5)) / 0.35;
    expect((late[peak + 1] as number) / (late[peak] as number)).toBeCloseTo(
      Math.exp(-0.5 * (z(peak + 2) ** 2 - z(peak + 1) ** 2)),
      12,
    );
  });

  it("leaves the early family alone", () => {
    expect(mixtureWeights(BUMPED).early).toEqual(mixtureWeights(EVEN_LATE).early);
  });

  it("puts all the late mass on the kept alternative nearest a bump that underflows outside the range", () => {
    const below = mixtureWeights({ ...EVEN_LATE, lateFrom: 40, lateCentre: 1.05, lateSpread: 0.01 }).late;
    expect(below[firstAtOrAbove(40)]).toBe(1);
    expect(sum(below)).toBe(1);
    const above = mixtureWeights({ ...EVEN_LATE, lateCentre: 1e6, lateSpread: 0.01 }).late;
    expect(above[ALTERNATIVES - 1]).toBe(1);
    expect(sum(above)).toBe(1);
  });
});

describe("prior validation", () => {
  it.each([
    [{ lateCentre: 1 }, /lateCentre out of range/],
    [{ lateCentre: Number.NaN, lateSpread: 0.3 }, /lateCentre out of range/],
    [{ lateCentre: 6, lateSpread: 0 }, /lateSpread out of range/],
    [{ lateCentre: 6 }, /lateCentre and lateSpread go together/],
    [{ lateSpread: 0.3 }, /lateCentre and lateSpread go together/],
    [{ horizon: 1 }, /horizon out of range \(1\)/],
    [{ horizon: 12.5 }, /horizon out of range/],
  ] as const)("rejects %j naming the field", (fields, message) => {
    expect(() => validatePrior({ ...EVEN_LATE, ...fields })).toThrow(message);
  });

  it("reads back older records and today's, and refuses optional fields of the wrong type", () => {
    expect(isSequentialPrior(EVEN_LATE)).toBe(true);
    expect(isSequentialPrior({ ...DEFAULT_SEQUENTIAL_PRIOR })).toBe(true);
    expect(isSequentialPrior({ ...BUMPED, horizon: 30 })).toBe(true);
    expect(isSequentialPrior({ ...BUMPED, horizon: "30" })).toBe(false);
    expect(isSequentialPrior({ ...BUMPED, lateCentre: "6.5" })).toBe(false);
    expect(isSequentialPrior({ ...EVEN_LATE, lateCentre: 6.5 })).toBe(false);
  });
});

describe("horizonFor", () => {
  it("is the analysis's last bucket, at least 2", () => {
    expect(horizonFor(30 * 60_000, 60_000)).toBe(30);
    expect(horizonFor(30 * 60_000, 7 * 60_000)).toBe(4); // ticks at 7, 14, 21, 28 min
    expect(horizonFor(60_000, 60_000)).toBe(2);
    expect(horizonFor(30_000, 60_000)).toBe(2);
  });
});
