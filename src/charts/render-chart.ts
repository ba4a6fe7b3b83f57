/**
 * Draws an `AnalysisChartModel`: ECharts server-side rendering to an SVG string, then resvg to a PNG.
 * Text is laid out and rasterised with the bundled DejaVu Sans only (`chart-font.ts`), so a chart looks
 * the same on every machine. No clock, no I/O beyond reading the font files: the caller uploads the PNG.
 *
 * Layout (CSS pixels; the PNG is `scale`× that for crisp text in Slack): title, subtitle and legend rows
 * at the top; one panel per model panel, each with its axis name above its plot; x axis in minutes since
 * the analysis start ("+5m"), the clock time being in the subtitle and the decision label.
 */
import { Resvg } from "@resvg/resvg-js";
import { LineChart, ScatterChart } from "echarts/charts";
import {
  GraphicComponent,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TitleComponent,
} from "echarts/components";
import * as echarts from "echarts/core";
import { SVGRenderer } from "echarts/renderers";
import type { AnalysisChartModel } from "./analysis-chart-model.js";
import { CHART_FONT_FAMILY, chartFontFiles } from "./chart-font.js";
import { chartOption } from "./chart-option.js";

echarts.use([
  LineChart,
  ScatterChart,
  GridComponent,
  LegendComponent,
  TitleComponent,
  MarkLineComponent,
  MarkAreaComponent,
  GraphicComponent,
  SVGRenderer,
]);

export interface RenderChartOptions {
  /** CSS pixels. Default 900. */
  width?: number;
  /** CSS pixels. Default 420 for one panel, 580 for two. */
  height?: number;
  /** Device pixels per CSS pixel in the PNG. Default 2. */
  scale?: number;
  /** Font files for resvg; default `chartFontFiles()`. An empty list draws no text at all. */
  fontFiles?: readonly string[];
}

/** RGBA pixels of a rendered chart, row by row, `width * height * 4` bytes. */
export interface ChartRaster {
  width: number;
  height: number;
  pixels: Buffer;
  png(): Buffer;
}

export function renderChartSvg(model: AnalysisChartModel, options: RenderChartOptions = {}): string {
  const { width, height } = size(model, options);
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  try {
    chart.setOption(chartOption(model, width, height));
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

export function renderChartRaster(model: AnalysisChartModel, options: RenderChartOptions = {}): ChartRaster {
  const svg = renderChartSvg(model, options);
  const image = new Resvg(svg, {
    fitTo: { mode: "zoom", value: options.scale ?? 2 },
    background: "#ffffff",
    font: {
      fontFiles: [...(options.fontFiles ?? chartFontFiles())],
      loadSystemFonts: false,
      defaultFontFamily: CHART_FONT_FAMILY,
      sansSerifFamily: CHART_FONT_FAMILY,
    },
    logLevel: "off",
  }).render();
  let pixels: Buffer | undefined;
  return {
    width: image.width,
    height: image.height,
    // Read on demand, once: `image.pixels` copies the whole bitmap out of resvg, which only tests want.
    get pixels() {
      pixels ??= image.pixels;
      return pixels;
    },
    png: () => image.asPng(),
  };
}

export function renderChartPng(model: AnalysisChartModel, options: RenderChartOptions = {}): Buffer {
  return renderChartRaster(model, options).png();
}

function size(model: AnalysisChartModel, options: RenderChartOptions): { width: number; height: number } {
  return {
    width: options.width ?? 900,
    height: options.height ?? (model.panels.length > 1 ? 580 : 420),
  };
}
