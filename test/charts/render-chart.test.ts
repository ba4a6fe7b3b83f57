import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  initialSequentialState,
  summarizeSequential,
  updateSequential,
} from "../../src/analysis/sequential-test.js";
import { evaluateComparison, evaluateThreshold } from "../../src/analysis/tick-evaluators.js";
import {
  type AnalysisChartInput,
  type AnalysisChartModel,
  analysisChartModel,
} from "../../src/charts/analysis-chart-model.js";
import { CHART_FONT_FAMILY, chartFontFiles } from "../../src/charts/chart-font.js";
import { startChartThread } from "../../src/charts/chart-thread.js";
import {
  type ChartRaster,
  renderChartPng,
  renderChartRaster,
  renderChartSvg,
} from "../../src/charts/render-chart.js";
import type { AnalysisMetric } from "../../src/domain/analysis-metric.js";
import { KanariaError } from "../../src/domain/kanaria-error.js";
import type { Measurement } from "../../src/domain/measurement.js";
import { metricCommon } from "../fixtures/metric-common.js";

const MINUTE = 60_000;
/** 2025-06-03 14:00 UTC. */
const START = Date.UTC(2025, 5, 3, 14, 0);
const noArgs = { primary: {}, canary: {}, baseline: {} };

function measurement(
  metric: string,
  at: number,
  verdict: string,
  data: Record<string, unknown>,
): Measurement {
  return { deploymentId: "d1", stageIndex: 2, metric, at, verdict, data };
}

/** Deterministic wiggle in [-1, 1]. */
const wiggle = (i: number) => Math.sin(i * 2.3) * 0.6 + Math.cos(i * 5.1) * 0.4;

/** A canary whose error rate goes 5× at minute 6; one provider error at minute 3; fails by the real test. */
function sequentialInput(): AnalysisChartInput {
  const metric: AnalysisMetric = {
    strategy: "SEQUENTIAL",
    common: metricCommon("error rate"),
    errors: "e",
    total: "t",
    control: "PRIMARY",
    maxRatio: 1,
    alpha: 0.01,
    deviation: "HIGH",
    earlyPass: false,
    variantArgs: noArgs,
  };
  let state = initialSequentialState({ maxRatio: 1, alpha: 0.01 });
  const measurements: Measurement[] = [];
  const finite = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : null);
  for (let i = 1; i <= 30; i++) {
    const at = START + i * MINUTE;
    if (i === 3) {
      measurements.push(measurement("error rate", at, "ERROR", { error: "HTTP 503", reason: "HTTP 503" }));
      continue;
    }
    const bucket = {
      canaryErrors: Math.round((i >= 6 ? 30 : 6) * (1 + 0.4 * wiggle(i))),
      canaryTotal: 1500,
      controlErrors: Math.round(54 * (1 + 0.3 * wiggle(i + 7))),
      controlTotal: 13500,
    };
    state = updateSequential(state, bucket);
    const s = summarizeSequential(state);
    const verdict = s.decision === "FAIL" ? "FAIL" : "PASS";
    measurements.push(
      measurement("error rate", at, verdict, {
        ...bucket,
        estimate: finite(s.estimate),
        interval: s.interval.map(finite),
        evidence: finite(s.evidence),
        minDetectableRatio: finite(s.minDetectableRatio),
        reason: "…",
      }),
    );
    if (verdict === "FAIL") break;
  }
  const at = measurements.at(-1)?.at ?? START;
  return {
    app: "web",
    version: "v3",
    stageLabel: "ANALYSIS 1/2",
    metric,
    measurements,
    outcome: { verdict: "FAIL", at, reason: "error ratio above 1" },
  };
}

function thresholdInput(): AnalysisChartInput {
  const metric: AnalysisMetric = {
    strategy: "THRESHOLD",
    common: metricCommon("p99 latency", { intervalMs: 5 * MINUTE }),
    query: "q",
    expected: { max: 500 },
  };
  const measurements: Measurement[] = [];
  for (let i = 1; i <= 6; i++) {
    const at = START + i * 5 * MINUTE;
    if (i === 3) {
      measurements.push(measurement("p99 latency", at, "ERROR", { error: "timeout", reason: "timeout" }));
      continue;
    }
    const points = Array.from(
      { length: 5 },
      (_, k) => 320 + 40 * wiggle(i * 5 + k) + (i === 6 && k >= 3 ? 260 : 0),
    );
    const outcome = evaluateThreshold(points, metric.expected);
    measurements.push(
      measurement("p99 latency", at, outcome.verdict, { ...outcome.data, reason: outcome.reason }),
    );
  }
  return {
    app: "api",
    version: "2.14.0",
    stageLabel: "ANALYSIS",
    metric,
    measurements,
    unit: "ms",
    outcome: { verdict: "FAIL", at: START + 30 * MINUTE, reason: "above the maximum" },
  };
}

