/**
 * What the sandbox CloudWatch reads from the metric store (metric-store.ts, fed by the traffic model):
 * the ALB's `AWS/ApplicationELB` metrics under CloudWatch's names and dimensions, as CloudWatch has them.
 *
 * - A metric's dimensions are matched as a whole, as CloudWatch does: `{TargetGroup, LoadBalancer}`
 *   selects one target group's series, `{LoadBalancer}` the load balancer's (the sum over its target
 *   groups); any other set of dimensions (a misspelt name, `TargetGroup` alone) is a metric that does
 *   not exist, and reads as no datapoints.
 * - Counts are published only when they are not zero: ELB reports a minute only when requests flowed,
 *   and a `HTTPCode_*` count only when it is nonzero ("Reporting criteria: There is a nonzero value"),
 *   so a minute the store holds as 0 has no datapoint here.
 */
import { type MetricPoint, type MetricStore, MINUTE_MS } from "./metric-store.js";

export type CloudWatchSource = Pick<MetricStore, "seriesByTagSet">;

const COUNTS: Record<string, string> = {
  RequestCount: "aws.applicationelb.request_count",
  HTTPCode_Target_5XX_Count: "aws.applicationelb.httpcode_target_5xx",
  HTTPCode_Target_2XX_Count: "aws.applicationelb.httpcode_target_2xx",
  HTTPCode_ELB_5XX_Count: "aws.applicationelb.httpcode_elb_5xx",
};
const GAUGES: Record<string, string> = {
  HealthyHostCount: "aws.applicationelb.healthy_host_count",
  UnHealthyHostCount: "aws.applicationelb.un_healthy_host_count",
};
const DIMENSION_TAGS: Record<string, string> = { TargetGroup: "targetgroup", LoadBalancer: "loadbalancer" };

export interface MetricRequest {
  namespace: string;
  metric: string;
  dimensions: ReadonlyArray<{ name: string; value: string }>;
  stat: string;
}

/** Per-minute datapoints of one metric, `fromMs ≤ t < toMs`, in time order; [] for an unknown metric. */
export function minutePoints(
  source: CloudWatchSource,
  request: MetricRequest,
  fromMs: number,
  toMs: number,
): MetricPoint[] {
  if (request.namespace !== "AWS/ApplicationELB") return [];
  const names = request.dimensions
    .map((d) => d.name)
    .sort()
    .join(",");
  if (names !== "LoadBalancer,TargetGroup" && names !== "LoadBalancer") return [];
  const filter: Record<string, string> = {};
  for (const { name, value } of request.dimensions) filter[DIMENSION_TAGS[name] as string] = value;
  const storeName = storeMetric(request.metric, request.stat);
  if (!storeName) return [];
  const sums = new Map<number, number>();
  for (const one of source.seriesByTagSet(storeName, filter, fromMs, toMs)) {
    for (const [at, value] of one.points) sums.set(at, (sums.get(at) ?? 0) + value);
  }
  const points = [...sums.entries()].sort((a, b) => a[0] - b[0]);
  return request.metric in COUNTS ? points.filter(([, value]) => value !== 0) : points;
}

function storeMetric(metric: string, stat: string): string | undefined {
  if (metric in COUNTS) return COUNTS[metric];
  if (metric in GAUGES) return GAUGES[metric];
  if (metric === "TargetResponseTime") {
    // The traffic model keeps each minute's average and a few percentiles of the response time.
    if (stat === "Average") return "aws.applicationelb.target_response_time.average";
    if (["p50", "p95", "p99"].includes(stat)) return `aws.applicationelb.target_response_time.${stat}`;
  }
  return undefined;
}

/** Minute datapoints folded into buckets of `periodSeconds` starting at `fromMs`, by the statistic. */
export function periodPoints(
  points: readonly MetricPoint[],
  stat: string,
  periodSeconds: number,
  fromMs: number,
): MetricPoint[] {
  const width = periodSeconds * 1000;
  const buckets = new Map<number, number[]>();
  for (const [at, value] of points) {
    const start = fromMs + Math.floor((at - fromMs) / width) * width;
    buckets.set(start, [...(buckets.get(start) ?? []), value]);
  }
  return [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([at, values]): MetricPoint => [at, aggregate(values, stat, width)]);
}

function aggregate(values: readonly number[], stat: string, widthMs: number): number {
  switch (stat) {
    case "Sum":
      return values.reduce((a, b) => a + b, 0);
    case "SampleCount":
      return values.length;
    case "Minimum":
      return Math.min(...values);
    case "Maximum":
      return Math.max(...values);
    case "Average":
      return values.reduce((a, b) => a + b, 0) / values.length;
    default:
      // A percentile: the store keeps it per minute, and the server allows it only at a 60 s period.
      if (widthMs !== MINUTE_MS || values.length !== 1) throw new Error(`${stat} needs a 60 s period`);
      return values[0] as number;
  }
}
