import { describe, expect, it } from "vitest";
import { refineMaximum } from "../../src/analysis/sequential-estimate.js";
import { DEFAULT_SEQUENTIAL_PRIOR } from "../../src/analysis/sequential-prior.js";
import {
  initialSequentialState,
  isSequentialState,
  SEQUENTIAL_STATE_SCHEMA_2,
  type SequentialBucket,
  SequentialError,
  type SequentialParams,
  type SequentialState,
  summarizeSequential,
  updateSequential,
} from "../../src/analysis/sequential-test.js";

// ---- exact martingale property --------------------------------------------------------------------

function binomialPmf(m: number, x: number, p: number): number {
  let c = 1;
  for (let i = 0; i < x; i++) c = (c * (m - i)) / (i + 1);
  return c * p ** x * (1 - p) ** (m - x);
}

const theta = (r: number, s: number): number => (r * s) / (r * s + 1 - s);

describe("SEQUENTIAL evidence is a test supermartingale", () => {
  // E[evidence after the bucket | before] = evidence before, exactly, at r = maxRatio (by enumerating
  // every outcome), and less below it. Two buckets, so that the late-start recursion is covered too.
  it.each([
    [1, 0.1, 5, 9],
    [1, 0.3, 12, 4],
    [1.5, 0.1, 8, 8],
    [0.8, 0.5, 6, 10],
  ])("maxRatio %f, share %f, %i then %i errors", (maxRatio, share, m1, m2) => {
    const nc = Math.round(share * 1000);
    const nk = 1000 - nc;
    for (const ratio of [maxRatio, maxRatio * 0.7, maxRatio * 0.3]) {
      const p = theta(ratio, nc / (nc + nk));
      let mean = 0;
      for (let x1 = 0; x1 <= m1; x1++) {
        const s1 = updateSequential(initialSequentialState({ maxRatio, alpha: 0.01 }), {
          canaryErrors: x1,
          canaryTotal: nc,
          controlErrors: m1 - x1,
          controlTotal: nk,
        });
        for (let x2 = 0; x2 <= m2; x2++) {
          const s2 = updateSequential(s1, {
            canaryErrors: x2,
            canaryTotal: nc,
            controlErrors: m2 - x2,
            controlTotal: nk,
          });
          mean += binomialPmf(m1, x1, p) * binomialPmf(m2, x2, p) * summarizeSequential(s2).evidence;
        }
      }
      if (ratio === maxRatio) expect(mean).toBeCloseTo(1, 12);
      else expect(mean).toBeLessThan(1);
    }
  });
});

// ---- behaviour --------------------------------------------------------------------------------------

const b = (
  canaryErrors: number,
  canaryTotal: number,
  controlErrors: number,
  controlTotal: number,
): SequentialBucket => ({
  canaryErrors,
  canaryTotal,
  controlErrors,
  controlTotal,
});

const run = (
  buckets: SequentialBucket[],
  params: SequentialParams = { maxRatio: 1, alpha: 0.01 },
): SequentialState => buckets.reduce(updateSequential, initialSequentialState(params));

