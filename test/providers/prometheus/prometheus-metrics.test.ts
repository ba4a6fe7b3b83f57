/**
 * PrometheusMetrics against the HTTP API as the Prometheus documentation specifies it (envelope,
 * `resultType` matrix / vector / scalar, `[unixSeconds, "value"]` samples, "NaN"/"+Inf"/"-Inf"), over
 * real HTTP on loopback: what it asks (instant vs range, lag, step, timeout, auth headers) and how it
 * reads every kind of answer.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { MetricQuery } from "../../../src/ports.js";
import {
  DEFAULT_PROMETHEUS_LAG_MS,
  PrometheusMetrics,
} from "../../../src/providers/prometheus/prometheus-metrics.js";
import { FakeClock } from "../../fakes/fake-clock.js";
import {
  failure,
  type ScriptedPrometheus,
  startScriptedPrometheus,
  success,
} from "./prometheus-api-fixture.js";

const MINUTE = 60_000;
const QUERY = 'sum(rate(http_requests_total{app="web",variant="canary"}[1m]))';

let server: ScriptedPrometheus;
let clock: FakeClock;

beforeEach(async () => {
  server = await startScriptedPrometheus();
  clock = new FakeClock(Date.UTC(2026, 10, 22, 9, 10, 0));
});
afterEach(() => server.close());

function provider(
  extra: Partial<ConstructorParameters<typeof PrometheusMetrics>[0]> = {},
): PrometheusMetrics {
  return new PrometheusMetrics({ address: server.url, clock, ...extra });
}

/** A tick's window ending now: `minutes` long. */
function request(minutes: number, query = QUERY): MetricQuery {
  const to = clock.now();
  return { provider: "prom", query, from: to - minutes * MINUTE, to, timeoutMs: 5_000 };
}

const seconds = (ms: number) => ms / 1000;

describe("what the provider asks", () => {
  it("asks /api/v1/query at the window's end minus the lag for a one-step window", async () => {
    server.answer({ body: success({ resultType: "vector", result: [] }) });
    await provider().query(request(1));
    const [seen] = server.seen;
    expect(seen?.path).toBe("/api/v1/query");
    expect(seen?.params.get("query")).toBe(QUERY);
    expect(Number(seen?.params.get("time"))).toBe(seconds(clock.now() - DEFAULT_PROMETHEUS_LAG_MS));
    expect(seen?.params.get("timeout")).toBe("5000ms");
    expect(seen?.params.has("step")).toBe(false);
  });

  it("asks /api/v1/query_range with a 60 s step from the first step's end for a longer window", async () => {
    await provider({ lagMs: 45_000 }).query(request(5));
    const [seen] = server.seen;
    const end = clock.now() - 45_000;
    expect(seen?.path).toBe("/api/v1/query_range");
    expect(Number(seen?.params.get("end"))).toBe(seconds(end));
    expect(Number(seen?.params.get("start"))).toBe(seconds(end - 4 * MINUTE));
    expect(seen?.params.get("step")).toBe("60");
  });

  it("tiles a 90 s window with two 45 s steps", async () => {
    await provider({ lagMs: 0 }).query({ ...request(1), from: clock.now() - 90_000 });
    expect(server.seen[0]?.params.get("step")).toBe("45");
    expect(Number(server.seen[0]?.params.get("start"))).toBe(seconds(clock.now() - 45_000));
  });

  it("moves a window that ends after now − lag further back, in whole seconds", async () => {
    const to = clock.now() + 10_500;
    await provider({ lagMs: 30_000 }).query({ ...request(1), from: to - MINUTE, to });
    // 40.5 s too late → moved back 41 s: the end is 30.5 s before now.
    expect(Number(server.seen[0]?.params.get("time"))).toBe(seconds(to - 41_000));
  });

  it("sends basic auth, or a bearer token, and the extra headers, under the address's path prefix", async () => {
    const prefixed = new PrometheusMetrics({
      address: `${server.url}/api/prom/`,
      clock,
      basicAuth: { username: "grafana", password: "s3cret" },
      headers: { "X-Scope-OrgID": "team-a" },
    });
    await prefixed.query(request(1));
    const bearer = provider({ bearerToken: "tok-123" });
    await bearer.query(request(1));
    const [basic, token] = server.seen;
    expect(basic?.path).toBe("/api/prom/api/v1/query");
    expect(basic?.headers.authorization).toBe(`Basic ${Buffer.from("grafana:s3cret").toString("base64")}`);
    expect(basic?.headers["x-scope-orgid"]).toBe("team-a");
    expect(token?.headers.authorization).toBe("Bearer tok-123");
  });

  it("refuses basic auth together with a bearer token, and a bad address", () => {
    expect(() => provider({ bearerToken: "t", basicAuth: { username: "u", password: "p" } })).toThrow(
      /not both/,
    );
    expect(() => new PrometheusMetrics({ address: "prometheus:9090", clock })).toThrow(/not http/);
  });
});

