import { describe, expect, it } from "vitest";
import type { AnalysisMetric } from "../../src/domain/analysis-metric.js";
import type { Measurement } from "../../src/domain/measurement.js";
import { analysisReply } from "../../src/views/analysis-reply.js";
import { allText, blockKitViolations } from "./block-limit-checker.js";
import {
  canaryStages,
  MIN,
  sequentialMetric,
  snapshotFixture,
  T0,
  thresholdMetric,
} from "./snapshot-fixtures.js";

function tick(metric: string, minute: number, verdict: string, data: Record<string, unknown>): Measurement {
  return { deploymentId: "web-0a1b2c3d", stageIndex: 2, metric, at: T0 + minute * MIN, verdict, data };
}

function render(
  metrics: AnalysisMetric[],
  measurements: Measurement[],
  statusReason = "error ratio above 1",
) {
  const stages = canaryStages(["SUCCESS", "SUCCESS", "FAILURE"], metrics);
  stages[2] = { ...stages[2], statusReason } as never;
  return analysisReply(snapshotFixture({ stages, measurements }), 2);
}

describe("analysisReply", () => {
  it("SEQUENTIAL: counts summed over ticks, cumulative ratio, interval and evidence against 1/α", () => {
    const payload = render(
      [sequentialMetric()],
      [
        tick("error-rate", 11, "PASS", {
          canaryErrors: 20,
          canaryTotal: 5000,
          controlErrors: 9,
          controlTotal: 45_000,
          estimate: 4.1,
          interval: [0.9, 20],
          evidence: 8,
        }),
        tick("error-rate", 12, "FAIL", {
          canaryErrors: 32,
          canaryTotal: 5000,
          controlErrors: 9,
          controlTotal: 45_000,
          estimate: 4.9,
          interval: [3.1, 7.7],
          evidence: 412,
          minDetectableRatio: 1.4,
          reason: "error ratio above 1: …",
        }),
      ],
    );
    const text = allText(payload);
    expect(text).toContain(
      "canary 52/10 000 errors (0.52%) vs primary 18/90 000 (0.02%) · ratio 4.9 (3.1–7.7) · evidence 412 ≥ 100",
    );
    expect(text).toContain("❌ failed: error ratio above 1");
    // Past the bar, "smallest detectable" is beside the point.
    expect(text).not.toContain("smallest detectable");
    expect(blockKitViolations(payload, "message")).toEqual([]);
  });

  it("SEQUENTIAL without a decision yet: evidence below the bar, unbounded interval, smallest detectable ratio", () => {
    const payload = render(
      [sequentialMetric({ control: "BASELINE", alpha: 0.05 })],
      [
        tick("error-rate", 11, "PASS", {
          canaryErrors: 1,
          canaryTotal: 100,
          controlErrors: 0,
          controlTotal: 100,
          estimate: null,
          interval: [0.2, null],
          evidence: 1.3,
          minDetectableRatio: 6.5,
        }),
      ],
      "",
    );
    const text = allText(payload);
    expect(text).toContain("vs baseline 0/100 (0%) · ratio ∞ (0.2–∞) · evidence 1.3 < 20");
    expect(text).toContain("smallest detectable ratio so far 6.5");
  });

  it("THRESHOLD: the worst value against the bound, and the failures against the limit", () => {
    const payload = render(
      [thresholdMetric({ expected: { min: 0, max: 1.5 } })],
      [
        tick("p99-latency", 11, "PASS", {
          points: [0.4, 0.9],
          min: 0.4,
          max: 0.9,
          reason: "0.4–0.9 within bounds",
        }),
        tick("p99-latency", 12, "FAIL", {
          points: [1.7],
          min: 1.7,
          max: 1.7,
          reason: "1.7 is above the maximum 1.5",
        }),
      ],
      "p99-latency failed 1 time(s), limit 0",
    );
    const text = allText(payload);
    expect(text).toContain("highest 1.7 > max 1.5 ❌ · lowest 0.4 ≥ min 0");
    expect(text).toContain("2 checks: 1 ✅ 1 ❌");
    expect(text).toContain("failure limit 0");
    expect(text).toContain("p99-latency failed 1 time(s), limit 0");
  });

  it("Mann-Whitney: medians and p-value; dry-run metrics are marked; errors counted", () => {
    const mw: AnalysisMetric = {
      strategy: "CANARY_BASELINE",
      common: { ...sequentialMetric().common, name: "latency", dryRun: true },
      query: "avg:latency{variant:{{ .Variant.Name }}}",
      deviation: "HIGH",
      variantArgs: { primary: {}, canary: {}, baseline: {} },
    };
    const payload = render(
      [mw],
      [
        tick("latency", 11, "ERROR", { error: "HTTP 500", reason: "HTTP 500" }),
        tick("latency", 12, "FAIL", {
          canaryMedian: 210,
          controlMedian: 190,
          pValue: 0.031,
          method: "exact",
        }),
      ],
    );
    const text = allText(payload);
    expect(text).toContain("canary median 210 vs baseline median 190 · p = 0.031 (exact)");
    expect(text).toContain("_dry run_");
    expect(text).toContain("1 provider error");
  });

  it("DATA_ERROR ticks: counted apart, shown with their reason, never read as figures", () => {
    const payload = render(
      [sequentialMetric()],
      [
        tick("error-rate", 1, "PASS", {
          canaryErrors: 1,
          canaryTotal: 100,
          controlErrors: 9,
          controlTotal: 900,
          estimate: 1,
          interval: [0, null],
          evidence: 0.5,
        }),
        tick("error-rate", 2, "DATA_ERROR", {
          error: "primary errors 2700 > total 900",
          errors: 2700,
          total: 900,
          reason: "bad data, not used: primary errors 2700 > total 900 (query q, window 14:01–14:02 UTC)",
        }),
      ],
      "error-rate: 3 of 3 checks without usable data",
    );
    const text = allText(payload);
    expect(text).toContain("1 with bad data (not used)");
    // skipOnNoData skips only THRESHOLD's no-data windows; a SEQUENTIAL one's count toward the limits.
    const skipping = sequentialMetric({ common: { ...sequentialMetric().common, skipOnNoData: true } });
    const noData = allText(
      render([skipping], [tick("error-rate", 1, "NO_DATA", { reason: "no canary traffic" })]),
    );
    expect(noData).toContain("1 without data");
    expect(noData).not.toContain("(skipped)");
    expect(text).toContain("🚫 bad data, not used: primary errors 2700 &gt; total 900");
    expect(text).not.toContain("2700/");
  });

  it("a metric without ticks, and a stage that is not an analysis", () => {
    expect(allText(render([sequentialMetric()], []))).toContain("no checks yet");
    const snapshot = snapshotFixture();
    expect(analysisReply(snapshot, 0).text).toContain("no analysis stage #0");
  });
});
