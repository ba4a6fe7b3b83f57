/**
 * decideAnalysis, table-driven: what an ANALYSIS stage does next given every metric's stored ticks.
 * Progress is folded from ticks with the production `foldMetric`, as the stage does.
 */

import { describe, expect, it } from "vitest";
import {
  type AnalysisDecision,
  decideAnalysis,
  INCONCLUSIVE_FACTOR,
  type MetricStanding,
  type MetricVerdict,
  metricVerdict,
} from "../../src/analysis/analysis-decision.js";
import { foldMetric, type TickRecord } from "../../src/analysis/metric-progress.js";
import { DEFAULT_SEQUENTIAL_PRIOR } from "../../src/analysis/sequential-prior.js";
import type { TickVerdict } from "../../src/analysis/tick-evaluators.js";
import type { AnalysisMetric, MetricCommon } from "../../src/domain/analysis-metric.js";
import { DEFAULT_LIMITS as LIMITS, metricCommon, sequentialMetric } from "../fixtures/metric-common.js";

const MINUTE = 60_000;

const common = metricCommon;

const threshold = (name: string, overrides: Partial<MetricCommon> = {}): AnalysisMetric => ({
  strategy: "THRESHOLD",
  common: common(name, overrides),
  query: "avg:x{*}",
  expected: { max: 1 },
});

const sequential = (earlyPass = false): AnalysisMetric => sequentialMetric("errors", { earlyPass });

/** Ticks one minute apart with the given verdicts; reasons say which tick it was. */
function ticks(...verdicts: TickVerdict[]): TickRecord[] {
  return verdicts.map((verdict, i) => ({
    at: (i + 1) * MINUTE,
    verdict,
    reason: verdict === "ERROR" ? "HTTP 503" : `${verdict.toLowerCase()} #${i + 1}`,
    data: {},
  }));
}

/** `n` SEQUENTIAL ticks of the same bucket counts. */
function buckets(
  n: number,
  counts: { canaryErrors: number; canaryTotal: number; controlErrors: number; controlTotal: number },
  verdict: TickVerdict = "PASS",
): TickRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    at: (i + 1) * MINUTE,
    verdict,
    reason: `bucket ${i + 1}`,
    data: { ...counts },
  }));
}

const stand = (metric: AnalysisMetric, recorded: TickRecord[]): MetricStanding => ({
  metric,
  progress: foldMetric(metric, recorded, DEFAULT_SEQUENTIAL_PRIOR),
});

// Same error rate on both sides at high traffic: the test could have flagged a small increase.
const healthy = { canaryErrors: 12, canaryTotal: 6000, controlErrors: 108, controlTotal: 54000 };
// A fraction of the control's rate: the interval ends well below maxRatio.
const better = { canaryErrors: 1, canaryTotal: 6000, controlErrors: 270, controlTotal: 54000 };
// Ten times the control's rate.
const worse = { canaryErrors: 60, canaryTotal: 600, controlErrors: 54, controlTotal: 5400 };
// Almost no traffic and no errors: nothing could be flagged.
const quiet = { canaryErrors: 0, canaryTotal: 6, controlErrors: 0, controlTotal: 54 };

