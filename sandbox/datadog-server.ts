/**
 * The sandbox Datadog: `GET /api/v1/query?from=&to=&query=` (seconds) on loopback, answering from the
 * sandbox metric store the way Datadog's v1 API does, so the real `@datadog/datadog-api-client` is
 * exercised over HTTP (DESIGN §8). A request goes through:
 *
 * 1. routing (404 elsewhere, 405 for other methods);
 * 2. authentication: `DD-API-KEY` and `DD-APPLICATION-KEY` must be present (and equal `keys` when
 *    given), else 403 `{"errors": ["Forbidden"]}`;
 * 3. injected latency and faults (datadog-faults.ts): hang, 429, 5xx, `status: "error"` in a 200;
 * 4. the rate limit on the world clock: every answer carries `X-RateLimit-Limit/Period/Remaining/Reset`,
 *    over the limit is a 429;
 * 5. parameters and the query: a bad one is 400 `{"errors": ["Error parsing query: …"]}`;
 * 6. evaluation over the metric store with the data settings (lag, partial bucket, gaps).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Clock } from "../src/ports.js";
import { DatadogFaults, DatadogRateLimiter, rateLimitHeaders } from "./datadog-faults.js";
import type { MetricSource } from "./datadog-metric-source.js";
import { evaluateQuery } from "./datadog-query-eval.js";
import { parseQuery, type QueryExpr, QueryParseError } from "./datadog-query-parser.js";
import { DatadogRequestLog } from "./datadog-request-log.js";
import { errorsBody, okBody, type QueryEcho, statusErrorBody } from "./datadog-response-body.js";
import { closeServer, delay, listen } from "./sandbox-http.js";

export interface DatadogServerDeps {
  /** The metric store (or anything with its `seriesByTagSet`). */
  source: MetricSource;
  /** World time: ingestion lag and rate-limit periods are measured on it. */
  clock: Clock;
  faults: DatadogFaults;
  log: DatadogRequestLog;
  /** When given, only these keys are accepted; otherwise any non-empty pair. */
  keys?: { apiKey: string; applicationKey: string };
  /** See `SandboxDatadogOptions.publishedUntil`. */
  publishedUntil?: (nowMs: number) => number;
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export function createDatadogServer(deps: DatadogServerDeps): Server {
  const limiter = new DatadogRateLimiter();
  return createServer((request, response) => {
    void answer(deps, limiter, request).then(
      (result) => {
        if (result !== "hang") send(response, result);
      },
      (error: unknown) => send(response, { status: 500, body: errorsBody(`sandbox bug: ${String(error)}`) }),
    );
  });
}

function send(response: ServerResponse, { status, body, headers }: Answer): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

async function answer(
  deps: DatadogServerDeps,
  limiter: DatadogRateLimiter,
  request: IncomingMessage,
): Promise<Answer | "hang"> {
  const url = new URL(request.url ?? "/", "http://sandbox.invalid");
  const record = deps.log.arrive({
    atMs: deps.clock.now(),
    method: request.method ?? "GET",
    path: url.pathname,
    query: url.searchParams.get("query") ?? undefined,
  });
  const result = await route(deps, limiter, request, url);
  if (result !== "hang") record.status = result.status;
  return result;
}

async function route(
  deps: DatadogServerDeps,
  limiter: DatadogRateLimiter,
  request: IncomingMessage,
  url: URL,
): Promise<Answer | "hang"> {
  if (url.pathname !== "/api/v1/query") return { status: 404, body: errorsBody("Not found") };
  if (request.method !== "GET") return { status: 405, body: errorsBody("Method Not Allowed") };
  if (!authenticated(request, deps.keys)) return { status: 403, body: errorsBody("Forbidden") };

  const { faults } = deps;
  await delay(faults.latencyMs());
  const fault = faults.take();
  if (fault?.kind === "hang") return "hang";
  const limits = faults.rateLimitSettings();
  if (fault?.kind === "rate-limit") {
    return {
      status: 429,
      body: errorsBody(rateLimitMessage(limits.limit, limits.periodSeconds)),
      headers: rateLimitHeaders(limits, 0, fault.resetSeconds),
    };
  }
  if (fault?.kind === "server-error") {
    return { status: fault.status, body: errorsBody(SERVER_ERRORS[fault.status]) };
  }
  const admitted = limiter.admit(deps.clock.now(), limits);
  if (!admitted.allowed) {
    return {
      status: 429,
      body: errorsBody(rateLimitMessage(limits.limit, limits.periodSeconds)),
      headers: admitted.headers,
    };
  }

  const parsed = parseParameters(url.searchParams);
  if ("error" in parsed) return { status: 400, body: errorsBody(parsed.error), headers: admitted.headers };
  const { echo, expr } = parsed;
  if (fault?.kind === "status-error") {
    return { status: 200, body: statusErrorBody(echo, fault.message), headers: admitted.headers };
  }
  const data = faults.dataSettings();
  const evaluation = evaluateQuery(expr, deps.source, {
    fromMs: echo.fromSeconds * 1000,
    toMs: echo.toSeconds * 1000,
    visibleUntilMs: Math.min(
      deps.clock.now() - data.lagMs,
      deps.publishedUntil?.(deps.clock.now()) ?? Number.POSITIVE_INFINITY,
    ),
    partialLastBucket: data.partialLastBucket,
    gapMinutes: data.gapMinutes,
    gapsAsNull: data.gapsAsNull,
  });
  return { status: 200, body: okBody(echo, evaluation), headers: admitted.headers };
}

