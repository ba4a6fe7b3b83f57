/**
 * A CloudWatch query written as YAML in a metric's `query`, `errors` or `total` — one metric with a
 * statistic, or a metric-math `expression` over named metrics — validated into the structured query of
 * domain/cloudwatch-query.ts. Every string may use the query templates (`{{ .Variant.Name }}`, …); each
 * is checked on its own, so a problem is reported at the character where it is written.
 */
import { z } from "zod";
import type { CloudWatchMetricStat, CloudWatchQuery } from "../domain/cloudwatch-query.js";
import type { DiagnosticSink } from "./diagnostic-sink.js";
import { durationMs } from "./duration.js";
import type { FieldPath } from "./field-path.js";
import { checkQueryTemplate, type QueryProblem, type QueryScope } from "./query-template.js";
import { closedObject, type Origin, parseAt } from "./zod-issues.js";

/** CloudWatch's statistics: the five basic ones, percentiles and the trimmed/winsorized families. */
const STAT =
  /^(SampleCount|Average|Sum|Minimum|Maximum|IQM|p(\d{1,2}(\.\d+)?|100)|(tm|wm|tc|ts|pr|TM|WM|TC|TS|PR)(\d{1,2}(\.\d+)?|\(.+\)))$/;
/** GetMetricData ids: a lower-case letter, then letters, digits and underscores. */
export const METRIC_ID = /^[a-z][A-Za-z0-9_]*$/;

const text = z.string().min(1);
const metricStatShape = {
  namespace: text,
  metric: text,
  dimensions: z.record(z.string().min(1), z.union([z.string(), z.number()]).transform(String)).optional(),
  stat: z
    .string()
    .regex(
      STAT,
      "must be a CloudWatch statistic: Sum, Average, Minimum, Maximum, SampleCount or a percentile such as p99",
    ),
};
const period = durationMs
  .refine((ms) => ms >= 60_000 && ms % 60_000 === 0, {
    message:
      'must be a whole number of minutes such as "1m" (ALB and most AWS metrics are published per minute)',
  })
  .optional();

const singleSchema = closedObject({ ...metricStatShape, period });
const expressionSchema = closedObject({
  expression: text,
  metrics: z.record(z.string(), closedObject(metricStatShape)),
  period,
});

/** The templates a CloudWatch query's strings are checked against, and where each string is. */
export interface CloudWatchQueryCheck {
  scope: QueryScope;
  /** Reports one template problem of the string at `path`. */
  report(path: FieldPath, problem: QueryProblem): void;
}

/** The structured query, or undefined when something was reported. */
export function parseCloudWatchQuery(
  raw: Record<string, unknown>,
  at: Origin,
  check: CloudWatchQueryCheck,
  sink: DiagnosticSink,
): { query: CloudWatchQuery; strings: string[] } | undefined {
  const strings: string[] = [];
  let ok = true;
  const template = (value: string, path: FieldPath) => {
    strings.push(value);
    for (const problem of checkQueryTemplate(value, check.scope)) {
      ok = false;
      check.report(path, problem);
    }
    return value;
  };
  const stat = (
    s: z.output<typeof singleSchema> | z.output<typeof expressionSchema>["metrics"][string],
    path: FieldPath,
  ): CloudWatchMetricStat => ({
    namespace: template(s.namespace, [...path, "namespace"]),
    metric: template(s.metric, [...path, "metric"]),
    dimensions: Object.fromEntries(
      Object.entries(s.dimensions ?? {}).map(([name, value]) => [
        name,
        template(value, [...path, "dimensions", name]),
      ]),
    ),
    stat: s.stat,
  });
  // Template mistakes are reported even when the query's shape has others (all at once, not in rounds).
  const walkRaw = (value: unknown, path: FieldPath) => {
    if (typeof value === "string") template(value, path);
    else if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) {
        if (key !== "stat" && key !== "period") walkRaw(inner, [...path, key]);
      }
    }
  };
  if ("expression" in raw) {
    const badIds = Object.keys(isPlainRecord(raw.metrics) ? raw.metrics : {}).filter(
      (id) => !METRIC_ID.test(id),
    );
    for (const id of badIds) {
      sink.error(
        at.doc,
        [...at.path, "metrics", id],
        `metric id "${id}": ids start with a lower-case letter, then letters, digits or '_'`,
        "key",
      );
    }
    const parsed = parseAt(expressionSchema, raw, at, sink);
    if (!parsed || badIds.length > 0) {
      if (!parsed) walkRaw(raw, at.path);
      return undefined;
    }
    const ids = Object.keys(parsed.metrics);
    if (ids.length === 0) {
      sink.error(
        at.doc,
        [...at.path, "metrics"],
        "an expression needs the metrics it computes on, by id (e.g. errors: {namespace, metric, dimensions, stat})",
      );
      return undefined;
    }
    const used = new Set(parsed.expression.replace(/'[^']*'/g, "").match(/\b[a-z][A-Za-z0-9_]*\b/g) ?? []);
    for (const id of ids) {
      if (!used.has(id))
        sink.warning(
          at.doc,
          [...at.path, "metrics", id],
          `metric "${id}" is not used in the expression`,
          "key",
        );
    }
    const query: CloudWatchQuery = {
      kind: "expression",
      expression: template(parsed.expression, [...at.path, "expression"]),
      metrics: Object.fromEntries(
        ids.map((id) => [id, stat(parsed.metrics[id] as never, [...at.path, "metrics", id])]),
      ),
      periodSeconds: (parsed.period ?? 60_000) / 1000,
    };
    return ok ? { query, strings } : undefined;
  }
  const parsed = parseAt(singleSchema, raw, at, sink);
  if (!parsed) {
    walkRaw(raw, at.path);
    return undefined;
  }
  const query: CloudWatchQuery = {
    kind: "metric",
    ...stat(parsed, at.path),
    periodSeconds: (parsed.period ?? 60_000) / 1000,
  };
  return ok ? { query, strings } : undefined;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Why a query's shape does not fit its provider's type: a map is a CloudWatch query, a string any other
 * provider's. Undefined when it fits, or when the provider's type is unknown (an app config read alone).
 */
export function queryShapeProblem(
  written: unknown,
  provider: string | undefined,
  providerType: string | undefined,
): string | undefined {
  if (providerType === undefined) return undefined;
  const isMap = typeof written !== "string";
  if (providerType !== "CLOUDWATCH" && isMap)
    return `a CloudWatch query (a map) needs a CLOUDWATCH provider; "${provider}" is ${providerType}: write its query as a string`;
  if (providerType === "CLOUDWATCH" && !isMap)
    return `provider "${provider}" is CLOUDWATCH: write the query as a map (namespace, metric, dimensions, stat) or a metric-math expression with its metrics`;
  return undefined;
}
