/**
 * Evaluates a parsed query (datadog-query-parser.ts) over the metric store's minute points, the way
 * Datadog's v1 query API does, including the data-quality problems a real Datadog has:
 *
 * - **Time, then space**: each tag set's minutes are rolled up into buckets of `interval` seconds
 *   aligned to the epoch (method: `rollup(method)`, else `sum` for `.as_count()`, `avg` otherwise),
 *   then the tag sets of each group are combined per bucket with the query's aggregator.
 *   `.as_rate()` turns each minute's count into a per-second rate first. A point's timestamp is its
 *   bucket's start.
 * - **Interval**: the largest `rollup(…, seconds)` in the query (rounded up to whole minutes: the
 *   store is per minute), else the smallest of Datadog's steps giving at most 300 points.
 * - **Ingestion**: minutes at or after `visibleUntilMs` (now − lag) have not arrived. The minute that
 *   straddles the end of the window (`min(to, visibleUntil)`) is a *partial* bucket when
 *   `partialLastBucket` is on: it is reported, and a count's value is the fraction that has arrived.
 *   Rollups longer than a minute make the last bucket partial by construction.
 * - **Gaps**: minutes in `gapMinutes` are missing; with `gapsAsNull` a bucket left empty by a gap is
 *   reported as `null` instead of being left out.
 * - **Arithmetic**: series are matched by group (an ungrouped series combines with every group); a
 *   timestamp where either side has no value, or a division by zero, gives `null`.
 */

import { aggregateValues } from "./aggregate-values.js";
import { type MetricSource, readMatching } from "./datadog-metric-source.js";
import type { MetricNode, QueryExpr, RollupMethod, SpaceAggregator } from "./datadog-query-parser.js";
import { MINUTE_MS } from "./metric-store.js";

export interface EvalSettings {
  fromMs: number;
  toMs: number;
  /** Data at or after this instant has not been ingested yet (now − lag). */
  visibleUntilMs: number;
  partialLastBucket: boolean;
  gapMinutes: ReadonlySet<number>;
  gapsAsNull: boolean;
}

export interface EvaluatedSeries {
  /** The metric name, or the expression for arithmetic. */
  metric: string;
  /** The space aggregator; null for arithmetic mixing aggregators. */
  aggr: string | null;
  /** The query of this one series, with its group's tags in the scope. */
  expression: string;
  /** Filter and group tags, `,`-joined; `*` when there are none. */
  scope: string;
  /** The group's tags (`version:v2`), empty when ungrouped. */
  tagSet: string[];
  points: Array<[number, number | null]>;
}

export interface Evaluation {
  intervalSeconds: number;
  series: EvaluatedSeries[];
}

interface GroupSeries {
  tagSet: string[];
  scopeTags: string[];
  expression: string;
  compound: boolean;
  metric: string;
  aggr: string | null;
  points: Map<number, number | null>;
}

type Value = { kind: "scalar"; value: number } | { kind: "series"; list: GroupSeries[] };

/** Datadog's automatic rollup steps, in seconds. */
const AUTO_INTERVALS = [60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400, 28800, 43200, 86400];
const MAX_POINTS = 300;

export function evaluateQuery(expr: QueryExpr, source: MetricSource, settings: EvalSettings): Evaluation {
  const intervalSeconds = chooseInterval(expr, settings);
  const value = evaluate(expr, source, settings, intervalSeconds * 1000);
  const list = value.kind === "series" ? value.list : [];
  const series = list
    .filter((g) => g.points.size > 0)
    .map<EvaluatedSeries>((g) => ({
      metric: g.metric,
      aggr: g.aggr,
      expression: g.expression,
      scope: g.scopeTags.length > 0 ? g.scopeTags.join(",") : "*",
      tagSet: g.tagSet,
      points: [...g.points.entries()].sort((a, b) => a[0] - b[0]),
    }));
  return { intervalSeconds, series };
}

export function chooseInterval(expr: QueryExpr, settings: Pick<EvalSettings, "fromMs" | "toMs">): number {
  const explicit = metricNodes(expr)
    .map((n) => n.rollup?.seconds)
    .filter((s): s is number => s !== undefined);
  if (explicit.length > 0) return Math.max(60, Math.ceil(Math.max(...explicit) / 60) * 60);
  const windowSeconds = Math.max(0, settings.toMs - settings.fromMs) / 1000;
  return AUTO_INTERVALS.find((s) => windowSeconds / s <= MAX_POINTS) ?? 86400;
}

