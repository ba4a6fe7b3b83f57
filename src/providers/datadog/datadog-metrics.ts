/**
 * The `Metrics` port on Datadog's v1 `GET /api/v1/query` (DESIGN §5), through the official client's
 * public `v1.MetricsApi.queryMetrics` (see metrics-api-client.ts).
 *
 * Contract: `query`, `queryAll` and `queryGrouped` never reject for anything Datadog or the network does. HTTP
 * errors, 429s (with `retryAfterMs` from `X-RateLimit-Reset`), timeouts, malformed bodies and
 * `status: "error"` in a 200 are `{kind: "error"}` values, which the analysis treats as neither a pass
 * nor a fail. An empty `series` is `{kind: "no-data"}`. Points are whole buckets inside the (lag-shifted)
 * window with a value: see complete-points.ts. A series with impossible points (two at one timestamp:
 * analysis/data-quality.ts) makes the answer `{kind: "invalid"}`, for every query its request answers:
 * here, and only here, is one series still one series. The provider makes one HTTP request per query (per batch
 * for `queryAll`) and never retries by itself; waiting is the analysis stage's job, on its own clock.
 *
 * Secrets arrive as strings (the caller resolves them with `readSecret` from `src/config/`); the
 * provider reads no environment and no files, and never logs the keys.
 */

import { seriesProblem } from "../../analysis/data-quality.js";
import { KanariaError } from "../../domain/kanaria-error.js";
import type { Logger } from "../../engine/logger.js";
import type { Clock, MetricQuery, MetricQueryResult, Metrics } from "../../ports.js";
import { completePoints, lagShiftedWindow, type TimeWindow } from "./complete-points.js";
import { describeEndpoint, resolveDatadogEndpoint } from "./datadog-endpoint.js";
import { DatadogHttpError, DatadogNetworkError, type FetchFn } from "./fetch-http-library.js";
import { createMetricsApiClient, type MetricsApiClient } from "./metrics-api-client.js";
import { errorBodyMessage, readQueryResponse } from "./query-response.js";
import { retryAfterMs } from "./rate-limit-reset.js";
import { groupTag, planVariantBatches, type QueryBatch } from "./variant-batch.js";

/** Datadog's metrics typically reach the query API within a minute of the bucket closing. */
export const DEFAULT_DATADOG_LAG_MS = 60_000;

export interface DatadogMetricsOptions {
  apiKey: string;
  applicationKey: string;
  /** `datadoghq.com` (default), `ap1.datadoghq.com`, `us5.datadoghq.com`, `datadoghq.eu`, … */
  site?: string | undefined;
  /** Replaces the site's URL entirely (the sandbox: `http://127.0.0.1:4010`). */
  baseUrl?: string | undefined;
  /** World time: the lag is measured back from `clock.now()`. */
  clock: Clock;
  /** Windows end at least this long before now (default 60 s). */
  lagMs?: number;
  /** Default: the global `fetch`. */
  fetch?: FetchFn;
  /**
   * A signal that aborts after `ms` of *real* time (default `AbortSignal.timeout`). Not the world clock:
   * a timeout guards against a hung network, and under a virtual clock a pending timer would otherwise
   * be jumped to while the request is still in flight. Tests pass a signal they abort themselves.
   */
  timeoutSignal?: (ms: number) => AbortSignal;
  logger?: Pick<Logger, "warn">;
}

export type ErrorResult = Extract<MetricQueryResult, { kind: "error" }>;

/** What `queryGrouped` returns: the points of each group, keyed by the group's tags. */
export type GroupedQueryResult =
  | { kind: "groups"; groups: Map<string, Array<[timestampMs: number, value: number]>> }
  | { kind: "no-data" }
  | InvalidResult
  | ErrorResult;

interface FetchedSeries {
  /** The group's tags joined with `,` as Datadog lists them in `tag_set`; "" when ungrouped. */
  group: string;
  points: Array<[number, number]>;
}

interface FailureReason {
  reason: string;
  retryAfter: number | undefined;
}

type InvalidResult = Extract<MetricQueryResult, { kind: "invalid" }>;

type Fetched =
  | { kind: "series"; series: FetchedSeries[] }
  | { kind: "no-data" }
  | InvalidResult
  | ErrorResult;

