/**
 * The `Metrics` port on the Prometheus HTTP API (DESIGN §5, `type: PROMETHEUS`): `/api/v1/query` where
 * the window is one value, `/api/v1/query_range` where it is several (evaluation-plan.ts), with `fetch`.
 * Works against Prometheus itself and the servers that speak its API (Thanos, Mimir, Cortex, VictoriaMetrics,
 * Amazon Managed Prometheus behind a signing proxy).
 *
 * Contract: `query` and `queryAll` never reject for anything Prometheus or the network does.
 * - Errors are `{kind: "error"}` (neither pass nor fail; repeated ones pause the analysis and ask people):
 *   an error envelope (`bad_data`, `timeout`, `execution`, …), any non-2xx status (400, 422, 503, a
 *   proxy's 502), a connection failure, the metric's timeout (the request is aborted), a malformed body,
 *   and a query that returns several series — the analysis reads one, and summing or concatenating
 *   them silently is how a regression on one label hides; the error names the query and the label sets.
 *   A 429 (managed Prometheus services rate-limit) carries `Retry-After` as `retryAfterMs`.
 * - No data is `{kind: "no-data"}`, never a pass and never a zero: an empty result, and a series whose
 *   samples are all gone. Prometheus leaves a stale series out (a staleness marker after its target
 *   vanished, or no sample within the lookback, 5 minutes by default), so staleness arrives as missing
 *   samples; `NaN` (0/0 when nothing happened) is no data for that step.
 * - `+Inf`/`-Inf` is `{kind: "invalid"}` (a DATA_ERROR tick: never used, never a pass): Prometheus writes
 *   it for a division by zero (errors over zero requests) and for `histogram_quantile` above the
 *   histogram's highest finite bucket, where the true value is unknown. Judging it as a number would
 *   fail a healthy canary on a division by zero or pass one whose latency is off the scale.
 * - Two samples at one instant in one series is `{kind: "invalid"}` too (analysis/data-quality.ts).
 *
 * Every request is bounded by the metric's timeout: the fetch is aborted, and Prometheus is asked to
 * give up at the same time (`timeout=`). Warnings in an answer are logged, not judged.
 *
 * Secrets arrive as strings (the caller resolves them with `readSecret` from `src/config/`); the
 * provider reads no environment and no files, and never logs them.
 */
import { seriesProblem } from "../../analysis/data-quality.js";
import { KanariaError } from "../../domain/kanaria-error.js";
import type { Logger } from "../../engine/logger.js";
import type { Clock, MetricQuery, MetricQueryResult, Metrics } from "../../ports.js";
import { queryEachAlone } from "../metrics-from-query.js";
import { type EvaluationPlan, evaluationPlan, isPlannedInstant, promSeconds } from "./evaluation-plan.js";
import {
  envelopeSchema,
  formatLabels,
  type PromSeries,
  queryDataSchema,
  seriesOf,
} from "./prometheus-response.js";

/**
 * What Prometheus really delivers: a sample is in the TSDB once it is scraped, so the newest one is up
 * to one scrape interval old (15 s in Prometheus's example config and the common Helm charts), and a
 * recorded series (`record:` rules, what dashboards and canary queries often read) is written one rule
 * evaluation later (15 s by default there). 30 s covers both; a team scraping every 30 s or 1 min sets
 * `lag` to about twice its scrape interval.
 */
export const DEFAULT_PROMETHEUS_LAG_MS = 30_000;

export type FetchFn = (url: string, init: RequestInit) => Promise<Response>;

export interface PrometheusMetricsOptions {
  /** The server's base URL, path prefix included: `https://prometheus.example.com`, `…/api/prom`. */
  address: string;
  basicAuth?: { username: string; password: string } | undefined;
  /** Sent as `Authorization: Bearer …`; not with `basicAuth`. */
  bearerToken?: string | undefined;
  /** Sent with every request (a tenant header such as `X-Scope-OrgID`). */
  headers?: Readonly<Record<string, string>> | undefined;
  /** World time: the lag is measured back from `clock.now()`. */
  clock: Clock;
  /** Windows end at least this long before now (default 30 s). */
  lagMs?: number | undefined;
  /** Default: the global `fetch`. */
  fetch?: FetchFn;
  /**
   * A signal that aborts after `ms` of *real* time (default `AbortSignal.timeout`): a timeout guards
   * against a hung network, not the world clock (see DatadogMetrics). Tests pass one they abort.
   */
  timeoutSignal?: (ms: number) => AbortSignal;
  logger?: Pick<Logger, "warn">;
}

