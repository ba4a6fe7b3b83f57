/**
 * The JSON bodies of the sandbox Datadog, shaped like the real `GET /api/v1/query` answers: a
 * `MetricsQueryResponse` with `status`, `res_type: "time_series"`, `from_date`/`to_date` in ms, the
 * `query`, `group_by` and one `series` entry per group (`metric`, `display_name`, `expression`,
 * `scope`, `tag_set`, `pointlist` of `[ms, value|null]`, `start`, `end`, `interval` in seconds,
 * `length`, `aggr`, `query_index`, `attributes`); errors are `{"errors": ["…"]}`.
 */
import type { Evaluation } from "./datadog-query-eval.js";

export interface QueryEcho {
  query: string;
  fromSeconds: number;
  toSeconds: number;
  groupBy: string[];
}

export function okBody(echo: QueryEcho, evaluation: Evaluation): Record<string, unknown> {
  const intervalMs = evaluation.intervalSeconds * 1000;
  return {
    ...envelope(echo),
    status: "ok",
    series: evaluation.series.map((s) => {
      const first = s.points[0]?.[0] ?? echo.fromSeconds * 1000;
      const last = s.points.at(-1)?.[0] ?? first;
      return {
        metric: s.metric,
        display_name: s.metric,
        expression: s.expression,
        scope: s.scope,
        tag_set: s.tagSet,
        pointlist: s.points,
        start: first,
        // Datadog's `end` is the last bucket's last second.
        end: last + intervalMs - 1000,
        interval: evaluation.intervalSeconds,
        length: s.points.length,
        aggr: s.aggr,
        query_index: 0,
        attributes: {},
      };
    }),
  };
}

/** A 200 that is still a failure: Datadog reports some query failures this way. */
export function statusErrorBody(echo: QueryEcho, message: string): Record<string, unknown> {
  return { ...envelope(echo), status: "error", error: message, series: [] };
}

export function errorsBody(...errors: string[]): { errors: string[] } {
  return { errors };
}

function envelope(echo: QueryEcho): Record<string, unknown> {
  return {
    res_type: "time_series",
    resp_version: 1,
    query: echo.query,
    from_date: echo.fromSeconds * 1000,
    to_date: echo.toSeconds * 1000,
    group_by: echo.groupBy,
    message: "",
    values: [],
    times: [],
  };
}
