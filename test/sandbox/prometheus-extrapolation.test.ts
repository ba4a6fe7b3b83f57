/**
 * The sandbox Prometheus's range and instant reads (sandbox/prometheus-series.ts) against Prometheus 3's
 * documented rules: left-open ranges and lookback, and `extrapolatedRate` (promql/functions.go):
 * extrapolate to a boundary within 1.1 average intervals, else by half an interval, never back past the
 * counter's zero; a drop is a counter reset; fewer than two samples give nothing.
 */
import { describe, expect, it } from "vitest";
import {
  extrapolatedIncrease,
  instantValue,
  LOOKBACK_MS,
  type PromSeriesData,
} from "../../sandbox/prometheus-series.js";

const T = Date.UTC(2026, 11, 6, 12, 0, 0);
const counter = (...samples: Array<[number, number]>): PromSeriesData => ({
  labels: { __name__: "c" },
  kind: "counter",
  samples: samples.map(([s, v]) => [T + s * 1000, v]),
});
const increase = (series: PromSeriesData, atS: number, rangeS: number) =>
  extrapolatedIncrease(series, T + atS * 1000, rangeS * 1000, false);

describe("increase and rate", () => {
  it("extrapolates samples 15 s apart to the whole range when both boundaries are close", () => {
    const c = counter([15, 110], [30, 120], [45, 130], [60, 140]);
    // (0 s, 60 s]: 30 over 45 s, extrapolated 15 s back.
    expect(increase(c, 60, 60)).toBe(40);
    // (7 s, 67 s]: 8 s back, 7 s forward.
    expect(increase(c, 67, 60)).toBe(40);
    expect(extrapolatedIncrease(c, T + 60_000, 60_000, true)).toBeCloseTo(40 / 60, 15);
  });

  it("excludes a sample on the range's left boundary (left-open)", () => {
    const c = counter([0, 100], [15, 110], [30, 120], [45, 130], [60, 140]);
    expect(increase(c, 60, 60)).toBe(40);
  });

  it("extrapolates only half an interval towards a boundary farther than 1.1 intervals", () => {
    // Samples at 30 s and 45 s in (0 s, 60 s]: 30 s to the start (≥ 16.5 s) → 7.5 s; 15 s to the end.
    const c = counter([30, 100], [45, 110]);
    expect(increase(c, 60, 60)).toBe(10 * ((15 + 7.5 + 15) / 15));
  });

  it("does not extrapolate back past the counter's zero", () => {
    // From 0 to 10 in 15 s: the zero point is the first sample itself.
    const c = counter([15, 0], [30, 10]);
    expect(increase(c, 45, 45)).toBe(10 * ((15 + 0 + 15) / 15));
    // From 5: the zero point is 7.5 s before the first sample, nearer than the range's start.
    expect(increase(counter([15, 5], [30, 15]), 45, 45)).toBe(10 * ((15 + 7.5 + 15) / 15));
  });

  it("counts a drop as a counter reset", () => {
    const c = counter([15, 10], [30, 20], [45, 5], [60, 8]);
    expect(increase(c, 60, 60)).toBe((8 - 10 + 20) * (60 / 45));
  });

  it("has no value with fewer than two samples in the range", () => {
    expect(increase(counter([15, 10]), 60, 60)).toBeUndefined();
    expect(increase(counter([0, 10], [60, 20]), 60, 60)).toBeUndefined();
  });
});

describe("an instant selector", () => {
  it("reads the last sample in (t − 5m, t]", () => {
    const c = counter([0, 10], [15, 20]);
    expect(instantValue(c, T + 14_000)).toBe(10);
    expect(instantValue(c, T + 15_000)).toBe(20);
    expect(instantValue(c, T + 15_000 + LOOKBACK_MS - 1)).toBe(20);
    expect(instantValue(c, T + 15_000 + LOOKBACK_MS)).toBeUndefined();
    expect(instantValue(c, T - 1)).toBeUndefined();
  });
});