function metricNodes(expr: QueryExpr): MetricNode[] {
  switch (expr.kind) {
    case "metric":
      return [expr];
    case "number":
      return [];
    case "negate":
      return metricNodes(expr.operand);
    case "binary":
      return [...metricNodes(expr.left), ...metricNodes(expr.right)];
  }
}

function evaluate(expr: QueryExpr, source: MetricSource, settings: EvalSettings, intervalMs: number): Value {
  switch (expr.kind) {
    case "number":
      return { kind: "scalar", value: expr.value };
    case "metric":
      return { kind: "series", list: evaluateMetric(expr, source, settings, intervalMs) };
    case "negate":
      return combine(
        "*",
        { kind: "scalar", value: -1 },
        evaluate(expr.operand, source, settings, intervalMs),
      );
    case "binary":
      return combine(
        expr.op,
        evaluate(expr.left, source, settings, intervalMs),
        evaluate(expr.right, source, settings, intervalMs),
      );
  }
}

function evaluateMetric(
  node: MetricNode,
  source: MetricSource,
  settings: EvalSettings,
  intervalMs: number,
): GroupSeries[] {
  const fromMinute = Math.floor(settings.fromMs / MINUTE_MS) * MINUTE_MS;
  const cutoff = Math.min(settings.toMs, settings.visibleUntilMs);
  if (cutoff <= fromMinute) return [];
  const filterTags = node.filters.map((f) => `${f.key}:${f.value}`);
  const groups = new Map<string, { tagSet: string[]; buckets: Array<Map<number, number>> }>();
  for (const one of readMatching(source, node.metric, node.filters, fromMinute, cutoff)) {
    const tagSet = node.groupBy.map((key) => `${key}:${one.tags[key] ?? "N/A"}`);
    const key = tagSet.join(",");
    const group = groups.get(key) ?? { tagSet, buckets: [] };
    groups.set(key, group);
    group.buckets.push(rollUp(one.points, node, settings, fromMinute, cutoff, intervalMs));
  }
  const suffix = functionSuffix(node);
  return [...groups.values()].map(({ tagSet, buckets }) => {
    const scopeTags = [...filterTags, ...tagSet];
    const points = aggregateSpace(buckets, node.aggregator);
    if (settings.gapsAsNull) fillGapsWithNull(points, settings, fromMinute, cutoff, intervalMs);
    return {
      tagSet,
      scopeTags,
      expression: `${node.aggregator}:${node.metric}{${scopeTags.join(",") || "*"}}${suffix}`,
      compound: false,
      metric: node.metric,
      aggr: node.aggregator,
      points,
    };
  });
}

/** One tag set's minutes → bucket values (time aggregation), applying ingestion, gaps and partial rules. */
function rollUp(
  minutes: ReadonlyArray<readonly [number, number]>,
  node: MetricNode,
  settings: EvalSettings,
  fromMinute: number,
  cutoff: number,
  intervalMs: number,
): Map<number, number> {
  const values = new Map<number, number[]>();
  for (const [minute, raw] of minutes) {
    if (minute < fromMinute || minute >= cutoff || settings.gapMinutes.has(minute)) continue;
    let value = raw;
    if (minute + MINUTE_MS > cutoff) {
      if (!settings.partialLastBucket) continue;
      // Counts arrive spread over the minute; a gauge's value is already whole.
      if (node.modifier !== undefined) value = (raw * (cutoff - minute)) / MINUTE_MS;
    }
    if (node.modifier === "rate") value /= MINUTE_MS / 1000;
    const bucket = Math.floor(minute / intervalMs) * intervalMs;
    const list = values.get(bucket) ?? [];
    list.push(value);
    values.set(bucket, list);
  }
  const method: RollupMethod = node.rollup?.method ?? (node.modifier === "count" ? "sum" : "avg");
  const out = new Map<number, number>();
  for (const [bucket, list] of values) out.set(bucket, aggregateValues(list, method));
  return out;
}

