/**
 * The sandbox metric store (metric-store.ts: per-minute counts and gauges under Datadog-like names)
 * seen as Prometheus series, the way an app instrumented with a Prometheus client and an ALB exporter
 * would expose the same traffic:
 *
 * - `http_requests_total{app, version, env, code}` (counter), from the APM counts per version:
 *   `code="500"` the errors, `code="200"` the other hits;
 * - `alb_requests_total{app, env, target_group, code}` (counter), from the ALB counts per target group:
 *   `code="500"` target 5xx, `code="503"` the load balancer's own 5xx, `code="200"` target 2xx;
 *   `target_group` is `targetgroup/<name>/<id>`;
 * - `alb_target_response_time_seconds{app, env, target_group, quantile}` (gauge), quantile 0.5 / 0.95 / 0.99.
 *
 * A counter grows evenly through each minute (the store keeps minute totals), so the counter's increase
 * over any stretch is the minutes' counts weighted by how much of each minute the stretch covers. A gauge
 * is sampled at the end of its minute. Minutes that have not arrived yet (ending after `visibleUntilMs`)
 * or fall in a gap are not there: the series has no samples for them, exactly like a target Prometheus
 * could not scrape.
 */
import type { MetricStore, TagSet } from "./metric-store.js";
import { MINUTE_MS } from "./metric-store.js";

export type PromLabels = Readonly<Record<string, string>>;

export interface PromSeriesData {
  /** With `__name__`. */
  labels: PromLabels;
  kind: "counter" | "gauge";
  /** Minute starts and their value (a count or a gauge), in time order. */
  minutes: Array<[minuteStartMs: number, value: number]>;
}

export type PromSource = Pick<MetricStore, "seriesByTagSet">;

export interface Visibility {
  /** Minutes ending after this have not been ingested. */
  visibleUntilMs: number;
  /** Minute starts with no samples at all. */
  gapMinutes: ReadonlySet<number>;
}

/** Every series of metric `name` with its minutes in `[fromMs, toMs)`; unknown names have none. */
export function promSeries(
  source: PromSource,
  name: string,
  fromMs: number,
  toMs: number,
  visibility: Visibility,
): PromSeriesData[] {
  const read = (metric: string) =>
    source.seriesByTagSet(metric, {}, fromMs, toMs).map((s) => ({
      tags: s.tags,
      points: s.points.filter(
        ([m]) => m + MINUTE_MS <= visibility.visibleUntilMs && !visibility.gapMinutes.has(m),
      ),
    }));
  const make = (
    kind: PromSeriesData["kind"],
    metric: string,
    labels: (tags: TagSet) => Record<string, string>,
  ): PromSeriesData[] =>
    read(metric)
      .filter((s) => s.points.length > 0)
      .map((s) => ({ labels: { __name__: name, ...labels(s.tags) }, kind, minutes: s.points }));
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
      const errors = make("counter", "trace.http.request.errors", (t) => ({ ...apm(t), code: "500" }));
      const hits = make("counter", "trace.http.request.hits", (t) => ({ ...apm(t), code: "200" }));
      for (const ok of hits) {
        const failed = errors.find(
          (e) =>
            e.labels.version === ok.labels.version &&
            e.labels.app === ok.labels.app &&
            e.labels.env === ok.labels.env,
        );
        const byMinute = new Map(failed?.minutes ?? []);
        ok.minutes = ok.minutes.map(([m, v]) => [m, v - (byMinute.get(m) ?? 0)]);
      }
      return [...errors, ...hits];
    }
    case "alb_requests_total":
      return [
        ...make("counter", "aws.applicationelb.httpcode_target_5xx", (t) => ({ ...alb(t), code: "500" })),
        ...make("counter", "aws.applicationelb.httpcode_elb_5xx", (t) => ({ ...alb(t), code: "503" })),
        ...make("counter", "aws.applicationelb.httpcode_target_2xx", (t) => ({ ...alb(t), code: "200" })),
      ];
    case "alb_target_response_time_seconds":
      return (["0.5", "0.95", "0.99"] as const).flatMap((quantile) =>
        make(
          "gauge",
          `aws.applicationelb.target_response_time.p${quantile.slice(2).padEnd(2, "0")}`,
          (t) => ({
            ...alb(t),
            quantile,
          }),
        ),
      );
    default:
      return [];
  }
}

/** A counter's increase over `(fromMs, toMs]`, or undefined when no minute of it overlaps. */
export function counterIncrease(series: PromSeriesData, fromMs: number, toMs: number): number | undefined {
  let total = 0;
  let seen = false;
  for (const [m, value] of series.minutes) {
    const overlap = Math.min(toMs, m + MINUTE_MS) - Math.max(fromMs, m);
    if (overlap <= 0) continue;
    seen = true;
    total += (value * overlap) / MINUTE_MS;
  }
  return seen ? total : undefined;
}

/** Prometheus's default lookback: an instant selector finds no sample older than this. */
export const LOOKBACK_MS = 5 * MINUTE_MS;

/** An instant selector's value at `atMs`: a gauge's last sample, a counter's total so far. */
export function instantValue(series: PromSeriesData, atMs: number): number | undefined {
  if (series.kind === "counter") {
    const last = series.minutes.filter(([m]) => m < atMs).at(-1);
    if (last === undefined || atMs - (last[0] + MINUTE_MS) >= LOOKBACK_MS) return undefined;
    return counterIncrease(series, Number.NEGATIVE_INFINITY, atMs);
  }
  const sample = series.minutes.filter(([m]) => m + MINUTE_MS <= atMs).at(-1);
  if (sample === undefined || atMs - (sample[0] + MINUTE_MS) >= LOOKBACK_MS) return undefined;
  return sample[1];
}
