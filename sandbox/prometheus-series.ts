/**
 * The sandbox's traffic seen as Prometheus series, the way a Prometheus scraping an app instrumented with
 * a Prometheus client and an ALB exporter every SCRAPE_INTERVAL_MS would hold it:
 *
 * - `http_requests_total{app, version, env, code}` (counter), from the APM counts per version:
 *   `code="500"` the errors, `code="200"` the other hits;
 * - `alb_requests_total{app, env, target_group, code}` (counter), from the ALB counts per target group:
 *   `code="500"` target 5xx, `code="503"` the load balancer's own 5xx, `code="200"` target 2xx;
 *   `target_group` is `targetgroup/<name>/<id>`;
 * - `alb_target_response_time_seconds{app, env, target_group, quantile}` (gauge), quantile 0.5 / 0.95 / 0.99.
 *
 * A counter is sampled from the scrape record (scrape-store.ts): a sample at each multiple of the scrape
 * interval while the series is alive, valued the counter's total at that instant. A gauge is minute-based
 * (metric-store.ts): one sample at the end of its minute, valued the minute's value. A sample exists once
 * ingested (`atMs ≤ visibleUntilMs`) and when no gap minute holds its timestamp, exactly as a target
 * Prometheus could not scrape has no samples.
 *
 * The functions below read samples with Prometheus 3's rules: ranges and the lookback are left-open,
 * right-closed (`(t − r, t]`); `increase`/`rate` extrapolate as Prometheus's `extrapolatedRate` does.
 */
import type { MetricStore, TagSet } from "./metric-store.js";
import { MINUTE_MS } from "./metric-store.js";
import type { ScrapeSample } from "./scrape-store.js";

export type PromLabels = Readonly<Record<string, string>>;

export interface PromSeriesData {
  /** With `__name__`. */
  labels: PromLabels;
  kind: "counter" | "gauge";
  /** Sample times (ms) and values, in time order. */
  samples: ScrapeSample[];
}

export type PromSource = Pick<MetricStore, "seriesByTagSet" | "scrapes">;

export interface Visibility {
  /** Samples after this have not been ingested. */
  visibleUntilMs: number;
  /** Minute starts with no samples at all. */
  gapMinutes: ReadonlySet<number>;
}

/** Every series of metric `name` with its samples in `[fromMs, toMs]`; unknown names have none. */
export function promSeries(
  source: PromSource,
  name: string,
  fromMs: number,
  toMs: number,
  visibility: Visibility,
): PromSeriesData[] {
  const until = Math.min(toMs, visibility.visibleUntilMs);
  const visible = (samples: ScrapeSample[]) =>
    samples.filter(([at]) => !visibility.gapMinutes.has(Math.floor(at / MINUTE_MS) * MINUTE_MS));
  const counters = (metric: string) =>
    source.scrapes
      .counters(metric)
      .map((c) => ({ tags: c.tags, samples: visible(c.samples(fromMs, until)) }));
  const gauges = (metric: string) =>
    source.seriesByTagSet(metric, {}, fromMs - MINUTE_MS, toMs).map((s) => ({
      tags: s.tags,
      samples: visible(
        s.points
          .map(([m, v]): ScrapeSample => [m + MINUTE_MS, v])
          .filter(([at]) => at >= fromMs && at <= until),
      ),
    }));
  const make = (
    kind: PromSeriesData["kind"],
    read: Array<{ tags: TagSet; samples: ScrapeSample[] }>,
    labels: (tags: TagSet) => Record<string, string>,
  ): PromSeriesData[] =>
    read
      .filter((s) => s.samples.length > 0)
      .map((s) => ({ labels: { __name__: name, ...labels(s.tags) }, kind, samples: s.samples }));
  const apm = (tags: TagSet) => ({
    app: tags.service ?? "",
    version: tags.version ?? "",
    env: tags.env ?? "",
  });
  const alb = (tags: TagSet) => ({
    app: tags.app ?? "",
    env: tags.env ?? "",
    target_group: tags.targetgroup ?? "",
  });
  switch (name) {
    case "http_requests_total": {
      const errors = make("counter", counters("trace.http.request.errors"), (t) => ({
        ...apm(t),
        code: "500",
      }));
      const hits = make("counter", counters("trace.http.request.hits"), (t) => ({ ...apm(t), code: "200" }));
      for (const ok of hits) {
        const failed = errors.find(
          (e) =>
            e.labels.version === ok.labels.version &&
            e.labels.app === ok.labels.app &&
            e.labels.env === ok.labels.env,
        );
        const failedAt = new Map(failed?.samples ?? []);
        ok.samples = ok.samples.map(([at, v]) => [at, v - (failedAt.get(at) ?? 0)]);
      }
      return [...errors, ...hits];
    }
    case "alb_requests_total":
      return [
        ...make("counter", counters("aws.applicationelb.httpcode_target_5xx"), (t) => ({
          ...alb(t),
          code: "500",
        })),
        ...make("counter", counters("aws.applicationelb.httpcode_elb_5xx"), (t) => ({
          ...alb(t),
          code: "503",
        })),
        ...make("counter", counters("aws.applicationelb.httpcode_target_2xx"), (t) => ({
          ...alb(t),
          code: "200",
        })),
      ];
    case "alb_target_response_time_seconds":
      return (["0.5", "0.95", "0.99"] as const).flatMap((quantile) =>
        make(
          "gauge",
          gauges(`aws.applicationelb.target_response_time.p${quantile.slice(2).padEnd(2, "0")}`),
          (t) => ({ ...alb(t), quantile }),
        ),
      );
    default:
      return [];
  }
}

