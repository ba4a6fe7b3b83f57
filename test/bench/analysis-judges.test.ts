import { describe, expect, it } from "vitest";
import { checkpointsFor, horizonMinutes, runCell, SCENARIOS } from "../../bench/analysis/cells.js";
import {
  HodgesLehmannError,
  hodgesLehmann,
  kthPairwiseDifference,
  normalQuantile,
} from "../../bench/analysis/hodges-lehmann.js";
import {
  argoThresholdJudge,
  flaggerJudge,
  type Judge,
  type JudgeRun,
  kayentaJudge,
  kayentaJudgement,
  pipecdJudge,
  sequentialJudge,
} from "../../bench/analysis/judges.js";
import { SeededRandom } from "../../sandbox/seeded-random.js";
import { DEFAULT_SEQUENTIAL_PRIOR, type SequentialPrior } from "../../src/analysis/sequential-prior.js";
import {
  initialSequentialState,
  type SequentialBucket,
  updateSequential,
} from "../../src/analysis/sequential-test.js";

/** A bucket with the canary at `canary` errors in `canaryTotal` and the control at 2 in 9000 (0.02%). */
function bucket(
  canaryErrors: number,
  canaryTotal = 1000,
  controlErrors = 2,
  controlTotal = 9000,
): SequentialBucket {
  return { canaryErrors, canaryTotal, controlErrors, controlTotal };
}

const FAILING = bucket(20); // 2% canary errors: fails `result <= 0.01` and success rate ≥ 99%
const PASSING = bucket(1); // 0.1%

/** Pushes the buckets and records rolledBackAt() after each one. */
function feed(run: JudgeRun, buckets: readonly SequentialBucket[]): (number | null)[] {
  return buckets.map((b) => {
    run.push(b);
    return run.rolledBackAt();
  });
}

/** A run of a 30-minute analysis (the benchmark's). */
function start(judge: Judge): JudgeRun {
  return judge.start(30);
}

describe("THRESHOLD as Argo Rollouts (result <= 0.01, failures > failureLimit)", () => {
  it("failureLimit 3 rolls back at the 4th failing bucket, not the 3rd, counting failures not runs", () => {
    const run = start(argoThresholdJudge(3));
    const seen = feed(run, [FAILING, FAILING, PASSING, FAILING, PASSING, FAILING, FAILING]);
    expect(seen).toEqual([null, null, null, null, null, 6, 6]);
    expect(run.verdictAtEnd()).toEqual({ kind: "rollback", minute: 6 });
  });

  it("failureLimit 0 rolls back at the first failing bucket", () => {
    const run = start(argoThresholdJudge(0));
    expect(feed(run, [PASSING, PASSING, FAILING])).toEqual([null, null, 3]);
  });

  it("passes a ratio of exactly 1% (<=) and promotes when nothing fails", () => {
    const run = start(argoThresholdJudge(0));
    expect(feed(run, [bucket(10, 1000), bucket(1, 100), bucket(11, 1000)])).toEqual([null, null, 3]);
    const clean = start(argoThresholdJudge(0));
    feed(
      clean,
      Array.from({ length: 30 }, () => PASSING),
    );
    expect(clean.verdictAtEnd()).toEqual({ kind: "promote" });
  });

  it("skips a minute without canary requests instead of failing it", () => {
    const run = start(argoThresholdJudge(0));
    expect(feed(run, [bucket(0, 0), PASSING])).toEqual([null, null]);
  });
});

describe("THRESHOLD as Flagger (success rate ≥ 99%, threshold 5)", () => {
  it("rolls back at the 5th failed check", () => {
    const run = start(flaggerJudge(5));
    const seen = feed(run, [FAILING, PASSING, FAILING, FAILING, FAILING, PASSING, FAILING, FAILING]);
    expect(seen).toEqual([null, null, null, null, null, null, 7, 7]);
  });

  it("treats exactly 99% as a pass and 98.9% as a failed check", () => {
    const run = start(flaggerJudge(1));
    expect(feed(run, [bucket(1, 100), bucket(11, 1000)])).toEqual([null, 2]);
  });
});

describe("CANARY_PRIMARY as PipeCD (5-minute windows, p ≤ 0.05, failureLimit 0)", () => {
  it("checks only at the end of each window and fails a clearly worse canary there", () => {
    const run = start(pipecdJudge(5));
    const worse = Array.from({ length: 7 }, (_, i) => bucket(50 + i, 1000, 1 + (i % 2), 9000));
    expect(feed(run, worse)).toEqual([null, null, null, null, 5, 5, 5]);
  });

  it("does not fail a canary that matches the primary", () => {
    const run = start(pipecdJudge(5));
    const same = Array.from({ length: 30 }, (_, i) => bucket(2 + (i % 3), 1000, 18 + 9 * (i % 3), 9000));
    expect(feed(run, same).every((at) => at === null)).toBe(true);
    expect(run.verdictAtEnd()).toEqual({ kind: "promote" });
  });
});