export class DatadogMetrics implements Metrics {
  private readonly client: MetricsApiClient;
  private readonly clock: Clock;
  private readonly lagMs: number;
  private readonly timeoutSignal: (ms: number) => AbortSignal;
  private readonly logger: Pick<Logger, "warn"> | undefined;
  /** For messages: `https://api.ap1.datadoghq.com` or the base URL. */
  readonly origin: string;

  constructor(options: DatadogMetricsOptions) {
    const endpoint = resolveDatadogEndpoint({ site: options.site, baseUrl: options.baseUrl });
    if (options.apiKey === "" || options.applicationKey === "") {
      throw new KanariaError("DATADOG_MISSING_KEY", "Datadog needs both an API key and an application key");
    }
    const lagMs = options.lagMs ?? DEFAULT_DATADOG_LAG_MS;
    if (!Number.isFinite(lagMs) || lagMs < 0) {
      throw new KanariaError(
        "DATADOG_INVALID_LAG",
        `Datadog lag must be a non-negative number of ms, not ${lagMs}`,
      );
    }
    this.client = createMetricsApiClient({
      endpoint,
      apiKey: options.apiKey,
      applicationKey: options.applicationKey,
      fetch: options.fetch ?? ((url, init) => fetch(url, init)),
    });
    this.clock = options.clock;
    this.lagMs = lagMs;
    this.timeoutSignal = options.timeoutSignal ?? ((ms) => AbortSignal.timeout(ms));
    this.logger = options.logger;
    this.origin = describeEndpoint(endpoint);
  }

  /**
   * The points of the query over the request's window. When the query returns several series (an
   * unaggregated `by {…}`), their points are concatenated in time order, as PipeCD evaluates every
   * point of every series; use `queryGrouped` to keep groups apart.
   */
  /** This provider's lag, whatever name the router knows it by. */
  lagMsOf(): number {
    return this.lagMs;
  }

  async query(request: MetricQuery): Promise<MetricQueryResult> {
    const fetched = await this.fetch(request);
    if (fetched.kind !== "series") return fetched;
    const points = fetched.series.flatMap((s) => s.points).sort((a, b) => a[0] - b[0]);
    return points.length > 0 ? { kind: "points", points } : { kind: "no-data" };
  }

  /**
   * Each query's answer as `query` gives it, with variants of one query (canary and control, rendered
   * with another value of one tag) fetched in one `… by {tag}` request: see variant-batch.ts. Queries
   * are batched only with others over the same window and timeout.
   */
  async queryAll(requests: readonly MetricQuery[]): Promise<MetricQueryResult[]> {
    const results: MetricQueryResult[] = requests.map(() => ({ kind: "no-data" }));
    const sameWindow = new Map<string, number[]>();
    requests.forEach((request, i) => {
      const key = `${request.from}|${request.to}|${request.timeoutMs}`;
      sameWindow.set(key, [...(sameWindow.get(key) ?? []), i]);
    });
    const asks = [...sameWindow.values()].flatMap((indexes) => {
      const template = requests[indexes[0] as number] as MetricQuery;
      const batches = planVariantBatches(indexes.map((i) => (requests[i] as MetricQuery).query));
      return batches.map(async (batch) => {
        for (const [planned, result] of await this.answerBatch(template, batch)) {
          results[indexes[planned] as number] = result;
        }
      });
    });
    await Promise.all(asks);
    return results;
  }

  /** One request for `batch`; its answer for each planned index. */
  private async answerBatch(
    template: MetricQuery,
    batch: QueryBatch,
  ): Promise<Array<[number, MetricQueryResult]>> {
    if (batch.kind === "single") {
      const result = await this.query({ ...template, query: batch.query });
      return batch.indexes.map((index) => [index, result]);
    }
    const grouped = await this.queryGrouped({ ...template, query: batch.query });
    return batch.members.map(({ index, tagValue }): [number, MetricQueryResult] => {
      if (grouped.kind !== "groups") return [index, grouped];
      const wanted = groupTag(batch.tagKey, tagValue);
      const points = [...grouped.groups].find(([group]) => group.toLowerCase() === wanted)?.[1];
      return [index, points ? { kind: "points", points } : { kind: "no-data" }];
    });
  }

