/**
 * The sandbox Prometheus: `GET` or `POST` (form body) `/api/v1/query` and `/api/v1/query_range` on
 * loopback, answering from the sandbox metric store's scrape record and minutes, sampled as a Prometheus
 * scraping every 15 s would hold them (prometheus-series.ts), in the Prometheus HTTP API's
 * shapes, so that the real provider (providers/prometheus) is exercised over HTTP (DESIGN §8). A request
 * goes through:
 *
 * 1. routing (404 elsewhere, 405 for other methods);
 * 2. authentication when the server was given credentials: `Authorization: Bearer …` or `Basic …` must
 *    match, else 401 (what the proxy in front of a real Prometheus answers);
 * 3. injected latency and faults (prometheus-faults.ts);
 * 4. parameters: a bad one is 400 `bad_data` with Prometheus's wording;
 * 5. the query (prometheus-promql-parser.ts: a subset; anything else is 400 `bad_data`, as a parse error
 *    is in Prometheus), evaluated at each step over the data that has been ingested (the faults' lag).
 *
 * Answers: `{"status": "success", "data": {"resultType": "vector" | "matrix" | "scalar", "result": …}}`
 * with `[unixSeconds, "value"]` samples and `"NaN"`/`"+Inf"`/`"-Inf"` for the special values.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { parseGoDuration } from "../src/config/duration.js";
import type { Clock } from "../src/ports.js";
import { ERROR_STATUS, PrometheusFaults } from "./prometheus-faults.js";
import {
  evaluateAt,
  formatPromValue,
  labelKey,
  lookbehindMs,
  metricNames,
  type PromValue,
} from "./prometheus-promql-eval.js";
import { type PromExpr, PromqlParseError, parsePromql } from "./prometheus-promql-parser.js";
import { type PromLabels, type PromSeriesData, type PromSource, promSeries } from "./prometheus-series.js";
import { closeServer, delay, listen, readBody } from "./sandbox-http.js";

/** Prometheus refuses range queries of more points than this per series. */
const MAX_POINTS = 11_000;

export interface PrometheusRequestRecord {
  atMs: number;
  path: string;
  params: Record<string, string>;
  authorization: string | undefined;
  status?: number;
}

export interface PrometheusServerDeps {
  source: PromSource;
  /** World time: ingestion lag and fault windows are measured on it. */
  clock: Clock;
  faults: PrometheusFaults;
  log: PrometheusRequestRecord[];
  /** When given, requests must carry exactly this `Authorization` header. */
  authorization?: string;
}

type Answer = { status: number; body: unknown; html?: boolean } | "hang" | "reset";

export function createPrometheusServer(deps: PrometheusServerDeps): Server {
  return createServer((request, response) => {
    void answer(deps, request).then(
      (result) => send(request, response, result),
      (error: unknown) =>
        send(request, response, { status: 500, body: failure("internal", `sandbox bug: ${String(error)}`) }),
    );
  });
}

