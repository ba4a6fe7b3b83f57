/**
 * Captures what an analysis read, for `kanaria replay`: wraps a `Metrics` port, passes every query
 * through unchanged, and keeps each rendered query with the points it returned. `recording(…)` then
 * gives the recording file (see config/parse-recording.ts).
 *
 * Fidelity: the points kept are those the wrapped provider returned (after its lag, whole buckets and
 * null handling), so a replay with the same `lag` and start serves each tick the same points. What a
 * recording cannot hold is a provider error: an ERROR tick (HTTP 5xx, 429, timeout) replays as whatever
 * the other windows' points give. `errors` counts them so a caller can tell such a run apart. A query
 * that only ever errored or had no data is kept with no points (it replays as no data, not as missing).
 */

import { formatDuration } from "../config/duration.js";
import type { RecordedPoint, RecordingFile } from "../config/parse-recording.js";
import type { MetricQuery, MetricQueryResult, Metrics } from "../ports.js";

export interface RecordingMeta {
  app: string;
  version: string;
  labels?: Record<string, string>;
  /** The ANALYSIS stage's `with:` block as written in app.pipecd.yaml (as JSON). */
  analysis: Record<string, unknown>;
  /** The analysis start (ms since the epoch; the stage's `analysisStart`). */
  startMs: number;
  /** The wrapped provider's lag (ms). */
  lagMs: number;
}

export class RecordingMetrics implements Metrics {
  private readonly series = new Map<string, Map<number, number>>();
  /** Queries answered with an error or impossible data (not reproducible by a replay). */
  errors = 0;

  constructor(private readonly inner: Metrics) {}

  /** The wrapped provider's: a replay shifts its windows by the same lag. */
  lagMsOf(provider: string): number | undefined {
    return this.inner.lagMsOf?.(provider);
  }

  alignmentMsOf(provider: string): number | undefined {
    return this.inner.alignmentMsOf?.(provider);
  }

  async query(request: MetricQuery): Promise<MetricQueryResult> {
    const result = await this.inner.query(request);
    this.keep(request, result);
    return result;
  }

  /** Passes the batch through whole (the wrapped provider may batch it) and keeps each answer. */
  async queryAll(requests: readonly MetricQuery[]): Promise<MetricQueryResult[]> {
    const results = await this.inner.queryAll(requests);
    for (const [i, request] of requests.entries()) this.keep(request, results[i] as MetricQueryResult);
    return results;
  }

  private keep(request: MetricQuery, result: MetricQueryResult): void {
    const points = this.series.get(request.query) ?? new Map<number, number>();
    this.series.set(request.query, points);
    // Impossible data is not kept either: the recording could not hold it (one point per timestamp).
    if (result.kind === "error" || result.kind === "invalid") this.errors += 1;
    if (result.kind === "points") for (const [at, value] of result.points) points.set(at, value);
  }

  /** The recording file of everything queried so far. */
  recording(meta: RecordingMeta): RecordingFile {
    const series: Record<string, RecordedPoint[]> = {};
    for (const [query, points] of this.series) {
      series[query] = [...points.entries()].sort((a, b) => a[0] - b[0]);
    }
    return {
      app: meta.app,
      version: meta.version,
      ...(meta.labels && Object.keys(meta.labels).length > 0 ? { labels: meta.labels } : {}),
      lag: meta.lagMs % 1000 === 0 ? formatDuration(meta.lagMs) : `${meta.lagMs}ms`,
      analysis: meta.analysis,
      start: new Date(meta.startMs).toISOString(),
      series,
    };
  }
}