/** The samples a range selector `[r]` evaluated at `atMs` reads: those in `(atMs − r, atMs]`. */
export function rangeSamples(series: PromSeriesData, atMs: number, rangeMs: number): ScrapeSample[] {
  return series.samples.filter(([at]) => at > atMs - rangeMs && at <= atMs);
}

/**
 * `increase` (or with `perSecond`, `rate`) over `[rangeMs]` at `atMs`, as Prometheus computes it: the
 * growth between the first and last sample in the range (a drop counts as a counter reset), extrapolated
 * to each boundary of the range when the boundary is within 1.1 average sample intervals of the nearest
 * sample, else by half an interval, and towards the start never past the counter's extrapolated zero.
 * Undefined (no series in the result) with fewer than two samples in the range.
 */
export function extrapolatedIncrease(
  series: PromSeriesData,
  atMs: number,
  rangeMs: number,
  perSecond: boolean,
): number | undefined {
  const samples = rangeSamples(series, atMs, rangeMs);
  const first = samples[0];
  const last = samples.at(-1);
  if (first === undefined || last === undefined || samples.length < 2) return undefined;
  let result = last[1] - first[1];
  for (let i = 1; i < samples.length; i++) {
    const previous = (samples[i - 1] as ScrapeSample)[1];
    if ((samples[i] as ScrapeSample)[1] < previous) result += previous;
  }
  let toStart = (first[0] - (atMs - rangeMs)) / 1000;
  let toEnd = (atMs - last[0]) / 1000;
  const sampled = (last[0] - first[0]) / 1000;
  const average = sampled / (samples.length - 1);
  const threshold = average * 1.1;
  if (toStart >= threshold) toStart = average / 2;
  if (result > 0 && first[1] >= 0) {
    const toZero = sampled * (first[1] / result);
    if (toZero < toStart) toStart = toZero;
  }
  if (toEnd >= threshold) toEnd = average / 2;
  let factor = (sampled + toStart + toEnd) / sampled;
  if (perSecond) factor /= rangeMs / 1000;
  return result * factor;
}

/** Prometheus's default lookback: an instant selector finds no sample older than this. */
export const LOOKBACK_MS = 5 * MINUTE_MS;

/** An instant selector's value at `atMs`: the last sample in `(atMs − lookback, atMs]`. */
export function instantValue(series: PromSeriesData, atMs: number): number | undefined {
  return rangeSamples(series, atMs, LOOKBACK_MS).at(-1)?.[1];
}
