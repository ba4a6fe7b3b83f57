import { describe, expect, it } from "vitest";
import {
  type AnalysisChartInput,
  analysisChartModel,
  type ChartPanel,
} from "../../src/charts/analysis-chart-model.js";
import { formatFigure } from "../../src/charts/chart-format.js";
import type { AnalysisMetric, MetricCommon } from "../../src/domain/analysis-metric.js";
import type { Measurement } from "../../src/domain/measurement.js";
import { metricCommon } from "../fixtures/metric-common.js";

const MINUTE = 60_000;
/** 2025-06-03 14:00 UTC. */
const START = Date.UTC(2025, 5, 3, 14, 0);
const noArgs = { primary: {}, canary: {}, baseline: {} };

const common = (name: string): MetricCommon => metricCommon(name);

/** The tick ending `minute` minutes after START. */
function tick(minute: number, verdict: string, data: Record<string, unknown>): Measurement {
  return { deploymentId: "d1", stageIndex: 2, metric: "m", at: START + minute * MINUTE, verdict, data };
}

const errorTick = (minute: number) =>
  tick(minute, "ERROR", { error: "Datadog answered 503", reason: "Datadog answered 503" });

/** Impossible counts: what the stage stores for them is never drawn. */
const dataErrorTick = (minute: number) =>
  tick(minute, "DATA_ERROR", {
    error: "primary errors 2700 > total 900",
    query: "sum:errors{variant:primary}",
    errors: 2700,
    total: 900,
    reason: "bad data, not used: primary errors 2700 > total 900 (…)",
  });

function input(metric: AnalysisMetric, measurements: Measurement[], extra: Partial<AnalysisChartInput> = {}) {
  return { app: "web", version: "v3", stageLabel: "ANALYSIS 1/2", metric, measurements, ...extra };
}

const threshold: AnalysisMetric = {
  strategy: "THRESHOLD",
  common: common("latency"),
  query: "avg:latency{*}",
  expected: { max: 500 },
};

const comparison = (strategy: "CANARY_PRIMARY" | "CANARY_BASELINE"): AnalysisMetric => ({
  strategy,
  common: common("latency"),
  query: "avg:latency{*}",
  deviation: "HIGH",
  variantArgs: noArgs,
});

const previous: AnalysisMetric = {
  strategy: "PREVIOUS",
  common: common("latency"),
  query: "avg:latency{*}",
  deviation: "HIGH",
};

const sequential: AnalysisMetric = {
  strategy: "SEQUENTIAL",
  common: common("error rate"),
  errors: "e",
  total: "t",
  control: "PRIMARY",
  maxRatio: 1,
  alpha: 0.01,
  deviation: "HIGH",
  earlyPass: false,
  variantArgs: noArgs,
};

const sequentialTicks = [
  tick(1, "PASS", {
    canaryErrors: 1,
    canaryTotal: 100,
    controlErrors: 9,
    controlTotal: 900,
    estimate: 1,
    interval: [0, null],
    minDetectableRatio: null,
  }),
  // No canary traffic: the canary's rate is a gap, the control's is shown; the running ratio stays.
  tick(2, "NO_DATA", {
    canaryErrors: 0,
    canaryTotal: 0,
    controlErrors: 3,
    controlTotal: 900,
    estimate: 1,
    interval: [0, null],
    minDetectableRatio: null,
  }),
  errorTick(3),
  tick(4, "FAIL", {
    canaryErrors: 10,
    canaryTotal: 100,
    controlErrors: 9,
    controlTotal: 900,
    estimate: 4.9,
    interval: [3.1, 7.7],
    minDetectableRatio: 1.8,
  }),
];

function only<T>(items: readonly T[]): T {
  expect(items).toHaveLength(1);
  return items[0] as T;
}

function series(panel: ChartPanel | undefined, name: string, style: "line" | "dots") {
  return only((panel?.series ?? []).filter((s) => s.name === name && s.style === style)).points;
}