  /**
   * Batching: one request for every group of a `… by {tag}` query. Canary and control are fetched
   * together with, say, `sum:trace.http.request.errors{service:web} by {version}.as_count()`; the answer
   * maps `"version:v1.4.2"` and `"version:v1.4.1"` to their points (the keys are the group's `tag_set`
   * joined with `,`, e.g. `"env:prod,version:v1"` for two tags; `""` for an ungrouped query). Groups
   * without a whole bucket with a value are left out; none left is `no-data`. Both variants come from
   * the same request, so they always cover the same buckets and share the same rate-limit cost.
   */
  async queryGrouped(request: MetricQuery): Promise<GroupedQueryResult> {
    const fetched = await this.fetch(request);
    if (fetched.kind !== "series") return fetched;
    const groups = new Map<string, Array<[number, number]>>();
    for (const { group, points } of fetched.series) {
      if (points.length === 0) continue;
      const merged = [...(groups.get(group) ?? []), ...points].sort((a, b) => a[0] - b[0]);
      groups.set(group, merged);
    }
    return groups.size > 0 ? { kind: "groups", groups } : { kind: "no-data" };
  }

  private async fetch(request: MetricQuery): Promise<Fetched> {
    if (!(request.to > request.from)) {
      throw new KanariaError(
        "DATADOG_INVALID_WINDOW",
        `metric window must end after it starts (from ${request.from}, to ${request.to})`,
      );
    }
    const window = lagShiftedWindow({ fromMs: request.from, toMs: request.to }, this.clock.now(), this.lagMs);
    const signal = this.timeoutSignal(request.timeoutMs);
    let body: Awaited<ReturnType<MetricsApiClient["queryMetrics"]>>;
    try {
      body = await this.client.queryMetrics(
        Math.floor(window.fromMs / 1000),
        Math.ceil(window.toMs / 1000),
        request.query,
        signal,
      );
    } catch (cause) {
      return this.error(request.query, this.failure(cause, signal, request.timeoutMs));
    }
    return this.read(request.query, body, window);
  }

  /** Why a query got no answer to read, and how long to wait for a 429. */
  private failure(cause: unknown, signal: AbortSignal, timeoutMs: number): FailureReason {
    if (cause instanceof DatadogHttpError) {
      const message = errorBodyMessage(cause.body);
      const limited = cause.status === 429;
      const what = limited ? "rate limited (HTTP 429)" : `HTTP ${cause.status}`;
      return {
        reason: message === "" ? what : `${what}: ${message}`,
        retryAfter: limited ? retryAfterMs(cause.headers) : undefined,
      };
    }
    const message = cause instanceof Error ? cause.message : String(cause);
    if (signal.aborted) return { reason: `timed out after ${timeoutMs} ms`, retryAfter: undefined };
    if (cause instanceof DatadogNetworkError)
      return { reason: `request failed: ${message}`, retryAfter: undefined };
    // The transport answered 2xx; the client could not deserialize the body.
    return { reason: `malformed response: ${message}`, retryAfter: undefined };
  }

  private read(query: string, body: Parameters<typeof readQueryResponse>[0], window: TimeWindow): Fetched {
    const answer = readQueryResponse(body);
    if (answer.kind === "malformed") {
      return this.error(query, { reason: `malformed response: ${answer.problem}`, retryAfter: undefined });
    }
    if (answer.kind === "not-ok") {
      return this.error(query, { reason: `Datadog: ${answer.message}`, retryAfter: undefined });
    }
    if (answer.series.length === 0) return { kind: "no-data" };
    for (const s of answer.series) {
      const problem = seriesProblem(s.pointlist);
      if (problem === undefined) continue;
      this.logger?.warn({ query, problem, origin: this.origin }, "datadog returned impossible points");
      return { kind: "invalid", reason: problem };
    }
    return {
      kind: "series",
      series: answer.series.map((s) => ({
        group: s.group,
        points: completePoints(s.pointlist, s.interval, window),
      })),
    };
  }

  private error(query: string, { reason, retryAfter }: FailureReason): ErrorResult {
    this.logger?.warn(
      { query, reason, retryAfterMs: retryAfter, origin: this.origin },
      "datadog query failed",
    );
    return { kind: "error", reason, retryAfterMs: retryAfter };
  }
}
