/**
 * The ECharts option for an `AnalysisChartModel` (what `render-chart.ts` renders). Layout in CSS pixels:
 * title, subtitle and legend rows at the top; one grid per panel, each with its axis name above it;
 * windows without an answer shaded; the decision a vertical line with its label above the first panel.
 * Every text is set in `CHART_FONT_FAMILY`, the only font resvg is given.
 */
import type { EChartsCoreOption } from "echarts/core";
import type {
  AnalysisChartModel,
  ChartOutcomeVerdict,
  ChartPanel,
  ChartPoint,
  SeriesRole,
} from "./analysis-chart-model.js";
import { type Extent, elapsedLabel, tickLabel, timeAxis, valueExtent } from "./chart-axes.js";
import { CHART_FONT_FAMILY } from "./chart-font.js";

const COLORS = {
  text: "#1f2933",
  muted: "#616e7c",
  grid: "#e4e7eb",
  axis: "#9aa5b1",
  canary: "#e07b00",
  control: "#2f6db5",
  ratio: "#6a3d9a",
  band: "rgba(106, 61, 154, 0.16)",
  rule: "#c81e3a",
  allowed: "rgba(46, 133, 64, 0.07)",
  error: "rgba(200, 30, 58, 0.12)",
  noData: "rgba(97, 110, 124, 0.14)",
  badData: "rgba(214, 120, 0, 0.14)",
} as const;

const VERDICT_COLORS: Record<ChartOutcomeVerdict, string> = {
  FAIL: "#c81e3a",
  PASS: "#2e8540",
  INCONCLUSIVE: "#b26a00",
  PAUSED: "#52606d",
  STOPPED: "#52606d",
};

const ROLE_COLORS: Record<SeriesRole, string> = {
  canary: COLORS.canary,
  control: COLORS.control,
  ratio: COLORS.ratio,
};

const GAP_STYLE = {
  ERROR: { name: "provider error", color: COLORS.error, legend: "rgba(200, 30, 58, 0.35)" },
  DATA_ERROR: { name: "bad data (not used)", color: COLORS.badData, legend: "rgba(214, 120, 0, 0.45)" },
  NO_DATA: { name: "no data", color: COLORS.noData, legend: "rgba(97, 110, 124, 0.4)" },
} as const;

const LEFT = 64;
const RIGHT = 28;
const TOP = 98;
const BOTTOM = 34;
const PANEL_GAP = 44;
/** Model x values are ms; the x axis counts minutes. */
const MINUTE = 60_000;

interface PanelBox {
  top: number;
  height: number;
}

function panelBoxes(count: number, height: number): PanelBox[] {
  const each = (height - TOP - BOTTOM - PANEL_GAP * (count - 1)) / count;
  return Array.from({ length: count }, (_, i) => ({ top: TOP + i * (each + PANEL_GAP), height: each }));
}

export function chartOption(model: AnalysisChartModel, width: number, height: number): EChartsCoreOption {
  const boxes = panelBoxes(model.panels.length, height);
  const xAxis = timeAxis(model.endX);
  const extents = model.panels.map(valueExtent);
  const series = model.panels.flatMap((panel, i) => panelSeries(model, panel, i, extents[i] as Extent));
  // Values first (canary before control, as the model lists them), then ranges, then missing windows.
  const legendNames = [
    ...new Set([
      ...model.panels.flatMap((p) => p.series.map((s) => s.name)),
      ...model.panels.flatMap((p) => p.bands.map((b) => b.name)),
      ...(["ERROR", "DATA_ERROR", "NO_DATA"] as const)
        .filter((k) => model.gaps.some((g) => g.kind === k))
        .map((k) => GAP_STYLE[k].name),
    ]),
  ];
  const text = { fontFamily: CHART_FONT_FAMILY, color: COLORS.text };
  return {
    animation: false,
    backgroundColor: "#ffffff",
    textStyle: text,
    title: {
      text: model.title,
      subtext: model.subtitle,
      left: 16,
      top: 10,
      itemGap: 6,
      textStyle: { ...text, fontSize: 17, fontWeight: "bold" },
      subtextStyle: { fontFamily: CHART_FONT_FAMILY, fontSize: 12, color: COLORS.muted },
    },
    legend: {
      data: legendNames.map((name) => legendItem(model, name)),
      left: 12,
      top: 56,
      itemWidth: 18,
      itemHeight: 10,
      itemGap: 18,
      textStyle: { ...text, fontSize: 12 },
    },
    grid: boxes.map((box) => ({ left: LEFT, right: RIGHT, top: box.top, height: box.height })),
    xAxis: boxes.map((_, i) => ({
      type: "value",
      gridIndex: i,
      min: 0,
      max: xAxis.max,
      interval: xAxis.step,
      axisLine: { lineStyle: { color: COLORS.axis } },
      axisTick: { show: true, lineStyle: { color: COLORS.axis } },
      splitLine: { lineStyle: { color: COLORS.grid } },
      axisLabel: {
        fontFamily: CHART_FONT_FAMILY,
        color: COLORS.muted,
        fontSize: 11,
        formatter: (minutes: number) => elapsedLabel(minutes),
      },
    })),
    yAxis: model.panels.map((panel, i) => yAxis(panel, i, extents[i] as Extent)),
    series,
    graphic: decisionLabel(model, boxes[0], xAxis.max, width),
  };
}

