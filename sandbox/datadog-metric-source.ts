/**
 * Adapter between the sandbox Datadog and the metric store (metric-store.ts, owned by the sandbox
 * cloud): the store filters tags by exact value or `"*"` (key present); Datadog scopes also allow
 * wildcards inside a value (`version:v1.*`). Such filters are sent to the store as "key present" and
 * the pattern is applied here.
 */

import type { TagFilter } from "./datadog-query-parser.js";
import type { MetricStore, TaggedSeries } from "./metric-store.js";

/** What the Datadog fake reads from the metric store. */
export type MetricSource = Pick<MetricStore, "seriesByTagSet">;

/** Each tag set of `metric` matching every filter, with its minute points in `[fromMs, toMs)`. */
export function readMatching(
  source: MetricSource,
  metric: string,
  filters: readonly TagFilter[],
  fromMs: number,
  toMs: number,
): TaggedSeries[] {
  const storeFilter: Record<string, string> = {};
  const patterns: Array<{ key: string; pattern: RegExp }> = [];
  for (const { key, value } of filters) {
    if (value === "*" || !value.includes("*")) {
      storeFilter[key] = value;
    } else {
      storeFilter[key] = "*";
      patterns.push({ key, pattern: wildcard(value) });
    }
  }
  const found = source.seriesByTagSet(metric, storeFilter, fromMs, toMs);
  if (patterns.length === 0) return found;
  return found.filter((one) => patterns.every(({ key, pattern }) => pattern.test(one.tags[key] ?? "")));
}

function wildcard(value: string): RegExp {
  const escaped = value.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${escaped.join(".*")}$`);
}