describe("SEQUENTIAL state", () => {
  it("starts with evidence 1, no estimate and an unbounded interval", () => {
    const summary = summarizeSequential(initialSequentialState({ maxRatio: 1, alpha: 0.01 }));
    expect(summary.evidence).toBeCloseTo(1, 12);
    expect(summary).toMatchObject({
      threshold: 100,
      decision: "CONTINUE",
      failedAtBucket: undefined,
      estimate: undefined,
      interval: [0, Number.POSITIVE_INFINITY],
      canPassEarly: false,
      minDetectableRatio: Number.POSITIVE_INFINITY,
      buckets: 0,
    });
  });

  it("leaves everything but the counts unchanged on buckets without traffic on a side or without errors", () => {
    const data = [b(2, 100, 9, 900), b(4, 110, 8, 890)];
    const empty = [b(0, 0, 7, 900), b(5, 100, 0, 0), b(0, 0, 0, 0), b(0, 120, 0, 880)];
    const plain = run(data);
    const padded = run([data[0] as SequentialBucket, ...empty, data[1] as SequentialBucket]);
    expect(padded.logLikelihood).toEqual(plain.logLikelihood);
    expect(padded.lateLog).toEqual(plain.lateLog);
    expect(padded.interval).toEqual(plain.interval);
    expect(padded.informativeBuckets).toBe(2);
    expect(padded.buckets).toBe(6);
    expect(padded.counts).toEqual({
      canaryErrors: 11,
      canaryTotal: 430,
      controlErrors: 24,
      controlTotal: 3570,
    });
    const [s1, s2] = [summarizeSequential(plain), summarizeSequential(padded)];
    expect(s2.logEvidence).toBe(s1.logEvidence);
    expect(s2.estimate).toBe(s1.estimate);
    // The traffic of a zero-error bucket is real traffic: it makes smaller ratios detectable.
    expect(s2.minDetectableRatio).toBeLessThan(s1.minDetectableRatio);
  });

  it("round-trips through JSON and resumes to identical results", () => {
    const buckets = Array.from({ length: 20 }, (_, i) => b(i % 3, 300 + i, 5 + (i % 4), 2700 - i));
    const straight = run(buckets);
    let resumed = run(buckets.slice(0, 9));
    for (const bucket of buckets.slice(9)) {
      const stored: unknown = JSON.parse(JSON.stringify(resumed));
      if (!isSequentialState(stored)) throw new Error("stored state does not parse");
      resumed = updateSequential(stored, bucket);
    }
    expect(resumed).toEqual(straight);
    expect(summarizeSequential(resumed)).toEqual(summarizeSequential(straight));
    // Nothing JSON cannot represent (Infinity and NaN would silently become null).
    const numbers: number[] = [];
    JSON.stringify(straight, (_key, value: unknown) => {
      if (typeof value === "number") numbers.push(value);
      return value;
    });
    expect(numbers.every(Number.isFinite)).toBe(true);
    expect(isSequentialState({ ...straight, logLikelihood: [1, 2] })).toBe(false);
  });

  it("stays plain JSON past the horizon of a cut prior", () => {
    const prior = { ...DEFAULT_SEQUENTIAL_PRIOR, horizon: 3 };
    let state = initialSequentialState({ maxRatio: 1, alpha: 0.01, prior });
    for (let i = 0; i < 8; i++) state = updateSequential(state, b(1 + (i % 2), 300, 6, 2700));
    expect(state.informativeBuckets).toBe(8);
    expect(state.lateLog.every(Number.isFinite)).toBe(true);
    expect(isSequentialState(JSON.parse(JSON.stringify(state)))).toBe(true);
    expect(Number.isFinite(summarizeSequential(state).logEvidence)).toBe(true);
  });

  it("reads and updates a kanaria.sequential/2 state as the law it was started with", () => {
    // The default of the release that wrote /2 states: no late bump, no horizon.
    const older = { centre: 1.75, spread: 0.2, tail: 0.15, late: 0.2, lateFrom: 4, lateScale: 10 };
    const buckets = Array.from({ length: 12 }, (_, i) => b(i < 8 ? 1 : 12, 600, 11, 5400));
    const now = run(buckets.slice(0, 6), { maxRatio: 1, alpha: 0.01, prior: older });
    const stored: unknown = JSON.parse(JSON.stringify({ ...now, schema: SEQUENTIAL_STATE_SCHEMA_2 }));
    if (!isSequentialState(stored)) throw new Error("a /2 state does not parse");
    let resumed: SequentialState = stored;
    for (const bucket of buckets.slice(6)) resumed = updateSequential(resumed, bucket);
    const straight = run(buckets, { maxRatio: 1, alpha: 0.01, prior: older });
    expect(resumed.schema).toBe(SEQUENTIAL_STATE_SCHEMA_2);
    expect({ ...resumed, schema: straight.schema }).toEqual(straight);
    expect(summarizeSequential(resumed).logEvidence).toBe(summarizeSequential(straight).logEvidence);
    // A /2 state never carried the fields /3 added.
    const forged = { ...now, schema: SEQUENTIAL_STATE_SCHEMA_2, prior: { ...older, horizon: 30 } };
    expect(isSequentialState(forged)).toBe(false);
    expect(() => updateSequential(forged as SequentialState, b(1, 1, 1, 1))).toThrow(
      /not a kanaria.sequential\/3/,
    );
  });

  it("keeps the prior it started with", () => {
    const prior = { centre: 3, spread: 0.5, tail: 0, late: 0, lateFrom: 4, lateScale: 0 };
    const state = [b(5, 100, 10, 900)].reduce(
      updateSequential,
      initialSequentialState({ maxRatio: 1, alpha: 0.01, prior }),
    );
    expect(state.prior).toEqual(prior);
    expect(state.lateLog).toEqual([]);
  });

  it("rejects bad counts, bad parameters and foreign states with stable codes", () => {
    const state = initialSequentialState({ maxRatio: 1, alpha: 0.01 });
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (error) {
        return error instanceof SequentialError ? error.code : "other";
      }
      return undefined;
    };
    expect(code(() => updateSequential(state, b(-1, 10, 0, 10)))).toBe("SEQUENTIAL_INVALID_BUCKET");
    expect(code(() => updateSequential(state, b(Number.NaN, 10, 0, 10)))).toBe("SEQUENTIAL_INVALID_BUCKET");
    expect(code(() => updateSequential(state, b(1, Number.POSITIVE_INFINITY, 0, 10)))).toBe(
      "SEQUENTIAL_INVALID_BUCKET",
    );
    expect(code(() => initialSequentialState({ maxRatio: 0, alpha: 0.01 }))).toBe(
      "SEQUENTIAL_INVALID_PARAMS",
    );
    expect(code(() => initialSequentialState({ maxRatio: 1, alpha: 1 }))).toBe("SEQUENTIAL_INVALID_PARAMS");
    expect(
      code(() =>
        initialSequentialState({ maxRatio: 1, alpha: 0.01, prior: { ...DEFAULT_SEQUENTIAL_PRIOR, late: 1 } }),
      ),
    ).toBe("SEQUENTIAL_INVALID_PARAMS");
    expect(
      code(() =>
        initialSequentialState({
          maxRatio: 1,
          alpha: 0.01,
          prior: { ...DEFAULT_SEQUENTIAL_PRIOR, lateScale: -1 },
        }),
      ),
    ).toBe("SEQUENTIAL_INVALID_PARAMS");
    expect(code(() => updateSequential({ ...state, schema: "other" } as never, b(1, 1, 1, 1)))).toBe(
      "SEQUENTIAL_BAD_STATE",
    );
    // Fractional counts (rollups) are accepted.
    expect(code(() => updateSequential(state, b(1.5, 100.25, 3.5, 900)))).toBeUndefined();
  });

  it("reports 0 and Infinity estimates when only one side has errors", () => {
    expect(summarizeSequential(run([b(0, 100, 9, 900)])).estimate).toBe(0);
    expect(summarizeSequential(run([b(3, 100, 0, 900)])).estimate).toBe(Number.POSITIVE_INFINITY);
  });

  it("fails on a plain hard failure within two buckets and stays failed", () => {
    // 100 req/s, 10% canary, control at 0.2%, canary at 2% (10×): expected counts.
    const hard = b(12, 600, 11, 5400);
    const state = run([hard, hard]);
    expect(summarizeSequential(state).decision).toBe("FAIL");
    expect(state.failedAtBucket).toBeLessThanOrEqual(2);
    // Sticky: healthy buckets afterwards lower the evidence but not the decision.
    const later = run([hard, hard, ...Array.from({ length: 30 }, () => b(1, 600, 11, 5400))]);
    const summary = summarizeSequential(later);
    expect(summary.logEvidence).toBeLessThan(Math.log(100));
    expect(summary.decision).toBe("FAIL");
    expect(summary.canPassEarly).toBe(false);
  });

  it("does not move towards failure on a shared incident (errors up on both sides in proportion)", () => {
    const quiet = Array.from({ length: 10 }, () => b(1, 600, 11, 5400));
    const before = summarizeSequential(run(quiet));
    const incident = Array.from({ length: 5 }, () => b(300, 600, 2700, 5400)); // 50% errors everywhere
    const after = summarizeSequential(run([...quiet, ...incident]));
    expect(after.decision).toBe("CONTINUE");
    expect(after.logEvidence).toBeLessThanOrEqual(before.logEvidence);
    expect(after.estimate).toBeCloseTo(1, 1);
  });

  it("can pass early when the canary is clearly better, and the interval only shrinks", () => {
    let state = initialSequentialState({ maxRatio: 1, alpha: 0.01 });
    let previous = summarizeSequential(state).interval;
    for (let i = 0; i < 40; i++) {
      state = updateSequential(state, b(3, 3000, 54, 27000)); // canary at half the control's rate
      const { interval } = summarizeSequential(state);
      expect(interval[0]).toBeGreaterThanOrEqual(previous[0]);
      expect(interval[1]).toBeLessThanOrEqual(previous[1]);
      previous = interval;
    }
    const summary = summarizeSequential(state);
    expect(summary.canPassEarly).toBe(true);
    expect(summary.interval[0]).toBeLessThan(0.5);
    expect(summary.interval[1]).toBeGreaterThan(0.5);
  });

  it("flags an exhausted interval when the ratio changes during the analysis", () => {
    const good = Array.from({ length: 15 }, () => b(6, 3000, 54, 27000));
    const bad = Array.from({ length: 15 }, () => b(60, 3000, 54, 27000));
    const summary = summarizeSequential(run([...good, ...bad]));
    expect(summary.decision).toBe("FAIL");
    expect(summary.intervalExhausted).toBe(true);
    expect(summary.interval[0]).toBe(summary.interval[1]);
  });

  it("states a smaller detectable ratio as traffic accumulates", () => {
    const bucket = b(1, 600, 11, 5400);
    const ratios = [1, 5, 20, 60].map((n) =>
      summarizeSequential(run(Array.from({ length: n }, () => bucket))),
    );
    for (let i = 1; i < ratios.length; i++) {
      expect(ratios[i]?.minDetectableRatio).toBeLessThan(ratios[i - 1]?.minDetectableRatio ?? 0);
    }
    expect(ratios[3]?.minDetectableRatio).toBeGreaterThan(1);
  });
});

describe("refineMaximum", () => {
  it("finds the maximum of a quartic exactly and of a parabola from three points", () => {
    const quartic = (x: number): number => -((x - 0.3) ** 2) - 0.1 * (x - 0.3) ** 4;
    expect(refineMaximum(quartic, true)).toBeCloseTo(0.3, 12);
    expect(refineMaximum((x) => -((x + 0.42) ** 2), false)).toBeCloseTo(-0.42, 12);
    expect(refineMaximum(() => 1, true)).toBe(0);
  });
});