const SERVER_ERRORS: Record<500 | 502 | 503 | 504, string> = {
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

function rateLimitMessage(limit: number, periodSeconds: number): string {
  return `Rate limit of ${limit} requests in ${periodSeconds} seconds reached. Please try again later.`;
}

function authenticated(request: IncomingMessage, keys: DatadogServerDeps["keys"]): boolean {
  const apiKey = request.headers["dd-api-key"];
  const applicationKey = request.headers["dd-application-key"];
  if (
    typeof apiKey !== "string" ||
    apiKey === "" ||
    typeof applicationKey !== "string" ||
    applicationKey === ""
  ) {
    return false;
  }
  return keys === undefined || (apiKey === keys.apiKey && applicationKey === keys.applicationKey);
}

function parseParameters(params: URLSearchParams): { echo: QueryEcho; expr: QueryExpr } | { error: string } {
  const seconds = (name: string): number | string => {
    const raw = params.get(name);
    if (raw === null) return `Missing required parameter '${name}'`;
    if (!/^\d+$/.test(raw)) return `Invalid value for parameter '${name}': expected seconds since the epoch`;
    return Number(raw);
  };
  const from = seconds("from");
  if (typeof from === "string") return { error: from };
  const to = seconds("to");
  if (typeof to === "string") return { error: to };
  const query = params.get("query");
  if (query === null || query.trim() === "") return { error: "Missing required parameter 'query'" };
  if (to < from) return { error: "Invalid time range: 'to' is before 'from'" };
  try {
    const expr = parseQuery(query);
    const groupBy = [...new Set(groupKeys(expr))];
    return { echo: { query, fromSeconds: from, toSeconds: to, groupBy }, expr };
  } catch (error) {
    if (!(error instanceof QueryParseError)) throw error;
    return {
      error: `Error parsing query: \n unable to parse ${query}: ${error.message} at '${error.rest}' (line 1, column ${error.column}).`,
    };
  }
}

function groupKeys(expr: QueryExpr): string[] {
  switch (expr.kind) {
    case "metric":
      return expr.groupBy;
    case "number":
      return [];
    case "negate":
      return groupKeys(expr.operand);
    case "binary":
      return [...groupKeys(expr.left), ...groupKeys(expr.right)];
  }
}

export interface SandboxDatadogOptions {
  source: MetricSource;
  clock: Clock;
  /** Default: a fresh DatadogFaults (no lag, partial last bucket on, 1600 queries per hour). */
  faults?: DatadogFaults;
  keys?: { apiKey: string; applicationKey: string };
  /**
   * When given, data at or after `publishedUntil(now)` has not arrived yet, on top of the faults' lag:
   * for data that arrives in batches, as Datadog's AWS integration brings CloudWatch's minutes once per
   * crawl. Default: no such limit (only the lag).
   */
  publishedUntil?: (nowMs: number) => number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
}

export interface SandboxDatadog {
  /** Base URL for the provider's `baseUrl`, e.g. `http://127.0.0.1:41234`. */
  url: string;
  faults: DatadogFaults;
  requests: DatadogRequestLog;
  server: Server;
  /** Stops listening and drops open connections (hung requests included). */
  close(): Promise<void>;
}

/** Starts the sandbox Datadog on loopback. */
export async function startSandboxDatadog(options: SandboxDatadogOptions): Promise<SandboxDatadog> {
  const faults = options.faults ?? new DatadogFaults();
  const requests = new DatadogRequestLog();
  const server = createDatadogServer({
    source: options.source,
    clock: options.clock,
    faults,
    log: requests,
    ...(options.keys ? { keys: options.keys } : {}),
    ...(options.publishedUntil ? { publishedUntil: options.publishedUntil } : {}),
  });
  const url = await listen(server, options.host ?? "127.0.0.1", options.port ?? 0);
  return { url, faults, requests, server, close: () => closeServer(server) };
}
