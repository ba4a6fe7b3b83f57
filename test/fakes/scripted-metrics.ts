/**
 * A Metrics port answering from a function of (query, window), recording every call. Tests script
 * series per variant ("…{variant:canary}") and inject errors.
 */
import type { MetricQuery, MetricQueryResult, Metrics } from "../../src/ports.js";
import { queryEachAlone } from "../../src/providers/metrics-from-query.js";

export type Script = (query: MetricQuery) => MetricQueryResult;

export class ScriptedMetrics implements Metrics {
  readonly calls: MetricQuery[] = [];

  constructor(public script: Script) {}

  async query(request: MetricQuery): Promise<MetricQueryResult> {
    this.calls.push(request);
    return this.script(request);
  }

  queryAll(requests: readonly MetricQuery[]): Promise<MetricQueryResult[]> {
    return queryEachAlone(this, requests);
  }
}

/** One point per minute of the window, valued by `value(minuteStart)`. */
export function perMinute(query: MetricQuery, value: (at: number) => number): MetricQueryResult {
  const points: Array<[number, number]> = [];
  for (let at = query.from; at < query.to; at += 60_000) points.push([at, value(at)]);
  return { kind: "points", points };
}
