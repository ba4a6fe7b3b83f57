/** ProgressMemo: a cached fold is used only for exactly the ticks it was folded from. */
import { describe, expect, it } from "vitest";
import { foldMetric, type TickRecord } from "../../src/analysis/metric-progress.js";
import { DEFAULT_SEQUENTIAL_PRIOR } from "../../src/analysis/sequential-prior.js";
import type { AnalysisMetric } from "../../src/domain/analysis-metric.js";
import { ProgressMemo, tallyOf } from "../../src/stages/progress-memo.js";
import { metricCommon } from "../fixtures/metric-common.js";

const metric: AnalysisMetric = {
  strategy: "THRESHOLD",
  common: metricCommon("latency"),
  query: "avg:latency{*}",
  expected: { max: 1 },
};

const ticks = (n: number, from = 0): TickRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    at: (from + i + 1) * 60_000,
    verdict: "PASS",
    reason: "",
    data: {},
  }));

const folded = (t: TickRecord[]) => foldMetric(metric, t, DEFAULT_SEQUENTIAL_PRIOR);

describe("ProgressMemo", () => {
  it("returns the stored progress for the same ticks, nothing for any other", () => {
    const memo = new ProgressMemo();
    const three = ticks(3);
    memo.store("d#1#0#latency", 3, folded(three));
    expect(memo.lookup("d#1#0#latency", tallyOf(three))).toEqual(folded(three));
    // One more tick stored since (by this process before a crash, or another one): refold.
    expect(memo.lookup("d#1#0#latency", tallyOf(ticks(4)))).toBeUndefined();
    // Same count, other ticks (the last one differs).
    expect(memo.lookup("d#1#0#latency", tallyOf(ticks(3, 1)))).toBeUndefined();
    expect(memo.lookup("d#1#0#other", tallyOf(three))).toBeUndefined();
  });

  it("holds the empty fold of a metric without ticks", () => {
    const memo = new ProgressMemo();
    memo.store("k", 0, folded([]));
    expect(memo.lookup("k", tallyOf([]))).toEqual(folded([]));
    expect(memo.lookup("k", tallyOf(ticks(1)))).toBeUndefined();
  });

  it("evicts the least recently stored entry past its limit", () => {
    const memo = new ProgressMemo(2);
    const one = ticks(1);
    memo.store("a", 1, folded(one));
    memo.store("b", 1, folded(one));
    memo.store("a", 1, folded(one)); // refreshed: b is now the oldest
    memo.store("c", 1, folded(one));
    expect(memo.size).toBe(2);
    expect(memo.lookup("b", tallyOf(one))).toBeUndefined();
    expect(memo.lookup("a", tallyOf(one))).toBeDefined();
    expect(memo.lookup("c", tallyOf(one))).toBeDefined();
  });

  it("forgets every metric of one analysis, and only those", () => {
    const memo = new ProgressMemo();
    const one = ticks(1);
    memo.store("web-1#2#0#errors", 1, folded(one));
    memo.store("web-1#2#0#latency", 1, folded(one));
    memo.store("web-1#3#0#errors", 1, folded(one));
    memo.forget("web-1#2#0#");
    expect(memo.size).toBe(1);
    expect(memo.lookup("web-1#3#0#errors", tallyOf(one))).toBeDefined();
  });
});
