/**
 * "No data never passes" (DESIGN §5), as decideAnalysis judges folded ticks: NO_DATA ticks in a row
 * (`noDataLimit`), the share of ticks without usable data (`noDataShare`), INCONCLUSIVE at the end,
 * DATA_ERROR ticks, and THRESHOLD's PipeCD rule left as it was.
 */
import { describe, expect, it } from "vitest";
import {
  type AnalysisDecision,
  type DecisionLimits,
  decideAnalysis,
} from "../../src/analysis/analysis-decision.js";
import { foldMetric, type TickRecord } from "../../src/analysis/metric-progress.js";
import { DEFAULT_SEQUENTIAL_PRIOR } from "../../src/analysis/sequential-prior.js";
import type { TickVerdict } from "../../src/analysis/tick-evaluators.js";
import type { AnalysisMetric, MetricCommon } from "../../src/domain/analysis-metric.js";
import { DEFAULT_LIMITS as LIMITS, metricCommon, sequentialMetric } from "../fixtures/metric-common.js";

const MINUTE = 60_000;

const sequential = sequentialMetric("errors");
const threshold = (overrides: Partial<MetricCommon> = {}): AnalysisMetric => ({
  strategy: "THRESHOLD",
  common: metricCommon("latency", overrides),
  query: "avg:latency{*}",
  expected: { max: 1 },
});
const comparison = (overrides: Partial<MetricCommon> = {}): AnalysisMetric => ({
  strategy: "CANARY_PRIMARY",
  common: metricCommon("p99", overrides),
  query: "p99:latency{variant:{{ .Variant.Name }}}",
  deviation: "HIGH",
  variantArgs: { primary: {}, canary: {}, baseline: {} },
});

// Same error rate on both sides at high traffic: 30 such buckets pass at the end.
const healthy = { canaryErrors: 12, canaryTotal: 6000, controlErrors: 108, controlTotal: 54000 };

/** One tick a minute; P = PASS (a healthy bucket), N = NO_DATA, D = DATA_ERROR, E = ERROR. */
function ticks(pattern: string): TickRecord[] {
  const verdicts: Record<string, TickVerdict> = { P: "PASS", N: "NO_DATA", D: "DATA_ERROR", E: "ERROR" };
  return [...pattern].map((letter, i) => {
    const verdict = verdicts[letter] as TickVerdict;
    return {
      at: (i + 1) * MINUTE,
      verdict,
      reason: `${verdict.toLowerCase()} #${i + 1}`,
      data: verdict === "PASS" ? { ...healthy } : {},
    };
  });
}

function decide(
  metric: AnalysisMetric,
  pattern: string,
  finished: boolean,
  limits: DecisionLimits = LIMITS,
): AnalysisDecision {
  const progress = foldMetric(metric, ticks(pattern), DEFAULT_SEQUENTIAL_PRIOR);
  return decideAnalysis([{ metric, progress }], finished, limits);
}

