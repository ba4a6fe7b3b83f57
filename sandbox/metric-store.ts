/**
 * The sandbox's in-memory time series: what the simulated ALB and APM tracer report each minute, under
 * Datadog-like metric names and `key:value` tags. The Datadog fake answers `/api/v1/query` from here.
 *
 * Contract:
 * - Points are per minute, keyed by the minute's start (UTC ms, a multiple of 60 000); a point covers
 *   [start, start + 60 s). A minute is written once it is complete, never while it is still running.
 * - Count metrics (`request_count`, `httpcode_*`, `trace.*.hits/errors`) hold the minute's total;
 *   gauges and percentiles (`*.p99`, `healthy_host_count`) hold the minute's value.
 * - A tag set that saw nothing in a minute has no point for it (no data, not zero). The traffic model
 *   writes every count of a target group forwarded to with weight > 0 each minute, zeros included, and
 *   a version's APM series only in minutes it served requests.
 * - `scrapes` holds the same traffic's counters at scrape resolution (scrape-store.ts), for the sandbox
 *   Prometheus; reading it catches the simulation up as reading minutes does.
 */
import { globRegExp } from "./glob-pattern.js";
import { ScrapeStore } from "./scrape-store.js";
import { tagSetKey } from "./tag-set-key.js";

export type TagSet = Readonly<Record<string, string>>;
export type MetricPoint = [minuteStartMs: number, value: number];

export interface TaggedSeries {
  tags: TagSet;
  points: MetricPoint[];
}

interface Series {
  tags: TagSet;
  points: Map<number, number>;
}

export const MINUTE_MS = 60_000;

export class MetricStore {
  private readonly metrics = new Map<string, Map<string, Series>>();
  private beforeRead: () => void = () => undefined;
  /** The counters at scrape resolution (scrape-store.ts), read after the same catch-up as the minutes. */
  readonly scrapes = new ScrapeStore(() => this.beforeRead());

  /**
   * `sync` runs before every read so the simulation can catch up to "now" first (the world installs it;
   * in real time nothing else would close the last minute).
   */
  onBeforeRead(sync: () => void): void {
    this.beforeRead = sync;
  }

  /** Adds `value` to the point (counts). */
  add(metric: string, tags: TagSet, minuteStartMs: number, value: number): void {
    const points = this.seriesFor(metric, tags).points;
    points.set(minuteStartMs, (points.get(minuteStartMs) ?? 0) + value);
  }

  /** Sets the point (gauges, percentiles). */
  set(metric: string, tags: TagSet, minuteStartMs: number, value: number): void {
    this.seriesFor(metric, tags).points.set(minuteStartMs, value);
  }

  /**
   * The sum over every tag set matching `tagFilter` (each key must have the value; `*` in a value
   * matches any characters, so `"*"` only requires the key), for minutes with `fromMs ≤ start < toMs`,
   * sorted by time. Minutes where no matching tag set has a point are left out.
   */
  series(
    metric: string,
    tagFilter: Readonly<Record<string, string>>,
    fromMs: number,
    toMs: number,
  ): MetricPoint[] {
    const sums = new Map<number, number>();
    for (const one of this.seriesByTagSet(metric, tagFilter, fromMs, toMs)) {
      for (const [at, value] of one.points) sums.set(at, (sums.get(at) ?? 0) + value);
    }
    return [...sums.entries()].sort((a, b) => a[0] - b[0]);
  }

  /** Each matching tag set's own points (for `avg:`/`max:` aggregation and `by {tag}` grouping). */
  seriesByTagSet(
    metric: string,
    tagFilter: Readonly<Record<string, string>>,
    fromMs: number,
    toMs: number,
  ): TaggedSeries[] {
    this.beforeRead();
    const out: TaggedSeries[] = [];
    for (const one of this.metrics.get(metric)?.values() ?? []) {
      if (!matches(one.tags, tagFilter)) continue;
      const points = [...one.points.entries()]
        .filter(([at]) => at >= fromMs && at < toMs)
        .sort((a, b) => a[0] - b[0]);
      if (points.length > 0) out.push({ tags: one.tags, points });
    }
    return out;
  }

  /** Every known (metric, tag set), for discovery and for the Datadog fake's tag queries. */
  tagSets(metric?: string): Array<{ metric: string; tags: TagSet }> {
    this.beforeRead();
    const out: Array<{ metric: string; tags: TagSet }> = [];
    for (const [name, byTags] of this.metrics) {
      if (metric !== undefined && name !== metric) continue;
      for (const one of byTags.values()) out.push({ metric: name, tags: one.tags });
    }
    return out;
  }

  metricNames(): string[] {
    return [...this.metrics.keys()].sort();
  }

  private seriesFor(metric: string, tags: TagSet): Series {
    let byTags = this.metrics.get(metric);
    if (!byTags) {
      byTags = new Map();
      this.metrics.set(metric, byTags);
    }
    const key = tagSetKey(tags);
    let series = byTags.get(key);
    if (!series) {
      series = { tags: { ...tags }, points: new Map() };
      byTags.set(key, series);
    }
    return series;
  }
}

function matches(tags: TagSet, filter: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(filter)) {
    const actual = tags[key];
    if (actual === undefined) return false;
    if (value.includes("*") ? !globRegExp(value).test(actual) : actual !== value) return false;
  }
  return true;
}
