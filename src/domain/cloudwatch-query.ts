/**
 * A CloudWatch metric query as it travels through `MetricQuery.query` and the metric's query templates:
 * the structured query (one metric, metric math over named metrics, or the ALB's own count of one
 * target group) encoded as JSON behind a `{"cloudwatch":` envelope. Every other part of Kanaria keeps
 * seeing a string (recordings, replays, DATA_ERROR messages, lints), and only CloudWatch's renderer and
 * provider look inside. No Datadog or PromQL query starts with `{"cloudwatch":`, so the envelope cannot
 * be mistaken for one.
 */

/** One metric with one statistic: a `MetricStat` of GetMetricData. */
export interface CloudWatchMetricStat {
  namespace: string;
  metric: string;
  /** Name → value; every one must match, as in CloudWatch. */
  dimensions: Record<string, string>;
  /** `Sum`, `Average`, `Maximum`, `Minimum`, `SampleCount`, `p99`, … */
  stat: string;
}

/** The ALB's own per-target-group counts that a zero-query SEQUENTIAL metric reads. */
export type AlbCountMetric = "HTTPCode_Target_5XX_Count" | "RequestCount";

export type CloudWatchQuery =
  | ({ kind: "metric"; periodSeconds: number } & CloudWatchMetricStat)
  | {
      kind: "expression";
      /** Metric math over the ids of `metrics`, e.g. `100 * errors / total`. */
      expression: string;
      metrics: Record<string, CloudWatchMetricStat>;
      periodSeconds: number;
    }
  | {
      kind: "alb";
      metric: AlbCountMetric;
      /** Filled in at render time from the app's target group of the variant; absent in the template. */
      targetGroupArn?: string;
      /** The variant the query was rendered for (for messages when the app lacks its target group). */
      variant?: string;
      periodSeconds: number;
    };

const ENVELOPE = '{"cloudwatch":';

export function encodeCloudWatchQuery(query: CloudWatchQuery): string {
  return JSON.stringify({ cloudwatch: query });
}

/** Whether `text` is an encoded CloudWatch query (rendered or still a template). */
export function isCloudWatchQuery(text: string): boolean {
  return text.startsWith(ENVELOPE);
}

/** The query inside the envelope; undefined when `text` is not an encoded CloudWatch query. */
export function decodeCloudWatchQuery(text: string): CloudWatchQuery | undefined {
  if (!isCloudWatchQuery(text)) return undefined;
  try {
    const parsed = JSON.parse(text) as { cloudwatch?: CloudWatchQuery };
    const query = parsed.cloudwatch;
    return typeof query === "object" && query !== null && typeof query.kind === "string" ? query : undefined;
  } catch {
    return undefined;
  }
}

/** The query with `render` applied to every user-written string (the templating of its leaves). */
export function mapQueryStrings(query: CloudWatchQuery, render: (text: string) => string): CloudWatchQuery {
  const stat = (s: CloudWatchMetricStat): CloudWatchMetricStat => ({
    namespace: render(s.namespace),
    metric: render(s.metric),
    dimensions: Object.fromEntries(Object.entries(s.dimensions).map(([k, v]) => [render(k), render(v)])),
    stat: render(s.stat),
  });
  switch (query.kind) {
    case "metric":
      return { kind: "metric", periodSeconds: query.periodSeconds, ...stat(query) };
    case "expression":
      return {
        kind: "expression",
        expression: render(query.expression),
        metrics: Object.fromEntries(Object.entries(query.metrics).map(([id, s]) => [id, stat(s)])),
        periodSeconds: query.periodSeconds,
      };
    case "alb":
      return query;
  }
}