function legendItem(model: AnalysisChartModel, name: string): Record<string, unknown> {
  const gap = Object.values(GAP_STYLE).find((g) => g.name === name);
  if (gap) return { name, icon: "rect", itemStyle: { color: gap.legend } };
  if (model.panels.some((p) => p.bands.some((b) => b.name === name)))
    return { name, icon: "rect", itemStyle: { color: COLORS.band } };
  return { name };
}

function yAxis(panel: ChartPanel, index: number, extent: Extent): Record<string, unknown> {
  return {
    type: panel.scale === "log" ? "log" : "value",
    // Log axes: a tick at every power of 2 (the interval counts in exponents there).
    ...(panel.scale === "log" ? { logBase: 2, interval: 1 } : { interval: extent.step }),
    gridIndex: index,
    min: extent.min,
    max: extent.max,
    name: panel.axisName,
    nameLocation: "end",
    nameGap: 10,
    nameTextStyle: {
      fontFamily: CHART_FONT_FAMILY,
      color: COLORS.text,
      fontSize: 12,
      fontWeight: "bold",
      align: "left",
      padding: [0, 0, 0, -LEFT + 16],
    },
    axisLine: { show: false },
    splitLine: { lineStyle: { color: COLORS.grid } },
    axisLabel: {
      fontFamily: CHART_FONT_FAMILY,
      color: COLORS.muted,
      fontSize: 11,
      formatter: (value: number) => tickLabel(value, panel),
    },
  };
}

type SeriesOption = Record<string, unknown> & { name?: string };