describe("how it reads answers", () => {
  it("reads a vector's sample as one point at the start of its step", async () => {
    const at = seconds(clock.now() - DEFAULT_PROMETHEUS_LAG_MS);
    server.answer({ body: success({ resultType: "vector", result: [{ metric: {}, value: [at, "0.25"] }] }) });
    expect(await provider().query(request(1))).toEqual({
      kind: "points",
      points: [[at * 1000 - MINUTE, 0.25]],
    });
  });

  it("reads a matrix's samples, drops NaN steps, and keeps only the planned instants", async () => {
    const end = seconds(clock.now() - DEFAULT_PROMETHEUS_LAG_MS);
    const values = [
      [end - 240, "1"],
      [end - 180, "NaN"],
      [end - 150, "7"], // not a step of the plan
      [end - 120, "2.5e-1"],
      [end - 60, "3"],
      [end, "4"],
    ];
    server.answer({ body: success({ resultType: "matrix", result: [{ metric: { app: "web" }, values }] }) });
    const result = await provider().query(request(5));
    expect(result).toEqual({
      kind: "points",
      points: [
        [(end - 300) * 1000, 1],
        [(end - 180) * 1000, 0.25],
        [(end - 120) * 1000, 3],
        [(end - 60) * 1000, 4],
      ],
    });
  });

  it("reads a scalar as one value", async () => {
    const at = seconds(clock.now() - DEFAULT_PROMETHEUS_LAG_MS);
    server.answer({ body: success({ resultType: "scalar", result: [at, "42"] }) });
    expect(await provider().query(request(1, "scalar(1)"))).toMatchObject({
      kind: "points",
      points: [[at * 1000 - MINUTE, 42]],
    });
  });

  it("answers no data for an empty result, a series without samples, and only NaN", async () => {
    const end = seconds(clock.now() - DEFAULT_PROMETHEUS_LAG_MS);
    server.answer({ body: success({ resultType: "matrix", result: [] }) });
    expect(await provider().query(request(5))).toEqual({ kind: "no-data" });
    server.answer({ body: success({ resultType: "matrix", result: [{ metric: {}, values: [] }] }) });
    expect(await provider().query(request(5))).toEqual({ kind: "no-data" });
    server.answer({ body: success({ resultType: "vector", result: [{ metric: {}, value: [end, "NaN"] }] }) });
    expect(await provider().query(request(1))).toEqual({ kind: "no-data" });
  });

  it("answers no data where the series went stale: Prometheus leaves its steps out", async () => {
    const end = seconds(clock.now() - DEFAULT_PROMETHEUS_LAG_MS);
    // The target vanished two minutes before the end: only the first three steps have samples.
    const values = [
      [end - 240, "5"],
      [end - 180, "5"],
      [end - 120, "5"],
    ];
    server.answer({ body: success({ resultType: "matrix", result: [{ metric: {}, values }] }) });
    const result = await provider().query(request(5));
    expect(result.kind === "points" && result.points.length).toBe(3);
  });

  it("makes +Inf and -Inf invalid data, never a number", async () => {
    const end = seconds(clock.now() - DEFAULT_PROMETHEUS_LAG_MS);
    for (const inf of ["+Inf", "-Inf"]) {
      server.answer({ body: success({ resultType: "vector", result: [{ metric: {}, value: [end, inf] }] }) });
      const result = await provider().query(request(1));
      expect(result.kind).toBe("invalid");
      expect(result.kind === "invalid" && result.reason).toContain(`value ${inf} at`);
    }
  });

  it("makes two samples at one instant invalid", async () => {
    const end = seconds(clock.now() - DEFAULT_PROMETHEUS_LAG_MS);
    const values = [
      [end - 60, "1"],
      [end - 60, "2"],
      [end, "3"],
    ];
    server.answer({ body: success({ resultType: "matrix", result: [{ metric: {}, values }] }) });
    const result = await provider().query(request(2));
    expect(result).toMatchObject({ kind: "invalid", reason: expect.stringContaining("two points") });
  });

  it("makes several series an error naming the query and the label sets", async () => {
    const end = seconds(clock.now() - DEFAULT_PROMETHEUS_LAG_MS);
    const result = [
      { metric: { code: "500" }, value: [end, "1"] },
      { metric: { code: "503" }, value: [end, "2"] },
    ];
    server.answer({ body: success({ resultType: "vector", result }) });
    const answer = await provider().query(request(1, 'rate(http_requests_total{code=~"5.."}[1m])'));
    expect(answer.kind).toBe("error");
    const reason = answer.kind === "error" ? answer.reason : "";
    expect(reason).toContain("2 series where one is needed");
    expect(reason).toContain('{code="500"}, {code="503"}');
  });

  it("logs warnings and still reads the data", async () => {
    const warnings: unknown[] = [];
    const end = seconds(clock.now() - DEFAULT_PROMETHEUS_LAG_MS);
    server.answer({
      body: success({ resultType: "vector", result: [{ metric: {}, value: [end, "1"] }] }, [
        "PromQL info: metric might not be a counter",
      ]),
    });
    const result = await provider({ logger: { warn: (fields: unknown) => warnings.push(fields) } }).query(
      request(1),
    );
    expect(result.kind).toBe("points");
    expect(warnings).toEqual([
      expect.objectContaining({ warning: "PromQL info: metric might not be a counter" }),
    ]);
  });
});