function comparisonInput(strategy: "CANARY_PRIMARY" | "CANARY_BASELINE" | "PREVIOUS"): AnalysisChartInput {
  const metric: AnalysisMetric =
    strategy === "PREVIOUS"
      ? {
          strategy,
          common: metricCommon("latency p95", { intervalMs: 2 * MINUTE }),
          query: "q",
          deviation: "HIGH",
        }
      : {
          strategy,
          common: metricCommon("latency p95", { intervalMs: 2 * MINUTE }),
          query: "q",
          deviation: "HIGH",
          variantArgs: noArgs,
        };
  const measurements: Measurement[] = [];
  for (let i = 1; i <= 10; i++) {
    const at = START + i * 2 * MINUTE;
    const control = Array.from({ length: 8 }, (_, k) => 180 + 15 * wiggle(i * 8 + k));
    const canary = Array.from(
      { length: 8 },
      (_, k) => 182 + 15 * wiggle(i * 8 + k + 100) + (i >= 6 ? 40 : 0),
    );
    const outcome = evaluateComparison(canary, control, "HIGH", "control");
    measurements.push(
      measurement("latency p95", at, outcome.verdict, { ...outcome.data, reason: outcome.reason }),
    );
    if (outcome.verdict === "FAIL") break;
  }
  const at = measurements.at(-1)?.at ?? START;
  return {
    app: "checkout",
    version: "v12",
    stageLabel: "ANALYSIS 2/2",
    metric,
    measurements,
    unit: "ms",
    outcome: { verdict: "FAIL", at, reason: "canary significantly higher" },
  };
}

const EXAMPLES: Record<string, () => AnalysisChartInput> = {
  SEQUENTIAL: sequentialInput,
  THRESHOLD: thresholdInput,
  CANARY_PRIMARY: () => comparisonInput("CANARY_PRIMARY"),
  CANARY_BASELINE: () => comparisonInput("CANARY_BASELINE"),
  PREVIOUS: () => comparisonInput("PREVIOUS"),
};

/** Width and height from the IHDR chunk, which a PNG must start with right after its signature. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(png.subarray(12, 16).toString("latin1")).toBe("IHDR");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** Pixels in a device-pixel rectangle darker than the chart's lightest text colour could be mistaken for. */
function darkPixels(raster: ChartRaster, box: { x: number; y: number; w: number; h: number }): number {
  let count = 0;
  for (let y = box.y; y < box.y + box.h; y++) {
    for (let x = box.x; x < box.x + box.w; x++) {
      const i = (y * raster.width + x) * 4;
      const [r, g, b] = [raster.pixels[i] ?? 255, raster.pixels[i + 1] ?? 255, raster.pixels[i + 2] ?? 255];
      if (r + g + b < 3 * 128) count++;
    }
  }
  return count;
}

/** The title's row (CSS 16–460 × 10–30 px) at 2×. */
const TITLE_BOX = { x: 32, y: 20, w: 880, h: 40 };

