/** How each metric's chart marks the end of its stage (the demo's guardrail said "failed" though it passed). */
import { describe, expect, it } from "vitest";
import { chartOutcome } from "../../src/charts/chart-outcome.js";
import type { ThresholdMetric } from "../../src/domain/analysis-metric.js";
import type { Stage } from "../../src/domain/deployment.js";
import type { Measurement } from "../../src/domain/measurement.js";
import { metricCommon, sequentialMetric } from "../fixtures/metric-common.js";

const stage = (status: Stage["status"]): Stage =>
  ({
    deploymentId: "d",
    index: 2,
    kind: "ANALYSIS",
    stageId: "stage-2",
    description: "",
    visible: true,
    options: { durationMs: 600_000, metrics: [], consecutiveErrorLimit: 4 },
    timeoutMs: 3_600_000,
    status,
    statusReason: "errors-vs-primary: error ratio above 1.5",
    state: {},
    attempts: 1,
    startedAt: 0,
    finishedAt: 120_000,
  }) as Stage;

const tick = (at: number, verdict: string): Measurement => ({
  deploymentId: "d",
  stageIndex: 2,
  metric: "m",
  at,
  verdict,
  data: {},
});

const guardrail: ThresholdMetric = {
  strategy: "THRESHOLD",
  common: metricCommon("canary-error-guardrail", { failureLimit: 1 }),
  query: "q",
  expected: { max: 20 },
};

describe("chartOutcome", () => {
  it("says stopped, not failed, for a metric that had not failed when another failed the stage", () => {
    expect(chartOutcome(stage("FAILURE"), "ROLLING_BACK", guardrail, [tick(60_000, "PASS")])?.verdict).toBe(
      "STOPPED",
    );
    // One failure is within the failure limit of 1: still not this metric's failure.
    expect(chartOutcome(stage("FAILURE"), "ROLLING_BACK", guardrail, [tick(60_000, "FAIL")])?.verdict).toBe(
      "STOPPED",
    );
  });

  it("says failed for the metric whose own ticks failed it", () => {
    const ticks = [tick(60_000, "FAIL"), tick(120_000, "FAIL")];
    expect(chartOutcome(stage("FAILURE"), "ROLLING_BACK", guardrail, ticks)?.verdict).toBe("FAIL");
    expect(
      chartOutcome(stage("FAILURE"), "ROLLING_BACK", sequentialMetric("errors-vs-primary"), [
        tick(60_000, "FAIL"),
      ])?.verdict,
    ).toBe("FAIL");
  });

  it("ignores ticks after the decision, and says passed for a stage that passed", () => {
    const late = [tick(60_000, "PASS"), tick(180_000, "FAIL"), tick(240_000, "FAIL")];
    expect(chartOutcome(stage("FAILURE"), "ROLLING_BACK", guardrail, late)?.verdict).toBe("STOPPED");
    expect(chartOutcome(stage("SUCCESS"), "RUNNING", guardrail, [tick(60_000, "PASS")])).toEqual({
      verdict: "PASS",
      at: 120_000,
      reason: "errors-vs-primary: error ratio above 1.5",
    });
  });
});