function send(request: IncomingMessage, response: ServerResponse, result: Answer): void {
  if (result === "hang") return;
  if (result === "reset") {
    request.socket.resetAndDestroy();
    return;
  }
  const text = result.html ? String(result.body) : JSON.stringify(result.body);
  response.writeHead(result.status, {
    "content-type": result.html ? "text/html" : "application/json",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}

function failure(errorType: string, error: string): unknown {
  return { status: "error", errorType, error };
}

async function answer(deps: PrometheusServerDeps, request: IncomingMessage): Promise<Answer> {
  const url = new URL(request.url ?? "/", "http://sandbox.invalid");
  const params = new URLSearchParams(url.searchParams);
  if (request.method === "POST") {
    for (const [k, v] of new URLSearchParams(await readBody(request))) params.append(k, v);
  }
  const record: PrometheusRequestRecord = {
    atMs: deps.clock.now(),
    path: url.pathname,
    params: Object.fromEntries(params),
    authorization: request.headers.authorization,
  };
  deps.log.push(record);
  const result = await route(deps, request, url.pathname, params);
  if (typeof result === "object") record.status = result.status;
  return result;
}

async function route(
  deps: PrometheusServerDeps,
  request: IncomingMessage,
  path: string,
  params: URLSearchParams,
): Promise<Answer> {
  if (path !== "/api/v1/query" && path !== "/api/v1/query_range")
    return { status: 404, body: "404 page not found", html: true };
  if (request.method !== "GET" && request.method !== "POST")
    return { status: 405, body: "Method Not Allowed", html: true };
  if (deps.authorization !== undefined && request.headers.authorization !== deps.authorization)
    return { status: 401, body: "Unauthorized", html: true };

  await delay(deps.faults.latencyMs());
  const fault = deps.faults.take(deps.clock.now());
  if (fault?.kind === "hang" || fault?.kind === "reset") return fault.kind;
  if (fault?.kind === "bad-gateway")
    return { status: 502, body: "<html><body><h1>502 Bad Gateway</h1></body></html>", html: true };
  if (fault?.kind === "error")
    return { status: ERROR_STATUS[fault.errorType], body: failure(fault.errorType, fault.message) };

  const query = params.get("query");
  if (query === null || query === "")
    return badData('invalid parameter "query": unknown position: parse error: no expression found in input');
  let expr: PromExpr;
  try {
    expr = parsePromql(query);
  } catch (error) {
    if (!(error instanceof PromqlParseError)) throw error;
    return badData(`invalid parameter "query": 1:${error.column}: parse error: ${error.message}`);
  }
  if (path === "/api/v1/query") {
    const raw = params.get("time");
    const at = raw === null ? deps.clock.now() : timestampMs(raw);
    if (at === undefined)
      return badData(`invalid parameter "time": cannot parse "${raw}" to a valid timestamp`);
    const value = evaluateAt(expr, at, lookup(deps, expr, at, at));
    return { status: 200, body: { status: "success", data: instantData(value, at) } };
  }
  const start = timestampMs(params.get("start") ?? "");
  if (start === undefined)
    return badData(
      `invalid parameter "start": cannot parse "${params.get("start") ?? ""}" to a valid timestamp`,
    );
  const end = timestampMs(params.get("end") ?? "");
  if (end === undefined)
    return badData(`invalid parameter "end": cannot parse "${params.get("end") ?? ""}" to a valid timestamp`);
  if (end < start) return badData('invalid parameter "end": end timestamp must not be before start time');
  const step = durationMs(params.get("step") ?? "");
  if (step === undefined)
    return badData(
      `invalid parameter "step": cannot parse "${params.get("step") ?? ""}" to a valid duration`,
    );
  if (step <= 0)
    return badData("zero or negative query resolution step widths are not accepted. Try a positive integer");
  if ((end - start) / step > MAX_POINTS)
    return badData(
      "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)",
    );
  const read = lookup(deps, expr, start, end);
  const series = new Map<string, { metric: PromLabels; values: Array<[number, string]> }>();
  for (let at = start; at <= end; at += step) {
    const value = evaluateAt(expr, at, read);
    const samples = value.kind === "scalar" ? [{ labels: {}, value: value.value }] : value.samples;
    for (const sample of samples) {
      const key = labelKey(sample.labels);
      const one = series.get(key) ?? { metric: sample.labels, values: [] };
      one.values.push([at / 1000, formatPromValue(sample.value)]);
      series.set(key, one);
    }
  }
  return {
    status: 200,
    body: { status: "success", data: { resultType: "matrix", result: [...series.values()] } },
  };
}

/** One read of every series the expression names, over what its evaluations between `from` and `to` need. */
function lookup(
  deps: PrometheusServerDeps,
  expr: PromExpr,
  fromMs: number,
  toMs: number,
): (name: string) => PromSeriesData[] {
  const data = deps.faults.dataSettings();
  const visibility = { visibleUntilMs: deps.clock.now() - data.lagMs, gapMinutes: data.gapMinutes };
  const cache = new Map<string, PromSeriesData[]>();
  for (const name of new Set(metricNames(expr))) {
    cache.set(name, promSeries(deps.source, name, fromMs - lookbehindMs(expr) - 60_000, toMs, visibility));
  }
  return (name) => cache.get(name) ?? [];
}

function instantData(value: PromValue, atMs: number): unknown {
  if (value.kind === "scalar")
    return { resultType: "scalar", result: [atMs / 1000, formatPromValue(value.value)] };
  return {
    resultType: "vector",
    result: value.samples.map((s) => ({ metric: s.labels, value: [atMs / 1000, formatPromValue(s.value)] })),
  };
}

function badData(error: string): Answer {
  return { status: 400, body: failure("bad_data", error) };
}

/** Unix seconds (a float) or RFC 3339, as Prometheus accepts; ms. */
function timestampMs(raw: string): number | undefined {
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Math.round(Number(raw) * 1000);
  if (/^\d{4}-\d{2}-\d{2}T/.test(raw)) {
    const ms = Date.parse(raw);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

/** Float seconds or a Prometheus duration (`1m`, `30s`); ms. */
function durationMs(raw: string): number | undefined {
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw) * 1000;
  return parseGoDuration(raw);
}

export interface SandboxPrometheusOptions {
  source: PromSource;
  clock: Clock;
  /** Default: a fresh PrometheusFaults (no lag, no faults). */
  faults?: PrometheusFaults;
  /** When given, the exact `Authorization` header every request must carry. */
  authorization?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
}

export interface SandboxPrometheus {
  /** The provider's `address`, e.g. `http://127.0.0.1:41234`. */
  url: string;
  faults: PrometheusFaults;
  requests: PrometheusRequestRecord[];
  server: Server;
  /** Stops listening and drops open connections (hung requests included). */
  close(): Promise<void>;
}

/** Starts the sandbox Prometheus on loopback. */
export async function startSandboxPrometheus(options: SandboxPrometheusOptions): Promise<SandboxPrometheus> {
  const faults = options.faults ?? new PrometheusFaults();
  const requests: PrometheusRequestRecord[] = [];
  const server = createPrometheusServer({
    source: options.source,
    clock: options.clock,
    faults,
    log: requests,
    ...(options.authorization !== undefined ? { authorization: options.authorization } : {}),
  });
  const url = await listen(server, options.host ?? "127.0.0.1", options.port ?? 0);
  return { url, faults, requests, server, close: () => closeServer(server) };
}
