/**
 * The sandbox Datadog over plain HTTP: the wire shape of its answers (what the real client and the
 * provider read), authentication, errors and rate-limit headers.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DatadogFaults } from "../../sandbox/datadog-faults.js";
import { type SandboxDatadog, startSandboxDatadog } from "../../sandbox/datadog-server.js";
import { FakeClock } from "../fakes/fake-clock.js";
import { minute, seconds, webStore } from "../providers/datadog/metric-fixture.js";

const KEYS = { "DD-API-KEY": "api", "DD-APPLICATION-KEY": "app" };

let datadog: SandboxDatadog;
let clock: FakeClock;

beforeEach(async () => {
  clock = new FakeClock(minute(10) + 20_000);
  datadog = await startSandboxDatadog({ source: webStore(), clock, faults: new DatadogFaults() });
});

afterEach(async () => {
  await datadog.close();
});

function get(
  params: Record<string, string>,
  headers: Record<string, string> = KEYS,
  path = "/api/v1/query",
): Promise<Response> {
  return fetch(`${datadog.url}${path}?${new URLSearchParams(params)}`, { headers });
}

function query(q: string, fromMinute = 0, toMinute = 3): Promise<Response> {
  return get({ from: String(seconds(minute(fromMinute))), to: String(seconds(minute(toMinute))), query: q });
}

describe("answers", () => {
  it("has the shape of Datadog's v1 query response", async () => {
    const response = await query("sum:trace.http.request.errors{service:web} by {version}.as_count()", 0, 2);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({
      status: "ok",
      res_type: "time_series",
      resp_version: 1,
      query: "sum:trace.http.request.errors{service:web} by {version}.as_count()",
      from_date: minute(0),
      to_date: minute(2),
      group_by: ["version"],
      message: "",
      values: [],
      times: [],
      series: [
        {
          metric: "trace.http.request.errors",
          display_name: "trace.http.request.errors",
          expression: "sum:trace.http.request.errors{service:web,version:v1}.as_count()",
          scope: "service:web,version:v1",
          tag_set: ["version:v1"],
          pointlist: [
            [minute(0), 2],
            [minute(1), 2],
          ],
          start: minute(0),
          end: minute(1) + 59_000,
          interval: 60,
          length: 2,
          aggr: "sum",
          query_index: 0,
          attributes: {},
        },
        {
          metric: "trace.http.request.errors",
          display_name: "trace.http.request.errors",
          expression: "sum:trace.http.request.errors{service:web,version:v2}.as_count()",
          scope: "service:web,version:v2",
          tag_set: ["version:v2"],
          pointlist: [
            [minute(0), 1],
            [minute(1), 1],
          ],
          start: minute(0),
          end: minute(1) + 59_000,
          interval: 60,
          length: 2,
          aggr: "sum",
          query_index: 0,
          attributes: {},
        },
      ],
    });
  });

  it("uses * as the scope of an unfiltered, ungrouped query", async () => {
    const body = (await (await query("sum:trace.http.request.hits{*}.as_count()", 0, 1)).json()) as {
      series: Array<{ scope: string; tag_set: string[]; pointlist: unknown }>;
    };
    expect(body.series).toMatchObject([{ scope: "*", tag_set: [], pointlist: [[minute(0), 1100]] }]);
  });

  it("answers an unknown metric with an empty series list", async () => {
    const body = (await (await query("avg:no.such.metric{*}")).json()) as {
      status: string;
      series: unknown[];
    };
    expect(body).toMatchObject({ status: "ok", series: [] });
  });

  it('answers an injected failure with status "error" in a 200', async () => {
    datadog.faults.statusError("Query timed out", { times: 1 });
    const response = await query("sum:trace.http.request.hits{*}");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "error", error: "Query timed out", series: [] });
    expect(
      ((await (await query("sum:trace.http.request.hits{*}")).json()) as { status: string }).status,
    ).toBe("ok");
  });
});

describe("authentication and routing", () => {
  it.each([
    ["no keys", {}],
    ["only the API key", { "DD-API-KEY": "api" }],
    ["only the application key", { "DD-APPLICATION-KEY": "app" }],
    ["an empty key", { "DD-API-KEY": "", "DD-APPLICATION-KEY": "app" }],
  ])("refuses a request with %s: 403 Forbidden", async (_name, headers) => {
    const response = await get({ from: "0", to: "60", query: "sum:m{*}" }, headers);
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ errors: ["Forbidden"] });
  });

  it("checks the keys' values when configured", async () => {
    await datadog.close();
    datadog = await startSandboxDatadog({
      source: webStore(),
      clock,
      keys: { apiKey: "api", applicationKey: "app" },
    });
    expect((await get({ from: "0", to: "60", query: "sum:m{*}" })).status).toBe(200);
    const wrong = await get({ from: "0", to: "60", query: "sum:m{*}" }, { ...KEYS, "DD-API-KEY": "other" });
    expect(wrong.status).toBe(403);
  });

  it("answers other paths with 404 and other methods with 405", async () => {
    expect((await get({}, KEYS, "/api/v1/metrics")).status).toBe(404);
    const post = await fetch(`${datadog.url}/api/v1/query`, { method: "POST", headers: KEYS, body: "{}" });
    expect(post.status).toBe(405);
  });
});

describe("bad requests", () => {
  it("answers a query it cannot parse with 400 and Datadog's message", async () => {
    const response = await query("sum:trace.http.request.hits{service:web");
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: [
        "Error parsing query: \n unable to parse sum:trace.http.request.hits{service:web: expected '}' at '' (line 1, column 40).",
      ],
    });
  });

  it.each([
    [{ to: "60", query: "sum:m{*}" }, "Missing required parameter 'from'"],
    [
      { from: "abc", to: "60", query: "sum:m{*}" },
      "Invalid value for parameter 'from': expected seconds since the epoch",
    ],
    [{ from: "0", query: "sum:m{*}" }, "Missing required parameter 'to'"],
    [{ from: "0", to: "60" }, "Missing required parameter 'query'"],
    [{ from: "120", to: "60", query: "sum:m{*}" }, "Invalid time range: 'to' is before 'from'"],
  ])("answers %j with 400", async (params, message) => {
    const response = await get(params);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ errors: [message] });
  });
});

describe("rate limits and faults", () => {
  it("sends the rate-limit headers, counting down, and 429s once the period's quota is used", async () => {
    datadog.faults.setRateLimit({ limit: 2, periodSeconds: 60 });
    const first = await query("sum:m{*}");
    expect(Object.fromEntries([...first.headers].filter(([name]) => name.startsWith("x-ratelimit")))).toEqual(
      {
        "x-ratelimit-limit": "2",
        "x-ratelimit-period": "60",
        "x-ratelimit-remaining": "1",
        "x-ratelimit-reset": "40",
        "x-ratelimit-name": "query_metrics",
      },
    );
    expect((await query("sum:m{*}")).headers.get("x-ratelimit-remaining")).toBe("0");
    const limited = await query("sum:m{*}");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("x-ratelimit-reset")).toBe("40");
    expect(await limited.json()).toEqual({
      errors: ["Rate limit of 2 requests in 60 seconds reached. Please try again later."],
    });
    // The next period (on the world clock) starts afresh.
    await clock.advance(40_000);
    expect((await query("sum:m{*}")).status).toBe(200);
  });

  it("injects a 429 with the given reset, then answers", async () => {
    datadog.faults.rateLimited(7, { times: 1 });
    const limited = await query("sum:m{*}");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("x-ratelimit-reset")).toBe("7");
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
    expect((await query("sum:m{*}")).status).toBe(200);
  });

  it.each([500, 502, 503, 504] as const)("injects HTTP %i until cleared", async (status) => {
    datadog.faults.serverError(status);
    expect((await query("sum:m{*}")).status).toBe(status);
    expect((await query("sum:m{*}")).status).toBe(status);
    datadog.faults.clear();
    expect((await query("sum:m{*}")).status).toBe(200);
  });

  it("logs every request with its world time and status", async () => {
    await query("sum:trace.http.request.hits{*}");
    await get({}, {}, "/nope");
    expect(datadog.requests.all()).toEqual([
      {
        atMs: minute(10) + 20_000,
        method: "GET",
        path: "/api/v1/query",
        query: "sum:trace.http.request.hits{*}",
        status: 200,
      },
      { atMs: minute(10) + 20_000, method: "GET", path: "/nope", query: undefined, status: 404 },
    ]);
    expect(datadog.requests.queries()).toHaveLength(1);
  });
});

describe("data settings", () => {
  it("hides points newer than now − lag and reports the straddling minute partially", async () => {
    datadog.faults.setLag(7 * 60_000 + 50_000);
    // now − lag = 02:30: minutes 0 and 1 whole, minute 2 half arrived.
    const body = (await (await query("sum:trace.http.request.hits{version:v2}.as_count()", 0, 5)).json()) as {
      series: Array<{ pointlist: unknown }>;
    };
    expect(body.series[0]?.pointlist).toEqual([
      [minute(0), 100],
      [minute(1), 100],
      [minute(2), 50],
    ]);
  });

  it("drops gap minutes, or reports them as null", async () => {
    const q = "sum:trace.http.request.hits{version:v2}.as_count()";
    datadog.faults.dropMinutes([minute(1)]);
    const omitted = (await (await query(q)).json()) as { series: Array<{ pointlist: unknown }> };
    expect(omitted.series[0]?.pointlist).toEqual([
      [minute(0), 100],
      [minute(2), 100],
    ]);
    datadog.faults.dropMinutes([], { asNull: true });
    const nulled = (await (await query(q)).json()) as { series: Array<{ pointlist: unknown }> };
    expect(nulled.series[0]?.pointlist).toEqual([
      [minute(0), 100],
      [minute(1), null],
      [minute(2), 100],
    ]);
  });
});
