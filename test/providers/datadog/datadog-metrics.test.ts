/**
 * The Datadog provider with the real client against the sandbox Datadog over HTTP: the data-quality
 * rules of DESIGN §5 and the failure modes that must never decide a tick.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DatadogFaults } from "../../../sandbox/datadog-faults.js";
import { type SandboxDatadog, startSandboxDatadog } from "../../../sandbox/datadog-server.js";
import { VirtualClock } from "../../../sandbox/virtual-clock.js";
import {
  DatadogMetrics,
  type DatadogMetricsOptions,
} from "../../../src/providers/datadog/datadog-metrics.js";
import { FakeClock } from "../../fakes/fake-clock.js";
import { minute, seconds, webStore } from "./metric-fixture.js";

const HITS_V2 = "sum:trace.http.request.hits{service:web,version:v2}.as_count()";
const TIMEOUT_MS = 5_000;

let clock: FakeClock;
let datadog: SandboxDatadog;

beforeEach(async () => {
  clock = new FakeClock(minute(10));
  datadog = await startSandboxDatadog({
    source: webStore(),
    clock,
    faults: new DatadogFaults(),
    keys: { apiKey: "test-api-key", applicationKey: "test-app-key" },
  });
});

afterEach(async () => {
  await datadog.close();
});

/** Restarts the sandbox with the world clock at `nowMs` (providers made afterwards use that clock). */
async function restartAt(nowMs: number, faults = new DatadogFaults()): Promise<void> {
  await datadog.close();
  clock = new FakeClock(nowMs);
  datadog = await startSandboxDatadog({ source: webStore(), clock, faults });
}

function provider(overrides: Partial<DatadogMetricsOptions> = {}): DatadogMetrics {
  return new DatadogMetrics({
    apiKey: "test-api-key",
    applicationKey: "test-app-key",
    baseUrl: datadog.url,
    clock,
    lagMs: 0,
    ...overrides,
  });
}

function window(fromMinute: number, toMinute: number, query = HITS_V2) {
  return {
    provider: "datadog",
    query,
    from: minute(fromMinute),
    to: minute(toMinute),
    timeoutMs: TIMEOUT_MS,
  };
}

describe("points", () => {
  it("returns one point per whole minute bucket in the window", async () => {
    const result = await provider().query(window(2, 5));
    expect(result).toEqual({
      kind: "points",
      points: [
        [minute(2), 100],
        [minute(3), 100],
        [minute(4), 100],
      ],
    });
    const [request] = datadog.requests.queries();
    expect(request?.query).toBe(HITS_V2);
  });

  it("concatenates the series of an unaggregated group-by in time order, as PipeCD does", async () => {
    const result = await provider().query(
      window(0, 2, "sum:trace.http.request.errors{service:web} by {version}.as_count()"),
    );
    expect(result).toEqual({
      kind: "points",
      points: [
        [minute(0), 2],
        [minute(0), 1],
        [minute(1), 2],
        [minute(1), 1],
      ],
    });
  });
});

describe("lag", () => {
  it("shifts a window that ends within the lag back by the difference, keeping its length", async () => {
    await restartAt(minute(5));
    const result = await provider({ lagMs: 120_000 }).query(window(2, 5));
    expect(result).toEqual({
      kind: "points",
      points: [
        [minute(0), 100],
        [minute(1), 100],
        [minute(2), 100],
      ],
    });
  });

  it("asks Datadog for windows shifted by the lag in whole minutes, however late the tick runs", async () => {
    await restartAt(minute(6));
    const seen: URLSearchParams[] = [];
    const metrics = provider({
      lagMs: 90_000,
      fetch: (url, init) => {
        seen.push(new URL(url).searchParams);
        return fetch(url, init);
      },
    });
    await metrics.query(window(3, 6));
    await metrics.query(window(0, 3));
    const fromTo = seen.map((p) => [p.get("from"), p.get("to")]);
    // 90 s of lag shifts by 2 minutes; the older window is shifted the same, so windows keep tiling.
    expect(fromTo).toEqual([
      [String(seconds(minute(1))), String(seconds(minute(4)))],
      [String(seconds(minute(-2))), String(seconds(minute(1)))],
    ]);
  });

  it("with a lag at least Datadog's ingestion lag, every point is a whole minute", async () => {
    await restartAt(minute(5), new DatadogFaults({ lagMs: 90_000 }));
    // now − lag = 03:30: minute 3 has only half arrived and ends after the window, so it is dropped.
    const result = await provider({ lagMs: 90_000 }).query(window(0, 5));
    expect(result).toEqual({
      kind: "points",
      points: [
        [minute(0), 100],
        [minute(1), 100],
        [minute(2), 100],
      ],
    });
  });
});

