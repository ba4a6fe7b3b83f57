import { describe, expect, it } from "vitest";
import type { MetricQuery, Metrics } from "../../src/ports.js";
import { MetricsRouter } from "../../src/providers/metrics-router.js";

/** Answers every query with one point of `value`; records the batches it was asked. */
const answering = (value: number, batches: string[][] = []): Metrics => ({
  query: async () => ({ kind: "points", points: [[0, value]] }),
  queryAll: async (requests) => {
    batches.push(requests.map((r) => r.query));
    return requests.map(() => ({ kind: "points", points: [[0, value]] }));
  },
});
const request = (provider: string, query = "q"): MetricQuery => ({
  provider,
  query,
  from: 0,
  to: 60_000,
  timeoutMs: 1000,
});

describe("MetricsRouter", () => {
  it("asks the provider each query names", async () => {
    const router = new MetricsRouter(
      new Map([
        ["dd-prod", answering(1)],
        ["dd-staging", answering(2)],
      ]),
    );
    expect(await router.query(request("dd-staging"))).toEqual({ kind: "points", points: [[0, 2]] });
    expect(await router.query(request("dd-prod"))).toEqual({ kind: "points", points: [[0, 1]] });
  });

  it("answers an unknown provider with an error tick that names the configured ones", async () => {
    const router = new MetricsRouter(new Map([["dd-prod", answering(1)]]));
    expect(await router.query(request("datadog-provider"))).toEqual({
      kind: "error",
      reason: 'no analysis provider named "datadog-provider" (configured: dd-prod)',
      retryAfterMs: undefined,
    });
  });

  it("passes each provider its share of a batch in one call and keeps the requests' order", async () => {
    const prod: string[][] = [];
    const staging: string[][] = [];
    const router = new MetricsRouter(
      new Map([
        ["dd-prod", answering(1, prod)],
        ["dd-staging", answering(2, staging)],
      ]),
    );
    const results = await router.queryAll([
      request("dd-prod", "a"),
      request("dd-staging", "b"),
      request("nowhere", "c"),
      request("dd-prod", "d"),
    ]);
    expect(results.map((r) => (r.kind === "points" ? r.points[0]?.[1] : r.kind))).toEqual([1, 2, "error", 1]);
    expect(prod).toEqual([["a", "d"]]);
    expect(staging).toEqual([["b"]]);
  });
});