function panelSeries(
  model: AnalysisChartModel,
  panel: ChartPanel,
  index: number,
  extent: Extent,
): SeriesOption[] {
  const axes = { xAxisIndex: index, yAxisIndex: index };
  const clamp = (y: number) => Math.min(Math.max(y, extent.min), extent.max);
  const toData = (p: ChartPoint, emphasise: boolean) => {
    // A ratio of 0 (only the control erred) has no place on a log axis: a gap, not a point on the edge.
    if (p.y === null || (panel.scale === "log" && p.y <= 0)) return [p.x / MINUTE, null];
    const value = [p.x / MINUTE, panel.scale === "log" ? clamp(p.y) : p.y];
    return p.failed && emphasise
      ? {
          value,
          symbolSize: 9,
          itemStyle: { color: VERDICT_COLORS.FAIL, borderColor: "#ffffff", borderWidth: 1 },
        }
      : value;
  };
  const out: SeriesOption[] = [];

  panel.bands.forEach((band, b) => {
    const stack = `band-${index}-${b}`;
    const lows = band.points.map((p) => (p.low === null ? null : clamp(p.low)));
    const highs = band.points.map((p) => (p.high === null ? null : clamp(p.high)));
    const line = { type: "line", ...axes, stack, symbol: "none", silent: true, connectNulls: false, z: 1 };
    // Stacked pair: an invisible lower edge, then the width, filled down to it.
    out.push({
      ...line,
      data: band.points.map((p, i) => [p.x / MINUTE, lows[i]]),
      lineStyle: { opacity: 0 },
    });
    out.push({
      ...line,
      name: band.name,
      data: band.points.map((p, i) => {
        const low = lows[i];
        const high = highs[i];
        return [
          p.x / MINUTE,
          low === null || high === null || low === undefined || high === undefined ? null : high - low,
        ];
      }),
      lineStyle: { opacity: 0 },
      areaStyle: { color: COLORS.band },
      itemStyle: { color: COLORS.band },
    });
  });

  for (const s of panel.series) {
    const color = ROLE_COLORS[s.role];
    if (s.style === "dots") {
      out.push({
        type: "scatter",
        ...axes,
        name: s.name,
        data: s.points.filter((p) => p.y !== null).map((p) => toData(p, false)),
        symbolSize: 4,
        itemStyle: { color, opacity: 0.35 },
        z: 2,
      });
      continue;
    }
    out.push({
      type: "line",
      ...axes,
      name: s.name,
      data: s.points.map((p) => toData(p, true)),
      connectNulls: false,
      symbol: "circle",
      symbolSize: 5,
      showSymbol: s.points.length <= 90,
      lineStyle: { color, width: 2 },
      itemStyle: { color },
      // The canary on top: it is what the chart is about.
      z: s.role === "control" ? 3 : 4,
    });
  }

  // Shaded windows without an answer; one series per kind so each gets a legend entry.
  for (const kind of ["ERROR", "DATA_ERROR", "NO_DATA"] as const) {
    const gaps = model.gaps.filter((g) => g.kind === kind);
    if (gaps.length === 0) continue;
    out.push({
      type: "line",
      ...axes,
      name: GAP_STYLE[kind].name,
      data: [],
      itemStyle: { color: GAP_STYLE[kind].legend },
      markArea: {
        silent: true,
        itemStyle: { color: GAP_STYLE[kind].color },
        data: gaps.map((g) => [{ xAxis: g.from / MINUTE }, { xAxis: g.to / MINUTE }]),
      },
    });
  }

  const marks: Record<string, unknown>[] = [];
  const areas: unknown[] = [];
  if (panel.allowed && (panel.allowed.min !== undefined || panel.allowed.max !== undefined)) {
    areas.push([{ yAxis: panel.allowed.min ?? extent.min }, { yAxis: panel.allowed.max ?? extent.max }]);
  }
  for (const rule of panel.rules) {
    marks.push({
      yAxis: rule.value,
      name: rule.label,
      lineStyle: { color: COLORS.rule, type: [6, 4], width: 1.5 },
      label: {
        show: true,
        position: "insideStartTop",
        formatter: "{b}",
        color: COLORS.rule,
        fontFamily: CHART_FONT_FAMILY,
        fontSize: 11,
      },
    });
  }
  if (model.decision) {
    marks.push({
      xAxis: model.decision.x / MINUTE,
      lineStyle: { color: VERDICT_COLORS[model.decision.verdict], type: "solid", width: 2 },
      label: { show: false },
    });
  }
  if (marks.length > 0 || areas.length > 0) {
    out.push({
      type: "line",
      ...axes,
      data: [],
      markLine: { silent: true, symbol: "none", data: marks },
      markArea: { silent: true, itemStyle: { color: COLORS.allowed }, data: areas },
      z: 5,
    });
  }
  return out;
}

/** The decision's label, in the strip above the first panel, beside the decision line. */
function decisionLabel(
  model: AnalysisChartModel,
  box: PanelBox | undefined,
  xMax: number,
  width: number,
): Record<string, unknown>[] {
  if (!model.decision || !box) return [];
  const plotWidth = width - LEFT - RIGHT;
  const px = LEFT + (Math.min(model.decision.x / MINUTE, xMax) / xMax) * plotWidth;
  const rightHalf = px > LEFT + plotWidth / 2;
  return [
    {
      type: "text",
      x: rightHalf ? px + 1 : px - 1,
      y: box.top - 8,
      z: 10,
      style: {
        text: model.decision.label,
        fill: VERDICT_COLORS[model.decision.verdict],
        fontFamily: CHART_FONT_FAMILY,
        fontSize: 12,
        fontWeight: "bold",
        align: rightHalf ? "right" : "left",
        verticalAlign: "bottom",
      },
    },
  ];
}