describe("partial buckets", () => {
  it("never asks for a window that cuts the minute still arriving", async () => {
    await restartAt(minute(5), new DatadogFaults({ lagMs: 30_000 }));
    // Datadog reports minute 4 with the half of its count that has arrived by 04:30.
    const raw = await fetch(
      `${datadog.url}/api/v1/query?from=${seconds(minute(3))}&to=${seconds(minute(5))}&query=${encodeURIComponent(HITS_V2)}`,
      { headers: { "DD-API-KEY": "test-api-key", "DD-APPLICATION-KEY": "test-app-key" } },
    ).then((r) => r.json() as Promise<{ series: Array<{ pointlist: unknown }> }>);
    expect(raw.series[0]?.pointlist).toEqual([
      [minute(3), 100],
      [minute(4), 50],
    ]);
    // 30 s of lag shifts [03:00, 05:00) by a whole minute to [02:00, 04:00): minute 4 is not asked for.
    const result = await provider({ lagMs: 30_000 }).query(window(3, 5));
    expect(result).toEqual({
      kind: "points",
      points: [
        [minute(2), 100],
        [minute(3), 100],
      ],
    });
  });

  it("drops a rollup bucket that extends past the window", async () => {
    const query = "sum:trace.http.request.hits{version:v2}.as_count().rollup(sum, 300)";
    const result = await provider().query(window(0, 7, query));
    // Buckets 00:00–05:00 (5 minutes, 500) and 05:00–10:00 (only 2 minutes in the window): the second goes.
    expect(result).toEqual({ kind: "points", points: [[minute(0), 500]] });
  });
});

describe("gaps and nulls", () => {
  it("leaves out missing minutes", async () => {
    datadog.faults.dropMinutes([minute(3)]);
    const result = await provider().query(window(2, 5));
    expect(result).toEqual({
      kind: "points",
      points: [
        [minute(2), 100],
        [minute(4), 100],
      ],
    });
  });

  it("drops null points, never reading them as 0", async () => {
    datadog.faults.dropMinutes([minute(3)], { asNull: true });
    const result = await provider().query(window(2, 5));
    expect(result).toEqual({
      kind: "points",
      points: [
        [minute(2), 100],
        [minute(4), 100],
      ],
    });
  });

  it("drops the nulls of arithmetic where one side has no value", async () => {
    const query = "sum:custom.sparse{*}.as_count() / sum:trace.http.request.hits{version:v2}.as_count()";
    const result = await provider().query(window(0, 5, query));
    expect(result).toEqual({
      kind: "points",
      points: [
        [minute(0), 0.1],
        [minute(1), 0.1],
        [minute(3), 0.1],
      ],
    });
  });

  it("is no-data when every point is null", async () => {
    datadog.faults.dropMinutes([minute(2), minute(3)], { asNull: true });
    expect(await provider().query(window(2, 4))).toEqual({ kind: "no-data" });
  });
});

describe("no data", () => {
  it("is no-data for an empty series list (unknown metric)", async () => {
    expect(await provider().query(window(0, 5, "sum:no.such.metric{*}.as_count()"))).toEqual({
      kind: "no-data",
    });
  });

  it("is no-data when the scope matches nothing", async () => {
    expect(
      await provider().query(window(0, 5, "sum:trace.http.request.hits{version:v9}.as_count()")),
    ).toEqual({
      kind: "no-data",
    });
  });
});

