/**
 * For `Metrics` implementations that gain nothing from batching (recordings, fakes, "no provider"):
 * `queryAll` as one `query` per request, in order.
 */
import type { MetricQuery, MetricQueryResult, Metrics } from "../ports.js";

/** Each request answered by `metrics.query` on its own (concurrently), in the requests' order. */
export function queryEachAlone(
  metrics: Pick<Metrics, "query">,
  requests: readonly MetricQuery[],
): Promise<MetricQueryResult[]> {
  return Promise.all(requests.map((request) => metrics.query(request)));
}

/** A whole `Metrics` port from a query function. */
export function metricsFromQuery(query: (request: MetricQuery) => Promise<MetricQueryResult>): Metrics {
  const metrics: Metrics = { query, queryAll: (requests) => queryEachAlone(metrics, requests) };
  return metrics;
}
