import { describe, expect, it } from "vitest";
import {
  ANALYSIS_MINUTES,
  BASE_TRAFFIC,
  type CellResult,
  checkpointsFor,
  oracleMinutesFor,
  runCell,
  SCENARIOS,
  type Scenario,
  TRAFFIC_LEVELS,
} from "../../bench/analysis/cells.js";
import { sequentialJudge } from "../../bench/analysis/judges.js";
import {
  addBucket,
  emptyNullSplit,
  neymanPearson,
  oracleRejection,
  rejectionProbability,
} from "../../bench/analysis/oracle.js";
import { renderTargets, targetStatus, targetsSummary, verdictText } from "../../bench/analysis/report.js";
import { ratioFrom } from "../../bench/analysis/sequential-simulation.js";
import {
  beyondReach,
  evaluateTargets,
  HARD_FAILURE_SHARE,
  medianBucketsToDecision,
  ORACLE_LABEL,
  type TargetResult,
} from "../../bench/analysis/targets.js";

/** C(n, k) as a double, exactly for the small n used here. */
function choose(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c;
}

const binomialPmf = (n: number, p: number): number[] =>
  Array.from({ length: n + 1 }, (_, k) => choose(n, k) * p ** k * (1 - p) ** (n - k));

describe("oracle: the null law of the canary's errors", () => {
  it("is Binomial(Σm, s) when every bucket has the same share", () => {
    const split = emptyNullSplit();
    addBucket(split, 1, 3, 0.1);
    addBucket(split, 2, 2, 0.1);
    expect(split.canaryErrors).toBe(3);
    const exact = binomialPmf(5, 0.1);
    expect(split.pmf).toHaveLength(6);
    split.pmf.forEach((p, k) => {
      expect(p).toBeCloseTo(exact[k] as number, 15);
    });
  });

  it("is the Poisson-binomial law of every error's own share (against enumeration)", () => {
    const buckets: [number, number][] = [
      [2, 0.2],
      [3, 0.05],
      [1, 0.5],
    ];
    const split = emptyNullSplit();
    for (const [m, s] of buckets) addBucket(split, 0, m, s);
    const shares = buckets.flatMap(([m, s]) => Array.from({ length: m }, () => s));
    const brute = new Array<number>(shares.length + 1).fill(0);
    for (let mask = 0; mask < 2 ** shares.length; mask++) {
      let p = 1;
      let x = 0;
      shares.forEach((s, i) => {
        const canary = (mask >> i) & 1;
        p *= canary ? s : 1 - s;
        x += canary;
      });
      brute[x] = (brute[x] as number) + p;
    }
    split.pmf.forEach((p, k) => {
      expect(p).toBeCloseTo(brute[k] as number, 15);
    });
  });

  it("rejects non-integer or inconsistent counts", () => {
    expect(() => addBucket(emptyNullSplit(), 1.5, 3, 0.1)).toThrow(RangeError);
    expect(() => addBucket(emptyNullSplit(), 4, 3, 0.1)).toThrow(RangeError);
    expect(() => addBucket(emptyNullSplit(), 1, 3, 1.1)).toThrow(RangeError);
  });
});

describe("oracle: the Neyman-Pearson test", () => {
  it("has the critical value and randomisation of the exact binomial computation, and size α", () => {
    // X ~ Binomial(5, 0.1): P(X ≥ 3) = 0.00856, P(X = 2) = 0.0729, so c = 2 and
    // γ = (0.01 − 0.00856) / 0.0729.
    const pmf = binomialPmf(5, 0.1);
    const above2 = 10 * 0.1 ** 3 * 0.9 ** 2 + 5 * 0.1 ** 4 * 0.9 + 0.1 ** 5;
    expect(above2).toBeCloseTo(0.00856, 12);
    const test = neymanPearson(pmf, 0.01);
    expect(test.critical).toBe(2);
    expect(test.tailAbove).toBeCloseTo(above2, 15);
    expect(test.gamma).toBeCloseTo((0.01 - above2) / (10 * 0.01 * 0.9 ** 3), 12);
    const size = pmf.reduce((sum, p, x) => sum + p * rejectionProbability(test, x), 0);
    expect(size).toBeCloseTo(0.01, 15);
    expect([1, 2, 3, 5].map((x) => rejectionProbability(test, x))).toEqual([0, test.gamma, 1, 1]);
  });

  it("rejects with probability α when there are no errors at all", () => {
    const split = emptyNullSplit();
    expect(neymanPearson(split.pmf, 0.01)).toEqual({ critical: 0, gamma: 0.01, tailAbove: 0 });
    expect(oracleRejection(split, 0.01)).toBeCloseTo(0.01, 15);
  });

  it("is at least as powerful as every non-randomised level-α test (all 2^7 rejection regions)", () => {
    const n = 6;
    const share = 0.1;
    const ratio = 10;
    const theta = (ratio * share) / (ratio * share + 1 - share);
    const p0 = binomialPmf(n, share);
    const p1 = binomialPmf(n, theta);
    const alpha = 0.05;
    const test = neymanPearson(p0, alpha);
    const power = p1.reduce((sum, p, x) => sum + p * rejectionProbability(test, x), 0);
    let best = 0;
    for (let region = 0; region < 2 ** (n + 1); region++) {
      let size = 0;
      let pow = 0;
      for (let x = 0; x <= n; x++) {
        if ((region >> x) & 1) {
          size += p0[x] as number;
          pow += p1[x] as number;
        }
      }
      if (size <= alpha + 1e-15) best = Math.max(best, pow);
    }
    expect(best).toBeGreaterThan(0.5);
    expect(power).toBeGreaterThanOrEqual(best - 1e-12);
  });
});