describe("errors are values", () => {
  it('reports status "error" in a 200 as an error', async () => {
    datadog.faults.statusError("Query timed out", { times: 1 });
    expect(await provider().query(window(0, 5))).toEqual({
      kind: "error",
      reason: "Datadog: Query timed out",
      retryAfterMs: undefined,
    });
  });

  it("reports a 429 with X-RateLimit-Reset as retryAfterMs, then succeeds", async () => {
    datadog.faults.rateLimited(17, { times: 1 });
    const metrics = provider();
    const first = await metrics.query(window(0, 2));
    expect(first).toMatchObject({ kind: "error", retryAfterMs: 17_000 });
    expect(first.kind === "error" && first.reason).toMatch(
      /^rate limited \(HTTP 429\): Rate limit of 1600 requests/,
    );
    expect(await metrics.query(window(0, 2))).toEqual({
      kind: "points",
      points: [
        [minute(0), 100],
        [minute(1), 100],
      ],
    });
  });

  it("reports the seconds to the end of the rate-limit period when the limit is used up", async () => {
    await restartAt(minute(10) + 15_000, new DatadogFaults({ rateLimit: { limit: 2, periodSeconds: 60 } }));
    const metrics = provider();
    expect((await metrics.query(window(0, 2))).kind).toBe("points");
    expect((await metrics.query(window(0, 2))).kind).toBe("points");
    expect(await metrics.query(window(0, 2))).toMatchObject({ kind: "error", retryAfterMs: 45_000 });
  });

  it.each([500, 502, 503, 504] as const)(
    "reports persistent HTTP %i as errors and never throws",
    async (status) => {
      datadog.faults.serverError(status);
      const metrics = provider();
      for (let i = 0; i < 5; i++) {
        const result = await metrics.query(window(0, 5));
        expect(result).toMatchObject({ kind: "error", retryAfterMs: undefined });
        expect(result.kind === "error" && result.reason).toMatch(new RegExp(`^HTTP ${status}`));
      }
      expect(datadog.requests.queries()).toHaveLength(5);
    },
  );

  it("times out a hung request with the per-query timeout (injected timer)", async () => {
    datadog.faults.hang({ times: 1 });
    const timers: Array<{ ms: number; controller: AbortController }> = [];
    const metrics = provider({
      timeoutSignal: (ms) => {
        const controller = new AbortController();
        timers.push({ ms, controller });
        return controller.signal;
      },
    });
    const pending = metrics.query({ ...window(0, 5), timeoutMs: 1234 });
    await datadog.requests.waitFor(1);
    timers[0]?.controller.abort(new DOMException("timed out", "TimeoutError"));
    expect(await pending).toEqual({
      kind: "error",
      reason: "timed out after 1234 ms",
      retryAfterMs: undefined,
    });
    expect(timers.map((t) => t.ms)).toEqual([1234]);
    // The next query is answered normally.
    expect((await metrics.query(window(0, 5))).kind).toBe("points");
  });

  it("times out a hung request with the default real-time timer", async () => {
    datadog.faults.hang();
    const result = await provider().query({ ...window(0, 5), timeoutMs: 50 });
    expect(result).toEqual({ kind: "error", reason: "timed out after 50 ms", retryAfterMs: undefined });
  });

  it("is not timed out when virtual time jumps ahead while a request is in flight", async () => {
    // The timeout runs on real time: a virtual clock racing past a pending timer must not abort a query.
    await datadog.close();
    const virtual = new VirtualClock(minute(10));
    datadog = await startSandboxDatadog({ source: webStore(), clock: virtual });
    datadog.faults.setLatency(30);
    const metrics = new DatadogMetrics({
      apiKey: "k",
      applicationKey: "a",
      baseUrl: datadog.url,
      clock: virtual,
      lagMs: 0,
    });
    const pending = metrics.query({ ...window(0, 2), timeoutMs: 1_000 });
    void virtual.sleep(3_600_000);
    await virtual.runUntilSettled(pending);
    expect(await pending).toEqual({
      kind: "points",
      points: [
        [minute(0), 100],
        [minute(1), 100],
      ],
    });
  });

  it("reports wrong keys (403 Forbidden) as an error", async () => {
    const result = await provider({ apiKey: "wrong" }).query(window(0, 5));
    expect(result).toEqual({ kind: "error", reason: "HTTP 403: Forbidden", retryAfterMs: undefined });
  });

  it("reports a query Datadog cannot parse (400) as an error with Datadog's message", async () => {
    const result = await provider().query(window(0, 5, "sum:trace.http.request.hits{service:web"));
    expect(result.kind === "error" && result.reason).toMatch(/^HTTP 400: Error parsing query/);
  });

  it("reports a refused connection as an error", async () => {
    const metrics = provider();
    await datadog.close();
    const result = await metrics.query(window(0, 5));
    expect(result).toMatchObject({ kind: "error", retryAfterMs: undefined });
    expect(result.kind === "error" && result.reason).toMatch(/^request failed/);
    datadog = await startSandboxDatadog({ source: webStore(), clock });
  });
});

