/**
 * The five aggregations both sandbox query languages share: Datadog's rollups and space aggregators,
 * and PromQL's `sum`/`avg`/`min`/`max`/`count`.
 */
export type Aggregation = "sum" | "avg" | "min" | "max" | "count";

export function aggregateValues(values: readonly number[], method: Aggregation): number {
  switch (method) {
    case "sum":
      return values.reduce((a, b) => a + b, 0);
    case "avg":
      return values.reduce((a, b) => a + b, 0) / values.length;
    case "min":
      return Math.min(...values);
    case "max":
      return Math.max(...values);
    case "count":
      return values.length;
  }
}
