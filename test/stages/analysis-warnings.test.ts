/**
 * DESIGN §5: a comparison window with fewer than 4 points per side can never fail — the stage warns on
 * the deployment timeline (where people see it; `kanaria serve` does not print config warnings), once
 * per analysis, with the config lint's own wording.
 */
import { describe, expect, it } from "vitest";
import { comparisonPointsProblem } from "../../src/config/metric-lints.js";
import type { AnalysisMetric } from "../../src/domain/analysis-metric.js";
import type { Harness } from "../engine/harness.js";
import { perMinute, ScriptedMetrics } from "../fakes/scripted-metrics.js";
import { ANALYSIS, common, comparison, deployV2, MINUTE, noArgs, withV1 } from "./analysis-fixtures.js";

const steady = () => new ScriptedMetrics((q) => perMinute(q, (at) => 100 + ((at / MINUTE) % 5)));

function warnings(h: Harness, id: string) {
  return h.store.events
    .list(id)
    .filter((e) => e.type === "STAGE_PROGRESS" && e.data.warning === "COMPARISON_TOO_FEW_POINTS")
    .map((e) => ({ stageIndex: e.stageIndex, metric: e.data.metric, message: e.message }));
}

describe("ANALYSIS stage: comparison windows too small to fail", () => {
  it("warns on the timeline for each comparison metric with fewer than 4 points per side", async () => {
    const oneMinute = comparison("CANARY_PRIMARY", { name: "p99-1m", intervalMs: MINUTE });
    const threeMinutes = comparison("CANARY_BASELINE", { name: "p99-3m", intervalMs: 3 * MINUTE });
    const previous: AnalysisMetric = {
      strategy: "PREVIOUS",
      common: common("latency-2m", { intervalMs: 2 * MINUTE }),
      query: "avg:latency{app:web}",
      deviation: "EITHER",
    };
    const enough = comparison("CANARY_PRIMARY", { name: "p99-5m", intervalMs: 5 * MINUTE });
    const h = await withV1([oneMinute, threeMinutes, previous, enough], steady(), 10 * MINUTE);
    const id = await deployV2(h);
    await h.settle(id);

    const lint = (query: string, intervalMs: number, deviation: "HIGH" | "EITHER") =>
      comparisonPointsProblem(query, intervalMs, deviation);
    const query = "p99:latency{variant:{{ .Variant.Name }}}";
    expect(warnings(h, id)).toEqual([
      {
        stageIndex: ANALYSIS,
        metric: "p99-1m",
        message: `Warning: p99-1m (CANARY_PRIMARY): ${lint(query, MINUTE, "HIGH")}`,
      },
      {
        stageIndex: ANALYSIS,
        metric: "p99-3m",
        message: `Warning: p99-3m (CANARY_BASELINE): ${lint(query, 3 * MINUTE, "HIGH")}`,
      },
      {
        stageIndex: ANALYSIS,
        metric: "latency-2m",
        message: `Warning: latency-2m (PREVIOUS): ${lint("avg:latency{app:web}", 2 * MINUTE, "EITHER")}`,
      },
    ]);
    expect(warnings(h, id)[0]?.message).toMatch(
      /so this metric can never fail; use an interval of at least 4m/,
    );
  });

  it("warns once per analysis, not on every step nor again after a restart", async () => {
    const metric = comparison("CANARY_PRIMARY", { intervalMs: MINUTE });
    let h = await withV1([metric], steady(), 10 * MINUTE);
    const id = await deployV2(h);
    for (let i = 0; i < 300 && h.store.measurements.list(id, ANALYSIS).length < 4; i++)
      await h.clock.advance(10_000);
    h = await h.restart();
    await h.settle(id);
    expect(h.store.measurements.list(id, ANALYSIS)).toHaveLength(10);
    expect(warnings(h, id)).toHaveLength(1);
  });

  it("does not warn for windows of 4 points or more, nor for THRESHOLD and SEQUENTIAL", async () => {
    const rollup: AnalysisMetric = {
      strategy: "CANARY_PRIMARY",
      common: common("rolled", { intervalMs: 2 * MINUTE }),
      query: "p99:latency{variant:{{ .Variant.Name }}}.rollup(max, 30)",
      deviation: "HIGH",
      variantArgs: noArgs,
    };
    const thresholdMetric: AnalysisMetric = {
      strategy: "THRESHOLD",
      common: common("max-latency"),
      query: "max:latency{variant:canary}",
      expected: { max: 1000 },
    };
    const h = await withV1([rollup, thresholdMetric], steady(), 4 * MINUTE);
    const id = await deployV2(h);
    await h.settle(id);
    expect(warnings(h, id)).toEqual([]);
  });
});