describe("queryGrouped", () => {
  it("fetches canary and control in one request", async () => {
    const result = await provider().queryGrouped(
      window(4, 7, "sum:trace.http.request.errors{service:web,env:prod} by {version}.as_count()"),
    );
    expect(result).toEqual({
      kind: "groups",
      groups: new Map([
        [
          "version:v1",
          [
            [minute(4), 2],
            [minute(5), 2],
            [minute(6), 2],
          ],
        ],
        [
          "version:v2",
          [
            [minute(4), 1],
            [minute(5), 5],
            [minute(6), 1],
          ],
        ],
      ]),
    });
    expect(datadog.requests.queries()).toHaveLength(1);
  });

  it("keys an ungrouped query by the empty string", async () => {
    const result = await provider().queryGrouped(window(0, 1));
    expect(result).toEqual({ kind: "groups", groups: new Map([["", [[minute(0), 100]]]]) });
  });

  it("leaves out groups without a whole bucket, and is no-data when none is left", async () => {
    datadog.faults.dropMinutes([minute(0)], { asNull: true });
    expect(
      await provider().queryGrouped(window(0, 1, "sum:trace.http.request.errors{*} by {version}.as_count()")),
    ).toEqual({ kind: "no-data" });
  });

  it("passes errors through", async () => {
    datadog.faults.rateLimited(3, { times: 1 });
    expect(await provider().queryGrouped(window(0, 5))).toMatchObject({ kind: "error", retryAfterMs: 3_000 });
  });
});

describe("queryAll", () => {
  const ERRORS = (version: string) =>
    `sum:trace.http.request.errors{service:web,version:${version}}.as_count()`;
  const HITS = (version: string) => `sum:trace.http.request.hits{service:web,version:${version}}.as_count()`;

  it("answers canary and control with one request each query, as they would be answered alone", async () => {
    const requests = [ERRORS("v2"), HITS("v2"), ERRORS("v1"), HITS("v1")].map((q) => window(4, 7, q));
    const batched = await provider().queryAll(requests);
    expect(datadog.requests.queries().map((r) => r.query)).toEqual([
      "sum:trace.http.request.errors{service:web} by {version}.as_count()",
      "sum:trace.http.request.hits{service:web} by {version}.as_count()",
    ]);
    const alone = await Promise.all(requests.map((r) => provider().query(r)));
    expect(batched).toEqual(alone);
    expect(batched[0]).toEqual({
      kind: "points",
      points: [
        [minute(4), 1],
        [minute(5), 5],
        [minute(6), 1],
      ],
    });
  });

  it("gives a variant with no series no-data, and the others their points", async () => {
    const [v3, v1] = await provider().queryAll([window(0, 2, ERRORS("v3")), window(0, 2, ERRORS("v1"))]);
    expect(datadog.requests.queries()).toHaveLength(1);
    expect(v3).toEqual({ kind: "no-data" });
    expect(v1).toEqual({
      kind: "points",
      points: [
        [minute(0), 2],
        [minute(1), 2],
      ],
    });
  });

  it("gives every query of a failed batch the error, with the rate limit's wait", async () => {
    datadog.faults.rateLimited(4, { times: 1 });
    const results = await provider().queryAll([window(0, 2, ERRORS("v2")), window(0, 2, ERRORS("v1"))]);
    expect(results).toEqual([
      expect.objectContaining({ kind: "error", retryAfterMs: 4_000 }),
      expect.objectContaining({ kind: "error", retryAfterMs: 4_000 }),
    ]);
    expect(datadog.requests.queries()).toHaveLength(1);
  });

  it("asks alone what cannot be batched, and batches only within one window", async () => {
    const results = await provider().queryAll([
      window(0, 2, ERRORS("v2")),
      window(2, 4, ERRORS("v1")),
      window(0, 2, "avg:trace.http.request.duration.by.service.99p{service:web,version:v2}"),
    ]);
    expect(
      datadog.requests
        .queries()
        .map((r) => r.query)
        .sort(),
    ).toEqual([
      "avg:trace.http.request.duration.by.service.99p{service:web,version:v2}",
      ERRORS("v1"),
      ERRORS("v2"),
    ]);
    expect(results.map((r) => r.kind)).toEqual(["points", "points", "points"]);
  });
});