describe("oracle in the benchmark cells", () => {
  it("is evaluated at the detection horizons and at the last allowed bucket of a 10× failure", () => {
    const find = (id: string): Scenario => {
      const s = SCENARIOS.find((x) => x.id === id);
      if (!s) throw new Error(id);
      return s;
    };
    expect(oracleMinutesFor(find("2x"), 100)).toEqual([17, 34]);
    expect(oracleMinutesFor(find("10x@11"), 100)).toEqual([12]);
    expect(oracleMinutesFor(find("10x@1"), 5)).toEqual([2]);
    expect(oracleMinutesFor(find("aa"), 100)).toEqual([]);
    expect(oracleMinutesFor(find("20pct@1"), 100)).toEqual([]);
    expect(oracleMinutesFor(find("1.2x"), 100)).toEqual([]);
  });

  it("has power ≈ α on canaries that are not worse, and ≈ 1 on a 10× canary at 500 req/s", () => {
    const same: Scenario = {
      id: "same",
      label: "A/A seen as a 1× regression",
      onset: 1,
      ratio: 1,
      detection: { errors: 10, share: 0.5 },
      traffic: (rps) => ({ ...BASE_TRAFFIC, requestsPerSecond: rps, canaryRate: ratioFrom(1) }),
    };
    const sims = 4000;
    const cell = runCell(same, 100, sims, 5, []);
    expect(cell.oracleMinutes).toEqual([9]);
    const se = Math.sqrt((0.01 * 0.99) / sims);
    expect(cell.oraclePower[0]).toBeLessThanOrEqual(0.01 + 3 * se);
    expect(cell.oraclePower[0]).toBeGreaterThan(0.01 - 4 * se);

    const tenfold = SCENARIOS.find((s) => s.id === "10x@11");
    if (!tenfold) throw new Error("no 10x@11");
    const hard = runCell(tenfold, 500, 50, 6, []);
    expect(hard.oraclePower[0]).toBeGreaterThan(0.999);
  });
});

function target(partial: Partial<TargetResult>): TargetResult {
  return {
    title: "t",
    short: "t",
    met: false,
    missedAt: [],
    beyond: [],
    oracleAlpha: 0.01,
    summary: "",
    rows: [],
    deciding: [],
    notes: [],
    ...partial,
  };
}