describe("Kayenta-like (Mann-Whitney + Hodges-Lehmann 98% at the end)", () => {
  const worse = Array.from({ length: 30 }, (_, i) => bucket(30 + (i % 7), 1000, 5 + (i % 4), 9000));

  it("never decides before the end, then rolls back a worse canary at the last minute", () => {
    const run = start(kayentaJudge(0.98));
    expect(feed(run, worse).every((at) => at === null)).toBe(true);
    expect(run.verdictAtEnd()).toEqual({ kind: "rollback", minute: 30 });
  });

  it("asking at the end does not change the run", () => {
    const run = start(kayentaJudge(0.98));
    feed(run, worse.slice(0, 2));
    // Two points per side: too few for a 98% interval, which is unbounded, so no rollback.
    expect(run.verdictAtEnd()).toEqual({ kind: "promote" });
    feed(run, worse.slice(2));
    expect(run.verdictAtEnd()).toEqual({ kind: "rollback", minute: 30 });
  });

  it("promotes when canary and control ratios are alike", () => {
    const run = start(kayentaJudge(0.98));
    feed(
      run,
      Array.from({ length: 30 }, (_, i) => bucket(2 + (i % 3), 1000, 18 + 9 * ((i + 1) % 3), 9000)),
    );
    expect(run.verdictAtEnd()).toEqual({ kind: "promote" });
  });

  it("fails exactly when the interval lies above 0, and reports U, p and the shift", () => {
    const canary = [0.03, 0.031, 0.034, 0.029, 0.035, 0.032, 0.036, 0.03];
    const control = [0.001, 0.002, 0.0015, 0.001, 0.0005, 0.002, 0.001, 0.0012];
    const judgement = kayentaJudgement(canary, control, 0.98);
    expect(judgement.u).toBe(64);
    expect(judgement.pValue).toBeLessThan(0.001);
    expect(judgement.shift.lower).toBeGreaterThan(0);
    expect(judgement.fail).toBe(true);
    const reversed = kayentaJudgement(control, canary, 0.98);
    expect(reversed.shift.upper).toBeLessThan(0);
    expect(reversed.fail).toBe(false);
  });
});

describe("SEQUENTIAL (production code, alpha 0.01, maxRatio 1)", () => {
  it("fails a 30%-error canary within two buckets, at the bucket production's state reports", () => {
    const hard = Array.from({ length: 5 }, () => bucket(180, 600, 11, 5400));
    const run = start(sequentialJudge());
    const seen = feed(run, hard);
    let state = initialSequentialState({ maxRatio: 1, alpha: 0.01 });
    for (const b of hard) state = updateSequential(state, b);
    expect(state.failedAtBucket).not.toBeNull();
    expect(seen[seen.length - 1]).toBe(state.failedAtBucket);
    expect(state.failedAtBucket).toBeLessThanOrEqual(2);
    expect(run.verdictAtEnd()).toEqual({ kind: "rollback", minute: state.failedAtBucket });
  });

  it("cuts the late starts at the analysis length, as the stage does for its duration", () => {
    // `good` healthy minutes at 100 req/s, then `bad` canary errors a minute (from about 4× to 12×).
    const story = (good: number, bad: number) => [
      ...Array.from({ length: good }, () => bucket(1, 600, 11, 5400)),
      ...Array.from({ length: 4 }, () => bucket(bad, 600, 11, 5400)),
    ];
    const failedAt = (prior: SequentialPrior, buckets: SequentialBucket[]) => {
      let state = initialSequentialState({ maxRatio: 1, alpha: 0.01, prior });
      for (const b of buckets) if (state.failedAtBucket === null) state = updateSequential(state, b);
      return state.failedAtBucket;
    };
    let told = 0;
    for (const good of [5, 10, 20]) {
      for (let bad = 5; bad <= 15; bad++) {
        const buckets = story(good, bad);
        const cut = failedAt({ ...DEFAULT_SEQUENTIAL_PRIOR, horizon: 30 }, buckets);
        expect(feed(sequentialJudge().start(30), buckets).at(-1), `${good} good, ${bad} errors`).toBe(cut);
        if (cut !== failedAt(DEFAULT_SEQUENTIAL_PRIOR, buckets)) told += 1;
      }
    }
    // Some of these stories fail at another minute without the cut: the check above can tell.
    expect(told).toBeGreaterThan(0);
  });

  it("promotes an A/A canary with enough traffic and asks when traffic is too thin to decide", () => {
    const run = start(sequentialJudge());
    const aa = Array.from({ length: 30 }, (_, i) => bucket(6 + (i % 3), 6000, 54 + 9 * (i % 3), 54000));
    expect(feed(run, aa).every((at) => at === null)).toBe(true);
    expect(run.verdictAtEnd()).toEqual({ kind: "promote" });

    const thin = start(sequentialJudge());
    feed(
      thin,
      Array.from({ length: 30 }, (_, i) => bucket(0, 30, i % 4 === 0 ? 1 : 0, 270)),
    );
    expect(thin.verdictAtEnd()).toEqual({ kind: "ask" });
  });
});