type ErrorResult = Extract<MetricQueryResult, { kind: "error" }>;

export class PrometheusMetrics implements Metrics {
  private readonly base: string;
  private readonly requestHeaders: Record<string, string>;
  private readonly clock: Clock;
  private readonly lagMs: number;
  private readonly fetchFn: FetchFn;
  private readonly timeoutSignal: (ms: number) => AbortSignal;
  private readonly logger: Pick<Logger, "warn"> | undefined;

  constructor(options: PrometheusMetricsOptions) {
    let url: URL;
    try {
      url = new URL(options.address);
    } catch {
      throw new KanariaError(
        "PROMETHEUS_INVALID_ADDRESS",
        `Prometheus address ${options.address} is not a URL`,
      );
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new KanariaError(
        "PROMETHEUS_INVALID_ADDRESS",
        `Prometheus address ${options.address} is not http(s)`,
      );
    }
    if (options.basicAuth && options.bearerToken !== undefined) {
      throw new KanariaError(
        "PROMETHEUS_TWO_AUTHS",
        "Prometheus takes basic auth or a bearer token, not both",
      );
    }
    const lagMs = options.lagMs ?? DEFAULT_PROMETHEUS_LAG_MS;
    if (!Number.isFinite(lagMs) || lagMs < 0) {
      throw new KanariaError(
        "PROMETHEUS_INVALID_LAG",
        `Prometheus lag must be a non-negative number of ms, not ${lagMs}`,
      );
    }
    this.base = `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
    this.requestHeaders = { accept: "application/json", ...options.headers };
    if (options.basicAuth) {
      const { username, password } = options.basicAuth;
      this.requestHeaders.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
    }
    if (options.bearerToken !== undefined)
      this.requestHeaders.authorization = `Bearer ${options.bearerToken}`;
    this.clock = options.clock;
    this.lagMs = lagMs;
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
    this.timeoutSignal = options.timeoutSignal ?? ((ms) => AbortSignal.timeout(ms));
    this.logger = options.logger;
  }

  /** This provider's lag, whatever name the router knows it by. */
  /** Queries are evaluated at any instant, so an analysis need not wait for a whole minute to start. */
  alignmentMsOf(): number {
    return 1000;
  }

  lagMsOf(): number {
    return this.lagMs;
  }

  async query(request: MetricQuery): Promise<MetricQueryResult> {
    if (!(request.to > request.from)) {
      throw new KanariaError(
        "PROMETHEUS_INVALID_WINDOW",
        `metric window must end after it starts (from ${request.from}, to ${request.to})`,
      );
    }
    const plan = evaluationPlan(request.from, request.to, this.clock.now(), this.lagMs);
    const signal = this.timeoutSignal(request.timeoutMs);
    try {
      return await this.send(request, plan, signal);
    } catch (cause) {
      const reason = signal.aborted
        ? `timed out after ${request.timeoutMs} ms`
        : `request failed: ${describeCause(cause)}`;
      return this.error(request.query, reason, undefined);
    }
  }

  /** Prometheus has nothing to gain from batching: one request per query, concurrently. */
  queryAll(requests: readonly MetricQuery[]): Promise<MetricQueryResult[]> {
    return queryEachAlone(this, requests);
  }

  private async send(
    request: MetricQuery,
    plan: EvaluationPlan,
    signal: AbortSignal,
  ): Promise<MetricQueryResult> {
    const { query } = request;
    const params = new URLSearchParams({ query });
    if (plan.kind === "instant") params.set("time", promSeconds(plan.endMs));
    else {
      params.set("start", promSeconds(plan.startMs));
      params.set("end", promSeconds(plan.endMs));
      params.set("step", promSeconds(plan.stepMs));
    }
    params.set("timeout", `${Math.max(1, Math.ceil(request.timeoutMs))}ms`);
    const path = plan.kind === "instant" ? "/api/v1/query" : "/api/v1/query_range";
    const response = await this.fetchFn(`${this.base}${path}?${params}`, {
      method: "GET",
      headers: this.requestHeaders,
      signal,
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const envelope = envelopeSchema.safeParse(json);
    if (
      response.status < 200 ||
      response.status > 299 ||
      (envelope.success && envelope.data.status === "error")
    ) {
      const what = `HTTP ${response.status}`;
      const body = envelope.success
        ? `${envelope.data.errorType ?? "error"}: ${envelope.data.error ?? "(no message)"}`
        : text.trim().slice(0, 200);
      const retryAfter =
        response.status === 429 ? retryAfterMs(response.headers.get("retry-after")) : undefined;
      return this.error(
        query,
        body === "" ? `Prometheus ${what}` : `Prometheus ${body} (${what})`,
        retryAfter,
      );
    }
    if (!envelope.success)
      return this.error(query, `malformed response: ${issueText(envelope.error)}`, undefined);
    for (const warning of envelope.data.warnings ?? []) {
      this.logger?.warn({ query, warning, origin: this.base }, "prometheus answered with a warning");
    }
    const data = queryDataSchema.safeParse(envelope.data.data);
    if (!data.success)
      return this.error(query, `malformed response: data.${issueText(data.error)}`, undefined);
    if (data.data.resultType === "string") {
      return this.error(query, "the query returns a string, not a number", undefined);
    }
    const parsed = seriesOf(data.data);
    if ("malformed" in parsed) return this.error(query, `malformed response: ${parsed.malformed}`, undefined);
    return this.judge(query, plan, parsed.series);
  }

  /** One series' points, or why there are none (see the module comment). */
  private judge(query: string, plan: EvaluationPlan, series: PromSeries[]): MetricQueryResult {
    const withSamples = series.filter((s) => s.samples.length > 0);
    if (withSamples.length === 0) return { kind: "no-data" };
    if (withSamples.length > 1) {
      const shown = withSamples.slice(0, 3).map((s) => formatLabels(s.metric));
      const more = withSamples.length > 3 ? ` and ${withSamples.length - 3} more` : "";
      return this.error(
        query,
        `the query returns ${withSamples.length} series where one is needed (${shown.join(", ")}${more}); aggregate it, e.g. sum(…) or sum by () (…)`,
        undefined,
      );
    }
    const samples = (withSamples[0] as PromSeries).samples.filter(([at]) => isPlannedInstant(plan, at));
    const infinite = samples.find(
      ([, value]) => value === Number.POSITIVE_INFINITY || value === Number.NEGATIVE_INFINITY,
    );
    if (infinite) {
      const reason =
        `value ${infinite[1] > 0 ? "+Inf" : "-Inf"} at ${new Date(infinite[0]).toISOString()}: ` +
        "a division by zero, or a histogram_quantile above the highest finite bucket; not a number to judge";
      this.logger?.warn({ query, reason, origin: this.base }, "prometheus returned an infinite value");
      return { kind: "invalid", reason };
    }
    const points = samples
      .filter(([, value]) => !Number.isNaN(value))
      .map(([at, value]): [number, number] => [Math.round(at - plan.stepMs), value])
      .sort((a, b) => a[0] - b[0]);
    const problem = seriesProblem(points);
    if (problem !== undefined) {
      this.logger?.warn({ query, problem, origin: this.base }, "prometheus returned impossible points");
      return { kind: "invalid", reason: problem };
    }
    return points.length > 0 ? { kind: "points", points } : { kind: "no-data" };
  }

  private error(query: string, reason: string, retryAfter: number | undefined): ErrorResult {
    this.logger?.warn(
      { query, reason, retryAfterMs: retryAfter, origin: this.base },
      "prometheus query failed",
    );
    return { kind: "error", reason, retryAfterMs: retryAfter };
  }
}

/** `Retry-After` in seconds (the form rate limiters send); undefined when absent or an HTTP date. */
function retryAfterMs(raw: string | null): number | undefined {
  if (raw === null || !/^\d+(\.\d+)?$/.test(raw.trim())) return undefined;
  return Math.round(Number(raw.trim()) * 1000);
}

function issueText(error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> }): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.map(String).join(".") || "(body)"}: ${issue.message}` : "unexpected shape";
}

/** Node's fetch hides the socket's error (ECONNREFUSED, …) in `cause`. */
function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner = cause.cause instanceof Error ? `: ${cause.cause.message}` : "";
  return `${cause.message}${inner}`;
}