describe("renderChartPng", () => {
  it.each(Object.keys(EXAMPLES))("renders %s to a PNG of the requested size", (strategy) => {
    const model = analysisChartModel((EXAMPLES[strategy] as () => AnalysisChartInput)());
    const png = renderChartPng(model);
    const twoPanels = strategy === "SEQUENTIAL";
    expect(pngSize(png)).toEqual({ width: 1800, height: twoPanels ? 1160 : 840 });
    // Kept after the run, one per strategy, for a person to look at.
    const dir = join(tmpdir(), "kanaria-chart-examples");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${strategy.toLowerCase()}.png`), png);
    expect(statSync(join(dir, `${strategy.toLowerCase()}.png`)).size).toBe(png.length);
  });

  it("honours width, height and scale", () => {
    const model = analysisChartModel(thresholdInput());
    expect(pngSize(renderChartPng(model, { width: 600, height: 300, scale: 1 }))).toEqual({
      width: 600,
      height: 300,
    });
    expect(pngSize(renderChartPng(model, { width: 640, height: 360, scale: 3 }))).toEqual({
      width: 1920,
      height: 1080,
    });
  });

  it("draws the title's text with the bundled font, and only with it", () => {
    const model = analysisChartModel(sequentialInput());
    const withFont = renderChartRaster(model);
    const noFonts = renderChartRaster(model, { fontFiles: [] });
    // Without a title ECharts moves the subtitle up into the title's row: blank both.
    const noTitle = renderChartRaster({ ...model, title: "", subtitle: "" });
    expect(withFont.pixels.length).toBe(withFont.width * withFont.height * 4);
    // Glyph strokes in the title row; none without a font (no system fonts are ever loaded)…
    expect(darkPixels(withFont, TITLE_BOX)).toBeGreaterThan(2000);
    expect(darkPixels(noFonts, TITLE_BOX)).toBe(0);
    // …and they are the title's: the same chart without a title has none there.
    expect(darkPixels(noTitle, TITLE_BOX)).toBe(0);
    // Axis labels below the plot are text too, drawn the same way.
    const xLabels = { x: 0, y: withFont.height - 50, w: withFont.width, h: 40 };
    expect(darkPixels(withFont, xLabels)).toBeGreaterThan(darkPixels(noFonts, xLabels));
  });
});

describe("renderChartSvg", () => {
  it("holds the title, legend, axis names and labels, and the decision, in the chart font", () => {
    const model: AnalysisChartModel = analysisChartModel(sequentialInput());
    const svg = renderChartSvg(model);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain('width="900"');
    expect(svg).toContain('height="580"');
    for (const text of [
      "web v3 · error rate · SEQUENTIAL",
      model.subtitle,
      "canary",
      "primary",
      "ratio estimate",
      "99% interval",
      "provider error",
      "error rate (%)",
      "error ratio, canary ÷ primary (×)",
      "max ratio 1",
      "+2m",
      "1×",
      "1/2×",
      model.decision?.label ?? "(no decision)",
    ]) {
      expect(svg).toContain(`>${text}<`);
    }
    expect(svg).toMatch(/failed at 14:\d\d — ratio /);
    expect(svg).toContain(CHART_FONT_FAMILY);
  });

  it("shows user units in the axis name and the threshold's limit", () => {
    const svg = renderChartSvg(analysisChartModel(thresholdInput()));
    for (const text of ["p99 latency (ms)", "max 500", "measured value", "provider error", "+10m"])
      expect(svg).toContain(`>${text}<`);
  });
});

describe("chartFontFiles", () => {
  it("finds the bundled DejaVu Sans files", () => {
    const files = chartFontFiles();
    expect(files.map((f) => f.split(/[/\\]/).at(-1))).toEqual(["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"]);
    for (const file of files) expect(existsSync(file)).toBe(true);
  });

  it("says which package is missing, with a stable code", () => {
    const missing = () => {
      throw Object.assign(new Error("Cannot find module"), { code: "MODULE_NOT_FOUND" });
    };
    expect(() => chartFontFiles(missing)).toThrow(KanariaError);
    expect(() => chartFontFiles(missing)).toThrow(/dejavu-fonts-ttf/);
    try {
      chartFontFiles(missing);
    } catch (error) {
      expect(error).toMatchObject({ code: "CHART_FONT_MISSING" });
    }
  });
});

describe("startChartThread", () => {
  it("renders on a worker thread the very PNG the main thread would", async () => {
    const thread = startChartThread();
    try {
      const threshold = analysisChartModel(thresholdInput());
      const sequential = analysisChartModel(sequentialInput());
      const [a, b] = await Promise.all([thread.render(threshold), thread.render(sequential)]);
      expect(a.equals(renderChartPng(threshold))).toBe(true);
      expect(b.equals(renderChartPng(sequential))).toBe(true);
    } finally {
      await thread.close();
    }
  });

  it("rejects a chart it cannot draw, with the reason, and keeps serving", async () => {
    const thread = startChartThread();
    try {
      await expect(thread.render({} as AnalysisChartModel)).rejects.toThrow(/^chart not rendered: /);
      const png = await thread.render(analysisChartModel(thresholdInput()));
      expect(pngSize(png).width).toBeGreaterThan(0);
    } finally {
      await thread.close();
    }
  });

  it("gives back each chart's native bitmap memory: RSS stays flat over many renders", async () => {
    // resvg's ~9 MB bitmap per chart is native memory V8 does not count; left to the worker's own GC
    // it stayed, and 16 charts added some 150 MB. The bound leaves room for allocator noise only.
    const thread = startChartThread();
    try {
      const model = analysisChartModel(sequentialInput());
      await thread.render(model);
      await thread.render(model);
      const before = process.memoryUsage().rss;
      for (let i = 0; i < 16; i++) await thread.render(model);
      const grownMb = (process.memoryUsage().rss - before) / 1e6;
      expect(grownMb).toBeLessThan(50);
    } finally {
      await thread.close();
    }
  });

  it("rejects what is still queued when closed", async () => {
    const thread = startChartThread();
    const pending = expect(thread.render(analysisChartModel(sequentialInput()))).rejects.toThrow(
      "the chart worker was closed",
    );
    await thread.close();
    await pending;
  });
});