describe("decideAnalysis", () => {
  it.each<[string, MetricStanding[], boolean, AnalysisDecision]>([
    ["no ticks yet", [stand(threshold("a"), [])], false, { kind: "continue" }],
    ["passing, before the end", [stand(threshold("a"), ticks("PASS", "PASS"))], false, { kind: "continue" }],
    [
      "passing, at the end",
      [stand(threshold("a"), ticks("PASS", "PASS", "PASS"))],
      true,
      { kind: "pass", reason: "a: 3 checks, 0 failed" },
    ],
    [
      "a failure over the limit fails at once, before the end",
      [stand(threshold("a"), ticks("PASS", "FAIL"))],
      false,
      { kind: "fail", reason: "a: fail #2" },
    ],
    [
      "failures within failureLimit pass at the end",
      [stand(threshold("a", { failureLimit: 2 }), ticks("FAIL", "PASS", "FAIL"))],
      true,
      { kind: "pass", reason: "a: 3 checks, 2 failed" },
    ],
    [
      "no data is a failure",
      [stand(threshold("a"), ticks("PASS", "NO_DATA"))],
      false,
      { kind: "fail", reason: "a: no_data #2" },
    ],
    [
      "no data is skipped with skipOnNoData",
      [stand(threshold("a", { skipOnNoData: true }), ticks("NO_DATA", "NO_DATA"))],
      true,
      { kind: "pass", reason: "a: 2 checks, 0 failed" },
    ],
    [
      "errors below the limit neither pass nor fail",
      [stand(threshold("a"), ticks("PASS", "ERROR", "ERROR", "ERROR"))],
      false,
      { kind: "continue" },
    ],
    [
      "errors at the limit ask people",
      [stand(threshold("a"), ticks("PASS", "ERROR", "ERROR", "ERROR", "ERROR"))],
      false,
      { kind: "ask", reason: "a: the metrics provider failed 4 times in a row (HTTP 503)" },
    ],
    [
      "errors at the limit ask at the end too: they never pass",
      [stand(threshold("a"), ticks("PASS", "PASS", "ERROR", "ERROR", "ERROR", "ERROR"))],
      true,
      { kind: "ask", reason: "a: the metrics provider failed 4 times in a row (HTTP 503)" },
    ],
    [
      "an answer after errors ends the pause",
      [stand(threshold("a"), ticks("ERROR", "ERROR", "ERROR", "ERROR", "PASS"))],
      true,
      { kind: "pass", reason: "a: 1 checks, 0 failed" },
    ],
    [
      "a failure outranks another metric's errors",
      [
        stand(threshold("a"), ticks("ERROR", "ERROR", "ERROR", "ERROR")),
        stand(threshold("b"), ticks("PASS", "PASS", "FAIL")),
      ],
      false,
      { kind: "fail", reason: "b: fail #3" },
    ],
    [
      "only errors below the limit by the end: no query succeeded, ask",
      [stand(threshold("a"), ticks("ERROR", "ERROR"))],
      true,
      { kind: "ask", reason: "a: no query succeeded" },
    ],
    [
      "every metric must pass",
      [stand(threshold("a"), ticks("PASS")), stand(threshold("b"), ticks("PASS", "PASS"))],
      true,
      { kind: "pass", reason: "a: 1 checks, 0 failed; b: 2 checks, 0 failed" },
    ],
    [
      "a dry-run metric's failures and errors do not decide",
      [
        stand(threshold("a"), ticks("PASS", "PASS")),
        stand(threshold("dry", { dryRun: true }), ticks("FAIL", "ERROR", "ERROR", "ERROR", "ERROR")),
      ],
      true,
      { kind: "pass", reason: "a: 2 checks, 0 failed" },
    ],
    [
      "only dry-run metrics: measured until the end",
      [stand(threshold("dry", { dryRun: true }), ticks("FAIL"))],
      false,
      { kind: "continue" },
    ],
    [
      "only dry-run metrics: pass at the end",
      [stand(threshold("dry", { dryRun: true }), ticks("FAIL", "FAIL"))],
      true,
      { kind: "pass", reason: "dry run only: measured, not judged" },
    ],
    ["SEQUENTIAL, before the end", [stand(sequential(), buckets(5, healthy))], false, { kind: "continue" }],
    [
      "SEQUENTIAL evidence reached 1/alpha: fail",
      [stand(sequential(), buckets(3, worse, "FAIL"))],
      false,
      { kind: "fail", reason: "errors: bucket 3" },
    ],
    [
      "SEQUENTIAL too little traffic at the end: inconclusive, ask",
      [stand(sequential(), buckets(10, quiet))],
      true,
      {
        kind: "ask",
        reason:
          "errors: too little traffic to decide — only a huge increase in errors could have been detected",
      },
    ],
    [
      "SEQUENTIAL, a better canary with earlyPass passes before the end",
      [stand(sequential(true), buckets(10, better))],
      false,
      { kind: "pass", reason: expect.stringMatching(/^errors: error ratio 0\.0\d+ \(0–0\.\d+\)$/) },
    ],
    [
      "SEQUENTIAL, the same canary without earlyPass waits for the end",
      [stand(sequential(false), buckets(10, better))],
      false,
      { kind: "continue" },
    ],
  ])("%s", (_name, standings, finished, expected) => {
    expect(decideAnalysis(standings, finished, LIMITS)).toEqual(expected);
  });

  it("SEQUENTIAL with enough traffic at the end passes with its estimate and interval", () => {
    const standing = stand(sequential(), buckets(30, healthy));
    const decision = decideAnalysis([standing], true, LIMITS);
    expect(decision.kind).toBe("pass");
    const summary = standing.progress.sequential;
    expect(summary?.minDetectableRatio).toBeLessThanOrEqual(INCONCLUSIVE_FACTOR);
    expect(decision).toEqual({
      kind: "pass",
      reason: expect.stringMatching(/^errors: error ratio 1 \(0\.\d+–\d\.\d+\)$/),
    });
  });
});

describe("metricVerdict", () => {
  it.each<[string, MetricStanding, boolean, MetricVerdict]>([
    ["THRESHOLD running", stand(threshold("a"), ticks("PASS")), false, "RUNNING"],
    ["THRESHOLD answered at the end", stand(threshold("a"), ticks("PASS")), true, "PASS"],
    ["THRESHOLD never answered", stand(threshold("a"), ticks("ERROR")), true, "INCONCLUSIVE"],
    ["THRESHOLD failed", stand(threshold("a"), ticks("FAIL")), false, "FAIL"],
    ["SEQUENTIAL running", stand(sequential(), buckets(3, healthy)), false, "RUNNING"],
    ["SEQUENTIAL failed", stand(sequential(), buckets(3, worse)), false, "FAIL"],
    ["SEQUENTIAL without ticks at the end", stand(sequential(), []), true, "INCONCLUSIVE"],
    ["SEQUENTIAL quiet at the end", stand(sequential(), buckets(10, quiet)), true, "INCONCLUSIVE"],
    ["SEQUENTIAL enough traffic at the end", stand(sequential(), buckets(30, healthy)), true, "PASS"],
    ["SEQUENTIAL early pass", stand(sequential(true), buckets(10, better)), false, "PASS"],
  ])("%s", (_name, { metric, progress }, finished, expected) => {
    expect(metricVerdict(metric, progress, finished)).toBe(expected);
  });
});