describe("target verdicts against the oracle bound", () => {
  it("says met, NOT MET, or beyond reach of any level-α test, and never relabels a miss as met", () => {
    expect(verdictText(target({ met: true }))).toBe("met");
    expect(verdictText(target({ missedAt: [100] }))).toBe("NOT MET at 100 req/s");
    expect(
      verdictText(
        target({
          missedAt: [5, 20],
          beyond: [
            { requestsPerSecond: 5, bound: 0.03 },
            { requestsPerSecond: 20, bound: 0.55 },
          ],
        }),
      ),
    ).toBe("beyond reach of any level-1% test at 5, 20 req/s (oracle bound 3.0% / 55.0%)");
    expect(
      verdictText(target({ missedAt: [5, 100], beyond: [{ requestsPerSecond: 5, bound: 0.025 }] })),
    ).toBe("NOT MET at 100 req/s; beyond reach of any level-1% test at 5 req/s (oracle bound 2.5%)");
  });

  it("sums the targets up in one line: a miss anywhere a level-α test reaches is NOT MET", () => {
    const targets = [
      target({ short: "A/A", met: true }),
      target({ short: "2×", missedAt: [5], beyond: [{ requestsPerSecond: 5, bound: 0.9 }] }),
      target({ short: "hard", missedAt: [5, 100], beyond: [{ requestsPerSecond: 5, bound: 0.2 }] }),
    ];
    expect(targets.map(targetStatus)).toEqual(["met", "beyond reach", "NOT MET"]);
    expect(targetsSummary(targets)).toBe(
      "§10 analysis targets (SEQUENTIAL): 1 met, 1 NOT MET, 1 missed only where no level-1% test reaches — " +
        "A/A: met; 2×: beyond reach of any level-1% test at 5 req/s (oracle bound 90.0%); " +
        "hard: NOT MET at 100 req/s; beyond reach of any level-1% test at 5 req/s (oracle bound 20.0%)",
    );
  });

  it("counts buckets to decision from the first bad one, undecided runs as never", () => {
    // 6 runs, onset 11: one false rollback at 5 (left out), decisions at 11, 12, 12 and 14, one never.
    const tally = { rollbackMinutes: [5, 11, 12, 12, 14], asks: 0 };
    expect(medianBucketsToDecision(tally, 6, 11)).toBe(2);
    // Three of five runs never decide: the median is never.
    expect(medianBucketsToDecision({ rollbackMinutes: [1, 2], asks: 0 }, 5, 1)).toBe(
      Number.POSITIVE_INFINITY,
    );
    expect(medianBucketsToDecision({ rollbackMinutes: [1, 2, 2, 3], asks: 0 }, 4, 1)).toBe(2);
    expect(medianBucketsToDecision({ rollbackMinutes: [3], asks: 0 }, 1, 11)).toBeUndefined();
  });

  it("puts a level beyond reach only when every missed case there has a bound below the goal", () => {
    const goal = 0.95;
    // Levels 5 / 20 / 100 / 500; case A misses at 5, 20, 100; case B at 5 and 20.
    const a = { values: [0.02, 0.3, 0.9, 1], bounds: [0.05, 0.6, 0.99, 1] };
    const b = { values: [0.5, 0.9, 1, 1], bounds: [0.7, 0.97, 1, 1] };
    expect(beyondReach([5, 20, 100], [a, b], goal)).toEqual([{ requestsPerSecond: 5, bound: 0.7 }]);
    const noBound = { values: [0.5, 1, 1, 1], bounds: [undefined, 1, 1, 1] };
    expect(beyondReach([5], [a, noBound], goal)).toEqual([]);
    expect(beyondReach([5], [a], goal)).toEqual([{ requestsPerSecond: 5, bound: 0.05 }]);
  });

  it("renders the oracle rows and the wording from evaluated cells", () => {
    // Synthetic results: SEQUENTIAL (the only judge) rolls back `share` of the runs at the first bad
    // bucket; the oracle's power is given per level.
    const judges = [sequentialJudge()];
    const sims = 1000;
    const seq = (id: string, rps: number): number => {
      if (id === "aa" || id === "incident") return 0.005;
      if (id === "2x" || id === "1.5x") return 0.99;
      if (id === "10x@11") return { 5: 0.01, 20: 0.2, 100: 0.9, 500: 1 }[rps] ?? 1;
      return 1;
    };
    const oracle = (id: string, rps: number): number =>
      id === "10x@11" ? ({ 5: 0.03, 20: 0.55, 100: 0.995, 500: 1 }[rps] ?? 1) : 1;
    const results: CellResult[] = SCENARIOS.flatMap((scenario) =>
      TRAFFIC_LEVELS.map((rps) => {
        const checkpoints = checkpointsFor(scenario, rps);
        const rolledBack = Math.round(seq(scenario.id, rps) * sims);
        const minute = scenario.onset ?? ANALYSIS_MINUTES;
        const oracleMinutes = oracleMinutesFor(scenario, rps);
        return {
          scenario,
          requestsPerSecond: rps,
          sims,
          checkpoints,
          tallies: [
            checkpoints.map(() => ({ rollbackMinutes: new Array(rolledBack).fill(minute), asks: 0 })),
          ],
          oracleMinutes,
          oraclePower: oracleMinutes.map(() => oracle(scenario.id, rps)),
        };
      }),
    );
    const targets = evaluateTargets(results, judges);
    const hard = targets[4] as TargetResult;
    expect(hard.missedAt).toEqual([5, 20, 100]);
    expect(hard.beyond).toEqual([
      { requestsPerSecond: 5, bound: 0.03 },
      { requestsPerSecond: 20, bound: 0.55 },
    ]);
    expect(HARD_FAILURE_SHARE).toBe(0.95);
    const lines = renderTargets(targets);
    expect(lines).toContain(
      "hard failure (10× or 20% errors): first bad bucket → rollback decision ≤ 2 buckets: " +
        "NOT MET at 100 req/s; beyond reach of any level-1% test at 5, 20 req/s (oracle bound 3.0% / 55.0%)",
    );
    // Every synthetic decision falls on the first bad bucket; at 5 req/s 99% of 10×@11 never decide.
    expect(lines.some((l) => l.includes("median buckets to decision, slowest case: — / — / 1 / 1"))).toBe(
      true,
    );
    expect(lines.filter((l) => l.includes(ORACLE_LABEL)).length).toBe(2 + 2 + 2);
    expect(lines.some((l) => l.startsWith("2× regression caught ≥ 95%") && l.endsWith(": met"))).toBe(true);
  });
});