describe("Hodges-Lehmann shift and interval", () => {
  const brute = (x: readonly number[], y: readonly number[]) =>
    x.flatMap((a) => y.map((b) => a - b)).sort((a, b) => a - b);

  it("selects the k-th pairwise difference like sorting them all, ties included", () => {
    const rng = new SeededRandom(7);
    for (let trial = 0; trial < 40; trial++) {
      const n = 1 + rng.int(12);
      const m = 1 + rng.int(12);
      // Few distinct values, so that many differences tie (as per-minute ratios of 0 do).
      const x = Array.from({ length: n }, () => rng.int(5) / 10);
      const y = Array.from({ length: m }, () => rng.int(5) / 10);
      const sorted = brute(x, y);
      for (const k of [1, Math.ceil((n * m) / 2), n * m, 1 + rng.int(n * m)]) {
        expect(kthPairwiseDifference(x, y, k)).toBe(sorted[k - 1]);
      }
    }
  });

  it("estimates the shift as the median difference, with an interval from the ranks c and N + 1 − c", () => {
    const x = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
    const y = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const result = hodgesLehmann(x, y, 0.98);
    expect(result.estimate).toBe(10);
    // c = round(50 − 2.3263·√(100·21/12)) = round(19.23) = 19.
    expect(result.rank).toBe(19);
    const sorted = brute(x, y);
    expect(result.lower).toBe(sorted[18]);
    expect(result.upper).toBe(sorted[100 - 19]);
    expect(result.lower).toBeGreaterThan(0);
  });

  it("is unbounded when the samples are too small for the confidence", () => {
    const result = hodgesLehmann([5, 6], [1, 2], 0.98);
    expect(result.estimate).toBe(4);
    expect(result.lower).toBe(Number.NEGATIVE_INFINITY);
    expect(result.upper).toBe(Number.POSITIVE_INFINITY);
  });

  it("rejects empty samples, NaN and bad ranks with a code", () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return error instanceof HodgesLehmannError ? error.code : "other";
      }
      return "none";
    };
    expect(code(() => hodgesLehmann([], [1], 0.98))).toBe("EMPTY_SAMPLE");
    expect(code(() => hodgesLehmann([Number.NaN], [1], 0.98))).toBe("NOT_A_NUMBER");
    expect(code(() => kthPairwiseDifference([1, 2], [1], 3))).toBe("BAD_RANK");
    expect(code(() => hodgesLehmann([1], [1], 1))).toBe("BAD_CONFIDENCE");
  });

  it("inverts the normal distribution", () => {
    expect(normalQuantile(0.99)).toBeCloseTo(2.3263478740408408, 12);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 12);
  });
});

describe("benchmark cells", () => {
  it("puts the detection horizon where canary requests × rate reach N", () => {
    // 5 req/s × 60 s × 10% × 0.2% = 0.06 expected canary errors per minute.
    expect(horizonMinutes(5, 40, 0.002)).toBe(667);
    expect(horizonMinutes(500, 40, 0.002)).toBe(7);
    expect(horizonMinutes(500, 12, 0.002)).toBe(2);
    const twice = SCENARIOS.find((s) => s.id === "2x");
    if (!twice) throw new Error("no 2x scenario");
    expect(checkpointsFor(twice, 100)).toEqual([17, 30, 34]);
  });

  it("is reproducible from the seed and feeds every judge the same canaries", () => {
    const scenario = SCENARIOS.find((s) => s.id === "10x@1");
    if (!scenario) throw new Error("no 10x scenario");
    const judges = [sequentialJudge(), argoThresholdJudge(0)];
    const a = runCell(scenario, 100, 20, 42, judges);
    const b = runCell(scenario, 100, 20, 42, judges);
    const c = runCell(scenario, 100, 20, 43, judges);
    expect(b.tallies).toEqual(a.tallies);
    expect(c.tallies).not.toEqual(a.tallies);
    // A 10× canary at 100 req/s: every run rolls back under both judges.
    expect(a.tallies.map((perJudge) => perJudge[0]?.rollbackMinutes.length)).toEqual([20, 20]);
  });
});
