/**
 * The sandbox Prometheus over HTTP: the documented answer shapes, the PromQL subset over the metric
 * store's scrape record (counts, ratios, 0/0 and x/0, extrapolation, staleness, ingestion lag, gaps),
 * bad_data for what it does not understand, authentication and injected faults; and the real provider
 * reading it.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MetricStore } from "../../sandbox/metric-store.js";
import { type SandboxPrometheus, startSandboxPrometheus } from "../../sandbox/prometheus-server.js";
import { PrometheusMetrics } from "../../src/providers/prometheus/prometheus-metrics.js";
import { FakeClock } from "../fakes/fake-clock.js";

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
const WEB = { service: "web", env: "prd" };

let store: MetricStore;
let clock: FakeClock;
let prom: SandboxPrometheus;

beforeEach(async () => {
  store = new MetricStore();
  clock = new FakeClock(T0 + 5 * MINUTE);
  // Five minutes of traffic, spread evenly through each minute as the traffic model records it: v1 100
  // hits with 1 error a minute; v2 50 hits with 5 errors.
  const count = (metric: string, version: string, m: number, n: number) => {
    store.add(metric, { ...WEB, version }, m, n);
    store.scrapes.counter(metric, { ...WEB, version }).record(m, m + MINUTE, n);
  };
  for (let i = 0; i < 5; i++) {
    const m = T0 + i * MINUTE;
    count("trace.http.request.hits", "v1", m, 100);
    count("trace.http.request.errors", "v1", m, 1);
    count("trace.http.request.hits", "v2", m, 50);
    count("trace.http.request.errors", "v2", m, 5);
  }
  prom = await startSandboxPrometheus({ source: store, clock });
});
afterEach(() => prom.close());

async function get(path: string, params: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(`${prom.url}${path}?${new URLSearchParams(params)}`, { headers });
  const text = await response.text();
  return { status: response.status, body: text.startsWith("{") ? JSON.parse(text) : text };
}

const at = (minutes: number) => String((T0 + minutes * MINUTE) / 1000);
const errors = (version: string, range = "1m") =>
  `sum(increase(http_requests_total{app="web",version="${version}",code=~"5.."}[${range}]))`;
const total = (version: string, range = "1m") =>
  `sum(increase(http_requests_total{app="web",version="${version}"}[${range}]))`;

describe("queries", () => {
  it("answers an instant query with a vector of [unixSeconds, string] samples", async () => {
    const { status, body } = await get("/api/v1/query", { query: errors("v2"), time: at(3) });
    expect(status).toBe(200);
    expect(body).toEqual({
      status: "success",
      data: { resultType: "vector", result: [{ metric: {}, value: [Number(at(3)), "5"] }] },
    });
  });

  it("keeps label sets apart without aggregation, and drops the metric name under rate", async () => {
    const { body } = await get("/api/v1/query", {
      query: 'rate(http_requests_total{version="v1"}[1m])',
      time: at(2),
    });
    const result = body.data.result as Array<{ metric: Record<string, string>; value: [number, string] }>;
    expect(result.map((r) => r.metric)).toEqual([
      { app: "web", version: "v1", env: "prd", code: "500" },
      { app: "web", version: "v1", env: "prd", code: "200" },
    ]);
    // Four samples 45 s apart, extrapolated to the 60 s range (Prometheus's float order: last ulp aside).
    expect(Number(result[0]?.value[1])).toBeCloseTo(1 / 60, 15);
    expect(Number(result[1]?.value[1])).toBeCloseTo(99 / 60, 13);
  });

  it("answers a range query with a matrix, a ratio of two sums, at instants off the minute", async () => {
    const query = `${errors("v2")} / ${total("v2")}`;
    const { body } = await get("/api/v1/query_range", { query, start: at(1.5), end: at(3), step: "30s" });
    expect(body.data.resultType).toBe("matrix");
    expect(body.data.result).toEqual([
      {
        metric: {},
        values: [
          [Number(at(1.5)), "0.1"],
          [Number(at(2)), "0.1"],
          [Number(at(2.5)), "0.1"],
          [Number(at(3)), "0.1"],
        ],
      },
    ]);
  });

  it("extrapolates increase() as Prometheus does where the series ends inside the range", async () => {
    // At 5m30s the range (4m30s, 5m30s] holds the samples at 4m45s and 5m (1.25 errors apart): 15 s are
    // extrapolated back to the range's start, but only half an interval (7.5 s) past the series' end.
    const half = await get("/api/v1/query", { query: errors("v2", "1m"), time: at(5.5) });
    expect(half.body.data.result[0].value[1]).toBe(String(1.25 * (37.5 / 15)));
    // A range of one sample has no increase.
    const one = await get("/api/v1/query", { query: errors("v2", "1m"), time: at(5.9) });
    expect(one.body.data.result).toEqual([]);
  });

  it("writes 0/0 as NaN and x/0 as +Inf, and has no series where nothing was scraped (staleness)", async () => {
    const nan = await get("/api/v1/query", {
      query: `${errors("v1")} * 0 / (${total("v1")} * 0)`,
      time: at(2),
    });
    expect(nan.body.data.result[0].value[1]).toBe("NaN");
    const inf = await get("/api/v1/query", { query: `${errors("v1")} / (${total("v1")} * 0)`, time: at(2) });
    expect(inf.body.data.result[0].value[1]).toBe("+Inf");
    const stale = await get("/api/v1/query", { query: total("v1"), time: at(7) });
    expect(stale.body.data.result).toEqual([]);
  });

  it("hides samples that have not been ingested yet (lag) and samples in minutes nobody scraped (gaps)", async () => {
    const ok = 'http_requests_total{version="v1",code="200"}';
    prom.faults.setLag(2 * MINUTE);
    const late = await get("/api/v1/query", { query: total("v1"), time: at(5) });
    expect(late.body.data.result).toEqual([]);
    const early = await get("/api/v1/query", { query: total("v1", "3m"), time: at(3) });
    expect(early.body.data.result[0].value[1]).toBe("300");
    // The newest ingested sample is the one at now − lag (3m: 3 × 99 successes) …
    const last = await get("/api/v1/query", { query: ok, time: at(5) });
    expect(last.body.data.result[0].value[1]).toBe("297");
    // … and a millisecond more lag hides it, leaving the one at 2m45s.
    prom.faults.setLag(2 * MINUTE + 1);
    const older = await get("/api/v1/query", { query: ok, time: at(5) });
    expect(older.body.data.result[0].value[1]).toBe("272.25");

    prom.faults.setLag(0);
    prom.faults.addGap(T0 + 2 * MINUTE);
    // (2m, 3m] keeps only the sample at 3m: too few for an increase.
    const gap = await get("/api/v1/query", { query: total("v1"), time: at(3) });
    expect(gap.body.data.result).toEqual([]);
    // The counter kept counting while nobody scraped: a range around the gap still sees all of it.
    const across = await get("/api/v1/query", { query: total("v1", "3m"), time: at(3) });
    expect(across.body.data.result[0].value[1]).toBe("300");
    // An instant selector inside the gap finds the last sample before it (1m45s).
    const inside = await get("/api/v1/query", { query: ok, time: at(2.9) });
    expect(inside.body.data.result[0].value[1]).toBe(String(99 * 1.75));
  });

  it.each([
    [
      "an unsupported function",
      "histogram_quantile(0.99, x)",
      '1:1: parse error: function "histogram_quantile"',
    ],
    [
      "a bare range vector",
      "http_requests_total[5m]",
      "parse error: a range vector is only supported inside rate()",
    ],
    ["a broken matcher", 'http_requests_total{code=~"5.("}', "invalid regular expression"],
    ["an unclosed brace", 'sum(http_requests_total{app="web"', "parse error"],
  ])("answers %s with bad_data (400)", async (_name, query, words) => {
    const { status, body } = await get("/api/v1/query", { query, time: at(2) });
    expect(status).toBe(400);
    expect(body.status).toBe("error");
    expect(body.errorType).toBe("bad_data");
    expect(body.error).toContain(words);
  });

  it("answers bad parameters with bad_data in Prometheus's words", async () => {
    const bad = await get("/api/v1/query_range", { query: "1", start: at(3), end: at(2), step: "60" });
    expect(bad).toEqual({
      status: 400,
      body: {
        status: "error",
        errorType: "bad_data",
        error: 'invalid parameter "end": end timestamp must not be before start time',
      },
    });
    const step = await get("/api/v1/query_range", { query: "1", start: at(2), end: at(3), step: "0" });
    expect(step.body.error).toContain("zero or negative query resolution step");
  });
});

describe("auth and faults", () => {
  it("refuses a request without the configured Authorization header", async () => {
    const guarded = await startSandboxPrometheus({ source: store, clock, authorization: "Bearer sandbox" });
    try {
      const none = await fetch(`${guarded.url}/api/v1/query?query=1`);
      expect(none.status).toBe(401);
      const ok = await fetch(`${guarded.url}/api/v1/query?query=1`, {
        headers: { authorization: "Bearer sandbox" },
      });
      expect(ok.status).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it("injects error envelopes by count and over a window of world time", async () => {
    prom.faults.inject({ kind: "error", errorType: "execution", message: "boom" }, { times: 1 });
    const first = await get("/api/v1/query", { query: "1" });
    expect(first).toEqual({ status: 422, body: { status: "error", errorType: "execution", error: "boom" } });
    expect((await get("/api/v1/query", { query: "1" })).status).toBe(200);
    prom.faults.window(
      { kind: "error", errorType: "timeout", message: "query timed out" },
      clock.now(),
      clock.now() + MINUTE,
    );
    expect((await get("/api/v1/query", { query: "1" })).status).toBe(503);
    await clock.advance(MINUTE);
    expect((await get("/api/v1/query", { query: "1" })).status).toBe(200);
  });

  it("feeds the real provider, which reads a ratio and turns faults into errors", async () => {
    const provider = new PrometheusMetrics({ address: prom.url, clock, lagMs: 0 });
    const request = {
      provider: "p",
      query: `${errors("v2")} / ${total("v2")}`,
      from: T0 + 2 * MINUTE,
      to: T0 + 5 * MINUTE,
      timeoutMs: 5_000,
    };
    expect(await provider.query(request)).toEqual({
      kind: "points",
      points: [
        [T0 + 2 * MINUTE, 0.1],
        [T0 + 3 * MINUTE, 0.1],
        [T0 + 4 * MINUTE, 0.1],
      ],
    });
    prom.faults.inject({ kind: "bad-gateway" }, { times: 1 });
    expect(await provider.query(request)).toMatchObject({
      kind: "error",
      reason: expect.stringContaining("HTTP 502"),
    });
    prom.faults.inject({ kind: "reset" }, { times: 1 });
    expect(await provider.query(request)).toMatchObject({
      kind: "error",
      reason: expect.stringContaining("request failed"),
    });
  });
});