describe("analysisChartModel", () => {
  it("THRESHOLD: a window's values spread over it, gaps for ERROR and NO_DATA, the band and the failing point", () => {
    const model = analysisChartModel(
      input(
        threshold,
        [
          tick(1, "PASS", { points: [100, 120], min: 100, max: 120, expected: { max: 500 } }),
          errorTick(2),
          tick(3, "NO_DATA", { points: [], reason: "no data points" }),
          tick(4, "FAIL", { points: [130, 600], min: 130, max: 600, expected: { max: 500 } }),
        ],
        {
          outcome: { verdict: "FAIL", at: START + 4 * MINUTE, reason: "600 is above the maximum 500" },
          unit: "ms",
        },
      ),
    );
    expect(model.title).toBe("web v3 · latency · THRESHOLD");
    expect(model.subtitle).toBe("ANALYSIS 1/2 · from 14:00 UTC, every 1m · every point at most 500");
    const panel = only(model.panels);
    expect(panel).toMatchObject({
      axisName: "latency (ms)",
      unit: "",
      scale: "linear",
      allowed: { max: 500 },
    });
    expect(panel.rules).toEqual([{ label: "max 500", value: 500 }]);
    expect(series(panel, "measured value", "line")).toEqual([
      { x: 0.5 * MINUTE, y: 100 },
      { x: 1 * MINUTE, y: 120 },
      { x: 1.5 * MINUTE, y: null },
      { x: 2.5 * MINUTE, y: null },
      { x: 3.5 * MINUTE, y: 130 },
      { x: 4 * MINUTE, y: 600, failed: true },
    ]);
    expect(model.gaps).toEqual([
      { kind: "ERROR", from: MINUTE, to: 2 * MINUTE, reason: "Datadog answered 503" },
      { kind: "NO_DATA", from: 2 * MINUTE, to: 3 * MINUTE, reason: "no data points" },
    ]);
    expect(model.decision).toEqual({
      x: 4 * MINUTE,
      verdict: "FAIL",
      label: "failed at 14:04 — 600 > max 500",
      reason: "600 is above the maximum 500",
    });
    expect(model).toMatchObject({ startAt: START, intervalMs: MINUTE, endX: 4 * MINUTE });
  });

  const comparisonTicks = [
    tick(1, "PASS", { canary: [1, 3], control: [2, 2], canaryMedian: 2, controlMedian: 2, pValue: 0.6 }),
    errorTick(2),
    tick(3, "FAIL", {
      canary: [9, 11, 10],
      control: [2, 3, 2],
      canaryMedian: 10,
      controlMedian: 2,
      pValue: 0.01,
    }),
  ];

  it.each([
    { metric: comparison("CANARY_PRIMARY"), control: "primary" },
    { metric: comparison("CANARY_BASELINE"), control: "baseline" },
    { metric: previous, control: "previous release" },
  ])(
    "$metric.strategy: median lines, every point as dots, gaps, the failing window",
    ({ metric, control }) => {
      const model = analysisChartModel(
        input(metric, comparisonTicks, { outcome: { verdict: "FAIL", at: START + 3 * MINUTE, reason: "r" } }),
      );
      const panel = only(model.panels);
      expect(panel.axisName).toBe("latency");
      expect(series(panel, "canary", "line")).toEqual([
        { x: MINUTE, y: 2 },
        { x: 1.5 * MINUTE, y: null },
        { x: 3 * MINUTE, y: 10, failed: true },
      ]);
      expect(series(panel, control, "line")).toEqual([
        { x: MINUTE, y: 2 },
        { x: 1.5 * MINUTE, y: null },
        { x: 3 * MINUTE, y: 2 },
      ]);
      expect(series(panel, "canary", "dots").map((p) => [p.x / MINUTE, p.y])).toEqual([
        [0.5, 1],
        [1, 3],
        [2 + 1 / 3, 9],
        [2 + 2 / 3, 11],
        [3, 10],
      ]);
      expect(series(panel, control, "dots").map((p) => p.y)).toEqual([2, 2, 2, 3, 2]);
      expect(only(model.gaps).kind).toBe("ERROR");
      const short = metric.strategy === "PREVIOUS" ? "previous" : control;
      expect(model.decision?.label).toBe(`failed at 14:03 — canary 10 vs ${short} 2, p = 0.01`);
    },
  );

  it("PREVIOUS without a previous release: the canary alone, medians computed from the points", () => {
    const model = analysisChartModel(input(previous, [tick(1, "PASS", { points: [5, 7, 30] })]));
    const panel = only(model.panels);
    expect(series(panel, "canary", "line")).toEqual([{ x: MINUTE, y: 7 }]);
    expect(series(panel, "previous release", "line")).toEqual([{ x: 0.5 * MINUTE, y: null }]);
    expect(series(panel, "previous release", "dots")).toEqual([]);
    expect(model.decision).toBeUndefined();
  });

  it("SEQUENTIAL: error rates in %, the ratio with its interval as a band, maxRatio, gaps", () => {
    const model = analysisChartModel(
      input(sequential, sequentialTicks, {
        outcome: { verdict: "FAIL", at: START + 4 * MINUTE, reason: "r" },
      }),
    );
    expect(model.title).toBe("web v3 · error rate · SEQUENTIAL");
    expect(model.panels).toHaveLength(2);
    const [rates, ratio] = model.panels;
    expect(rates).toMatchObject({ axisName: "error rate (%)", unit: "%", scale: "linear" });
    expect(series(rates, "canary", "line")).toEqual([
      { x: MINUTE, y: 1 },
      { x: 1.5 * MINUTE, y: null },
      { x: 2.5 * MINUTE, y: null },
      { x: 4 * MINUTE, y: 10 },
    ]);
    expect(series(rates, "primary", "line").map((p) => p.y)).toEqual([1, (100 * 3) / 900, null, 1]);
    expect(ratio).toMatchObject({ axisName: "error ratio, canary ÷ primary (×)", unit: "×", scale: "log" });
    expect(ratio?.rules).toEqual([{ label: "max ratio 1", value: 1 }]);
    expect(series(ratio, "ratio estimate", "line")).toEqual([
      { x: MINUTE, y: 1 },
      { x: 2 * MINUTE, y: 1 },
      { x: 2.5 * MINUTE, y: null },
      { x: 4 * MINUTE, y: 4.9, failed: true },
    ]);
    const band = only(ratio?.bands ?? []);
    expect(band.name).toBe("99% interval");
    expect(band.points).toEqual([
      { x: MINUTE, low: 0, high: Number.POSITIVE_INFINITY },
      { x: 2 * MINUTE, low: 0, high: Number.POSITIVE_INFINITY },
      { x: 2.5 * MINUTE, low: null, high: null },
      { x: 4 * MINUTE, low: 3.1, high: 7.7 },
    ]);
    expect(model.gaps.map((g) => [g.kind, g.from / MINUTE, g.to / MINUTE])).toEqual([
      ["NO_DATA", 1, 2],
      ["ERROR", 2, 3],
    ]);
    expect(model.decision?.label).toBe("failed at 14:04 — ratio 4.9 (3.1–7.7)");
  });

  it.each([
    {
      verdict: "INCONCLUSIVE" as const,
      ticks: sequentialTicks,
      label: "inconclusive at 14:05 — ratio 4.9 (3.1–7.7), could detect only ≥ 1.8×",
    },
    {
      verdict: "PASS" as const,
      ticks: sequentialTicks.slice(0, 1),
      label: "passed at 14:05 — ratio 1 (0–∞)",
    },
    {
      verdict: "PAUSED" as const,
      ticks: [...sequentialTicks.slice(0, 1), errorTick(2), errorTick(3)],
      label: "paused at 14:05 — 2 provider errors in a row",
    },
    {
      verdict: "PAUSED" as const,
      ticks: [...sequentialTicks.slice(0, 1), dataErrorTick(2), dataErrorTick(3)],
      label: "paused at 14:05 — 2 windows of bad data in a row",
    },
  ])("SEQUENTIAL decision label when $verdict", ({ verdict, ticks, label }) => {
    const model = analysisChartModel(
      input(sequential, ticks, { outcome: { verdict, at: START + 5 * MINUTE, reason: "r" } }),
    );
    expect(model.decision).toMatchObject({ x: 5 * MINUTE, verdict, label });
    expect(model.endX).toBe(5 * MINUTE);
  });

  it("SEQUENTIAL: a DATA_ERROR window is a gap of its own, its impossible figures not drawn", () => {
    const model = analysisChartModel(input(sequential, [...sequentialTicks.slice(0, 1), dataErrorTick(2)]));
    expect(model.gaps).toEqual([
      { kind: "DATA_ERROR", from: MINUTE, to: 2 * MINUTE, reason: expect.stringContaining("bad data") },
    ]);
    expect(series(model.panels[0], "canary", "line").at(-1)?.y).toBeNull();
    expect(series(model.panels[1], "ratio estimate", "line").at(-1)?.y).toBeNull();
  });

  it("ignores measurements after the decision for its label, and fields of the wrong type", () => {
    const model = analysisChartModel(
      input(
        sequential,
        [
          ...sequentialTicks.slice(0, 1),
          tick(2, "PASS", { canaryErrors: "7", canaryTotal: 100, estimate: "big", interval: "x" }),
        ],
        { outcome: { verdict: "PASS", at: START + MINUTE, reason: "r" } },
      ),
    );
    expect(model.decision?.label).toBe("passed at 14:01 — ratio 1 (0–∞)");
    expect(series(model.panels[0], "canary", "line").at(-1)).toEqual({ x: 1.5 * MINUTE, y: null });
    expect(series(model.panels[1], "ratio estimate", "line").at(-1)).toEqual({ x: 1.5 * MINUTE, y: null });
  });

  it("takes the analysis start when given, marks dry runs, and copes with no measurements", () => {
    const dry: AnalysisMetric = { ...threshold, common: { ...threshold.common, dryRun: true } };
    const model = analysisChartModel(input(dry, [], { analysisStart: START }));
    expect(model).toMatchObject({ startAt: START, endX: MINUTE, gaps: [] });
    expect(model.subtitle).toContain("dry run: measured, not deciding");
    expect(series(model.panels[0], "measured value", "line")).toEqual([]);
    const late = analysisChartModel(
      input(threshold, [tick(5, "PASS", { points: [1] })], { analysisStart: START }),
    );
    expect(series(late.panels[0], "measured value", "line")).toEqual([{ x: 5 * MINUTE, y: 1 }]);
  });

  it.each([
    [4.912, "4.9"],
    [0.853, "0.85"],
    [0.00423, "0.0042"],
    [812.4, "812"],
    [12.6, "13"],
    [0, "0"],
    [Number.POSITIVE_INFINITY, "∞"],
  ])("formatFigure(%s) = %s", (value, text) => {
    expect(formatFigure(value)).toBe(text);
  });
});
