import { describe, expect, it } from "vitest";
import type { MetricQuery, Metrics } from "../../src/ports.js";
import { MetricsRouter } from "../../src/providers/metrics-router.js";

const answering = (value: number): Metrics => ({
  query: async () => ({ kind: "points", points: [[0, value]] }),
});
const request = (provider: string): MetricQuery => ({
  provider,
  query: "q",
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
});