describe("errors: they never decide", () => {
  const cases: Array<[string, number, unknown, RegExp]> = [
    [
      "bad_data (400)",
      400,
      failure("bad_data", '1:5: parse error: unexpected "}"'),
      /^Prometheus bad_data: 1:5: parse error.*\(HTTP 400\)$/,
    ],
    [
      "execution (422)",
      422,
      failure("execution", "many-to-many matching not allowed"),
      /execution: many-to-many.*HTTP 422/,
    ],
    [
      "timeout (503)",
      503,
      failure("timeout", "query timed out in expression evaluation"),
      /timeout: query timed out.*HTTP 503/,
    ],
    ["unavailable (503)", 503, failure("unavailable", "TSDB not ready"), /unavailable.*HTTP 503/],
    ["an error envelope in a 200", 200, failure("internal", "boom"), /internal: boom \(HTTP 200\)/],
    ["a proxy's HTML page", 502, "<html>Bad Gateway</html>", /<html>Bad Gateway<\/html> \(HTTP 502\)/],
    [
      "a malformed body",
      200,
      { status: "success", data: { resultType: "matrix", result: [{ metric: {}, values: [[1, 2]] }] } },
      /malformed response/,
    ],
    [
      "a value that is not a number",
      200,
      success({ resultType: "vector", result: [{ metric: {}, value: [1, "abc"] }] }),
      /"abc" is not a number/,
    ],
    ["a string result", 200, success({ resultType: "string", result: [1, "hello"] }), /returns a string/],
  ];
  it.each(cases)("%s is an error value", async (_name, status, body, reason) => {
    server.answer({ status, body });
    const result = await provider().query(request(1));
    expect(result.kind).toBe("error");
    expect(result.kind === "error" ? result.reason : "").toMatch(reason);
  });

  it("passes a 429's Retry-After on", async () => {
    server.answer({ status: 429, body: "too many requests", headers: { "retry-after": "12" } });
    expect(await provider().query(request(1))).toMatchObject({ kind: "error", retryAfterMs: 12_000 });
  });

  it("aborts a request that outlives the metric's timeout", async () => {
    server.answer({ body: null, hang: true });
    let abort: (() => void) | undefined;
    const pending = provider({
      timeoutSignal: () => {
        const controller = new AbortController();
        abort = () => controller.abort();
        return controller.signal;
      },
    }).query(request(1));
    while (server.seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    abort?.();
    expect(await pending).toEqual({
      kind: "error",
      reason: "timed out after 5000 ms",
      retryAfterMs: undefined,
    });
  });

  it("makes a refused connection an error", async () => {
    const address = server.url;
    await server.close();
    const result = await new PrometheusMetrics({ address, clock }).query(request(1));
    expect(result.kind).toBe("error");
    expect(result.kind === "error" ? result.reason : "").toMatch(
      /^request failed: fetch failed: .*ECONNREFUSED/,
    );
    server = await startScriptedPrometheus();
  });

  it("answers each of a batch on its own", async () => {
    const end = seconds(clock.now() - DEFAULT_PROMETHEUS_LAG_MS);
    server.answer({ body: success({ resultType: "vector", result: [{ metric: {}, value: [end, "1"] }] }) });
    const results = await provider().queryAll([request(1, "a"), request(1, "b")]);
    expect(results.map((r) => r.kind)).toEqual(["points", "points"]);
    expect(server.seen.map((s) => s.params.get("query"))).toEqual(["a", "b"]);
  });
});