function aggregateSpace(
  perTagSet: ReadonlyArray<Map<number, number>>,
  aggregator: SpaceAggregator,
): Map<number, number | null> {
  const values = new Map<number, number[]>();
  for (const buckets of perTagSet) {
    for (const [bucket, value] of buckets) {
      const list = values.get(bucket) ?? [];
      list.push(value);
      values.set(bucket, list);
    }
  }
  const out = new Map<number, number | null>();
  for (const [bucket, list] of values) out.set(bucket, aggregateValues(list, aggregator));
  return out;
}

function fillGapsWithNull(
  points: Map<number, number | null>,
  settings: EvalSettings,
  fromMinute: number,
  cutoff: number,
  intervalMs: number,
): void {
  for (const minute of settings.gapMinutes) {
    if (minute < fromMinute || minute >= cutoff) continue;
    const bucket = Math.floor(minute / intervalMs) * intervalMs;
    if (!points.has(bucket)) points.set(bucket, null);
  }
}

function functionSuffix(node: MetricNode): string {
  let suffix = node.modifier === "count" ? ".as_count()" : node.modifier === "rate" ? ".as_rate()" : "";
  if (node.rollup) {
    const args = [node.rollup.method, node.rollup.seconds].filter((a) => a !== undefined);
    suffix += `.rollup(${args.join(", ")})`;
  }
  return suffix;
}

function combine(op: "+" | "-" | "*" | "/", a: Value, b: Value): Value {
  if (a.kind === "scalar" && b.kind === "scalar")
    return { kind: "scalar", value: apply(op, a.value, b.value) ?? Number.NaN };
  if (a.kind === "scalar" && b.kind === "series") {
    return {
      kind: "series",
      list: b.list.map((s) => mapSeries(s, (v) => apply(op, a.value, v), `${a.value} ${op} ${wrap(s)}`)),
    };
  }
  if (a.kind === "series" && b.kind === "scalar") {
    return {
      kind: "series",
      list: a.list.map((s) => mapSeries(s, (v) => apply(op, v, b.value), `${wrap(s)} ${op} ${b.value}`)),
    };
  }
  if (a.kind !== "series" || b.kind !== "series") return { kind: "series", list: [] };
  const pairs: Array<[GroupSeries, GroupSeries]> = [];
  const single = (list: GroupSeries[]): GroupSeries | undefined =>
    list.length === 1 && list[0]?.tagSet.length === 0 ? list[0] : undefined;
  const loneA = single(a.list);
  const loneB = single(b.list);
  if (loneB) for (const s of a.list) pairs.push([s, loneB]);
  else if (loneA) for (const s of b.list) pairs.push([loneA, s]);
  else {
    const byGroup = new Map(b.list.map((s) => [s.tagSet.join(","), s]));
    for (const s of a.list) {
      const other = byGroup.get(s.tagSet.join(","));
      if (other) pairs.push([s, other]);
    }
  }
  return { kind: "series", list: pairs.map(([left, right]) => combineSeries(op, left, right)) };
}

function combineSeries(op: "+" | "-" | "*" | "/", left: GroupSeries, right: GroupSeries): GroupSeries {
  const points = new Map<number, number | null>();
  for (const at of new Set([...left.points.keys(), ...right.points.keys()])) {
    const l = left.points.get(at);
    const r = right.points.get(at);
    points.set(at, l === undefined || l === null || r === undefined || r === null ? null : apply(op, l, r));
  }
  const expression = `${wrap(left)} ${op} ${wrap(right)}`;
  return {
    tagSet: left.tagSet.length >= right.tagSet.length ? left.tagSet : right.tagSet,
    scopeTags: [...new Set([...left.scopeTags, ...right.scopeTags])],
    expression,
    compound: true,
    metric: expression,
    aggr: left.aggr === right.aggr ? left.aggr : null,
    points,
  };
}

function mapSeries(s: GroupSeries, f: (v: number) => number | null, expression: string): GroupSeries {
  const points = new Map<number, number | null>();
  for (const [at, v] of s.points) points.set(at, v === null ? null : f(v));
  return { ...s, points, expression, compound: true, metric: expression };
}

function wrap(s: GroupSeries): string {
  return s.compound ? `(${s.expression})` : s.expression;
}

/** Null for division by zero and anything non-finite, as Datadog leaves such buckets without a value. */
function apply(op: "+" | "-" | "*" | "/", a: number, b: number): number | null {
  const result = op === "+" ? a + b : op === "-" ? a - b : op === "*" ? a * b : b === 0 ? Number.NaN : a / b;
  return Number.isFinite(result) ? result : null;
}
