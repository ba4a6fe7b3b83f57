/**
 * Evaluates the sandbox's PromQL subset (prometheus-promql-parser.ts) at one instant over the sandbox's
 * series (prometheus-series.ts), with Prometheus's semantics where the subset reaches them:
 *
 * - `rate`/`increase` over `[r]` read the counter's samples in `(t − r, t]` and extrapolate their growth
 *   to the range's boundaries (prometheus-series.ts); a series with fewer than two samples in the range
 *   is absent (not zero). Both drop the metric name.
 * - An instant selector reads the last sample in the lookback `(t − 5m, t]`.
 * - Aggregations group by the listed labels (`by`) or all but them (`without`); `sum` of nothing is
 *   nothing (an empty vector), as in Prometheus.
 * - Arithmetic between two vectors matches series with identical labels (metric name aside), one to
 *   one; unmatched series are dropped. IEEE division: 0/0 is NaN, x/0 is ±Inf — what a real ratio of two
 *   sums gives when a side has no traffic.
 */
import { aggregateValues } from "./aggregate-values.js";
import type { AggregateOp, Matcher, PromExpr } from "./prometheus-promql-parser.js";
import {
  extrapolatedIncrease,
  instantValue,
  LOOKBACK_MS,
  type PromLabels,
  type PromSeriesData,
} from "./prometheus-series.js";

export interface Sample {
  labels: PromLabels;
  value: number;
}

export type PromValue = { kind: "scalar"; value: number } | { kind: "vector"; samples: Sample[] };

/** Series of a metric name (the server reads them once per request, over the request's whole span). */
export type SeriesLookup = (name: string) => PromSeriesData[];

export function evaluateAt(expr: PromExpr, atMs: number, lookup: SeriesLookup): PromValue {
  switch (expr.kind) {
    case "number":
      return { kind: "scalar", value: expr.value };
    case "selector": {
      const samples: Sample[] = [];
      for (const series of select(lookup, expr.name, expr.matchers)) {
        const value = instantValue(series, atMs);
        if (value !== undefined) samples.push({ labels: series.labels, value });
      }
      return { kind: "vector", samples };
    }
    case "range-call": {
      const samples: Sample[] = [];
      for (const series of select(lookup, expr.selector.name, expr.selector.matchers)) {
        const value = extrapolatedIncrease(series, atMs, expr.rangeMs, expr.fn === "rate");
        if (value === undefined) continue;
        samples.push({ labels: withoutName(series.labels), value });
      }
      return { kind: "vector", samples };
    }
    case "aggregate": {
      const inner = evaluateAt(expr.expr, atMs, lookup);
      const samples = inner.kind === "scalar" ? [{ labels: {}, value: inner.value }] : inner.samples;
      return { kind: "vector", samples: aggregate(expr.op, expr.grouping, samples) };
    }
    case "binary": {
      const left = evaluateAt(expr.left, atMs, lookup);
      const right = evaluateAt(expr.right, atMs, lookup);
      const apply = (a: number, b: number) => arithmetic(expr.op, a, b);
      if (left.kind === "scalar" && right.kind === "scalar")
        return { kind: "scalar", value: apply(left.value, right.value) };
      if (left.kind === "scalar" && right.kind === "vector")
        return {
          kind: "vector",
          samples: right.samples.map((s) => ({
            labels: withoutName(s.labels),
            value: apply(left.value, s.value),
          })),
        };
      if (left.kind === "vector" && right.kind === "scalar")
        return {
          kind: "vector",
          samples: left.samples.map((s) => ({
            labels: withoutName(s.labels),
            value: apply(s.value, right.value),
          })),
        };
      if (left.kind === "vector" && right.kind === "vector") {
        const byKey = new Map(right.samples.map((s) => [labelKey(withoutName(s.labels)), s]));
        const samples: Sample[] = [];
        for (const s of left.samples) {
          const labels = withoutName(s.labels);
          const match = byKey.get(labelKey(labels));
          if (match) samples.push({ labels, value: apply(s.value, match.value) });
        }
        return { kind: "vector", samples };
      }
      throw new Error("unreachable");
    }
  }
}

/** The span of data an expression reads before its evaluation instant (for the server's one read). */
export function lookbehindMs(expr: PromExpr): number {
  switch (expr.kind) {
    case "number":
      return 0;
    case "selector":
      return LOOKBACK_MS;
    case "range-call":
      return expr.rangeMs;
    case "aggregate":
      return lookbehindMs(expr.expr);
    case "binary":
      return Math.max(lookbehindMs(expr.left), lookbehindMs(expr.right));
  }
}

/** The metric names an expression reads. */
export function metricNames(expr: PromExpr): string[] {
  switch (expr.kind) {
    case "number":
      return [];
    case "selector":
      return [expr.name];
    case "range-call":
      return [expr.selector.name];
    case "aggregate":
      return metricNames(expr.expr);
    case "binary":
      return [...metricNames(expr.left), ...metricNames(expr.right)];
  }
}

/** `{a="1",b="2"}`-style key of a label set, for grouping and matching. */
export function labelKey(labels: PromLabels): string {
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  );
}

function select(lookup: SeriesLookup, name: string, matchers: readonly Matcher[]): PromSeriesData[] {
  return lookup(name).filter((series) => matchers.every((m) => matches(m, series.labels[m.label] ?? "")));
}

function matches(matcher: Matcher, actual: string): boolean {
  switch (matcher.op) {
    case "=":
      return actual === matcher.value;
    case "!=":
      return actual !== matcher.value;
    case "=~":
      return new RegExp(`^(?:${matcher.value})$`).test(actual);
    case "!~":
      return !new RegExp(`^(?:${matcher.value})$`).test(actual);
  }
}

function withoutName(labels: PromLabels): PromLabels {
  const { __name__: _, ...rest } = labels;
  return rest;
}

function aggregate(
  op: AggregateOp,
  grouping: { mode: "by" | "without"; labels: string[] } | undefined,
  samples: readonly Sample[],
): Sample[] {
  const groups = new Map<string, { labels: PromLabels; values: number[] }>();
  for (const sample of samples) {
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(withoutName(sample.labels))) {
      const kept =
        grouping?.mode === "by"
          ? grouping.labels.includes(k)
          : grouping?.mode === "without" && !grouping.labels.includes(k);
      if (kept) labels[k] = v;
    }
    const key = labelKey(labels);
    const group = groups.get(key) ?? { labels, values: [] };
    group.values.push(sample.value);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ labels, values }) => ({ labels, value: aggregateValues(values, op) }));
}

function arithmetic(op: "+" | "-" | "*" | "/", a: number, b: number): number {
  switch (op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      return a / b;
  }
}

/** A sample value as Prometheus writes it: `"NaN"`, `"+Inf"`, `"-Inf"` or the number. */
export function formatPromValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}