describe("no data: SEQUENTIAL and the comparison strategies", () => {
  it.each<[string, AnalysisMetric, string, boolean, AnalysisDecision]>([
    ["two NO_DATA ticks in a row: below the limit", sequential, "PPNN", false, { kind: "continue" }],
    [
      "three in a row: ask",
      sequential,
      "PPNNN",
      false,
      { kind: "ask", reason: "errors: no data for 3 checks in a row (no_data #5)" },
    ],
    [
      "provider errors between them neither end nor extend the run",
      sequential,
      "PNENN",
      false,
      { kind: "ask", reason: "errors: no data for 3 checks in a row (no_data #5)" },
    ],
    [
      "data back after three in a row: the pause lifts once the share is within the limit too",
      sequential,
      "PPPPPPPPNNNP",
      false,
      { kind: "continue" },
    ],
    [
      "data back, but 3 of 6 ticks had none: still asking",
      sequential,
      "PPNNNP",
      false,
      { kind: "ask", reason: "errors: 3 of 6 checks without usable data, more than the 25% allowed" },
    ],
    [
      "the series stop at minute 5 of 30: asked, and still at the end",
      sequential,
      `PPPPP${"N".repeat(25)}`,
      true,
      { kind: "ask", reason: "errors: no data for 25 checks in a row (no_data #30)" },
    ],
    [
      "every other tick missing: more than 25% of the ticks",
      sequential,
      "PNPNPN",
      false,
      { kind: "ask", reason: "errors: 3 of 6 checks without usable data, more than the 25% allowed" },
    ],
    [
      "a large share is not judged before noDataLimit ticks lacked data",
      sequential,
      "NPPNP",
      false,
      { kind: "continue" },
    ],
    [
      "… but always at the end: INCONCLUSIVE, never PASS",
      sequential,
      "NPPNP",
      true,
      { kind: "ask", reason: "errors: 2 of 5 checks without usable data, more than the 25% allowed" },
    ],
    [
      "ending over the share: INCONCLUSIVE",
      sequential,
      `${"PPPN".repeat(7)}PN`,
      true,
      { kind: "ask", reason: "errors: 8 of 30 checks without usable data, more than the 25% allowed" },
    ],
    [
      "DATA_ERROR ticks count as ticks without usable data",
      sequential,
      "PDPDPD",
      false,
      { kind: "ask", reason: "errors: 3 of 6 checks without usable data, more than the 25% allowed" },
    ],
    [
      "DATA_ERROR ticks in a row ask like provider errors, saying what they are",
      threshold(),
      "PDDDD",
      false,
      { kind: "ask", reason: "latency: 4 checks in a row without a usable answer (data_error #5)" },
    ],
    [
      "comparison with skipOnNoData: asked instead of passing",
      comparison({ skipOnNoData: true }),
      "PNNN",
      false,
      { kind: "ask", reason: "p99: no data for 3 checks in a row (no_data #4)" },
    ],
    [
      "comparison without skipOnNoData: PipeCD's failure still applies first",
      comparison(),
      "PN",
      false,
      { kind: "fail", reason: "p99: no_data #2" },
    ],
    [
      "a dry-run metric's missing data does not decide",
      sequentialMetric("dry", { common: metricCommon("dry", { dryRun: true }) }),
      "NNNNN",
      false,
      { kind: "continue" },
    ],
  ])("%s", (_name, metric, pattern, finished, expected) => {
    expect(decide(metric, pattern, finished)).toEqual(expected);
  });

  it("within the share: a healthy analysis with a few gaps still passes", () => {
    expect(decide(sequential, `${"PPPPPPPPN".repeat(3)}PPP`, true)).toEqual({
      kind: "pass",
      reason: expect.stringMatching(/^errors: error ratio 1 /),
    });
  });

  it("both limits come from the stage's options", () => {
    const lenient = { ...LIMITS, noDataLimit: 5, noDataShare: 50 };
    expect(decide(sequential, "PPNNNN", false, lenient)).toEqual({ kind: "continue" });
    expect(decide(sequential, "PPNNNNN", false, lenient)).toEqual({
      kind: "ask",
      reason: "errors: no data for 5 checks in a row (no_data #7)",
    });
    // 3 of 6 is not more than 50%.
    expect(decide(sequential, "PNPNPN", true, lenient).kind).not.toBe("ask");
    expect(decide(sequential, "PNPNPNN", true, lenient)).toEqual({
      kind: "ask",
      reason: "errors: 4 of 7 checks without usable data, more than the 50% allowed",
    });
  });
});

describe("no data: THRESHOLD keeps PipeCD's rule", () => {
  it("a NO_DATA tick is a failure", () => {
    expect(decide(threshold(), "PN", false)).toEqual({ kind: "fail", reason: "latency: no_data #2" });
  });

  it("with skipOnNoData it is skipped: no limit, no share", () => {
    expect(decide(threshold({ skipOnNoData: true }), "PNNNNNNN", true)).toEqual({
      kind: "pass",
      reason: "latency: 8 checks, 0 failed",
    });
  });
});
