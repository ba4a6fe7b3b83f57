/**
 * Site and base-URL selection: the URL the real client builds for each, seen through a recording fetch
 * (no network), plus the auth headers and independence from DD_* environment variables.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { KanariaError } from "../../../src/domain/kanaria-error.js";
import { resolveDatadogEndpoint } from "../../../src/providers/datadog/datadog-endpoint.js";
import { DatadogMetrics } from "../../../src/providers/datadog/datadog-metrics.js";
import { FakeClock } from "../../fakes/fake-clock.js";
import { minute } from "./metric-fixture.js";

interface Seen {
  url: URL;
  headers: Record<string, string>;
}

function recordingProvider(where: { site?: string; baseUrl?: string }): {
  metrics: DatadogMetrics;
  seen: Seen[];
} {
  const seen: Seen[] = [];
  const metrics = new DatadogMetrics({
    apiKey: "the-api-key",
    applicationKey: "the-app-key",
    ...where,
    clock: new FakeClock(minute(10)),
    lagMs: 0,
    fetch: async (url, init) => {
      seen.push({ url: new URL(url), headers: { ...(init.headers as Record<string, string>) } });
      return Response.json({ status: "ok", res_type: "time_series", series: [] });
    },
  });
  return { metrics, seen };
}

async function urlFor(where: { site?: string; baseUrl?: string }): Promise<string> {
  const { metrics, seen } = recordingProvider(where);
  await metrics.query({
    provider: "datadog",
    query: "sum:x{*}",
    from: minute(0),
    to: minute(5),
    timeoutMs: 1000,
  });
  const url = seen[0]?.url;
  return url ? `${url.origin}${url.pathname}` : "(no request)";
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("site and base URL", () => {
  it.each([
    [{}, "https://api.datadoghq.com/api/v1/query"],
    [{ site: "datadoghq.com" }, "https://api.datadoghq.com/api/v1/query"],
    [{ site: "ap1.datadoghq.com" }, "https://api.ap1.datadoghq.com/api/v1/query"],
    [{ site: "us5.datadoghq.com" }, "https://api.us5.datadoghq.com/api/v1/query"],
    [{ site: "datadoghq.eu" }, "https://api.datadoghq.eu/api/v1/query"],
    [{ site: "ddog-gov.com" }, "https://api.ddog-gov.com/api/v1/query"],
    [{ site: "https://app.datadoghq.eu/" }, "https://api.datadoghq.eu/api/v1/query"],
    [{ site: "API.AP1.DATADOGHQ.COM" }, "https://api.ap1.datadoghq.com/api/v1/query"],
    [{ baseUrl: "http://127.0.0.1:4010" }, "http://127.0.0.1:4010/api/v1/query"],
    [{ baseUrl: "http://127.0.0.1:4010/" }, "http://127.0.0.1:4010/api/v1/query"],
    [{ baseUrl: "https://proxy.internal/datadog/" }, "https://proxy.internal/datadog/api/v1/query"],
    [{ site: "ap1.datadoghq.com", baseUrl: "http://localhost:9" }, "http://localhost:9/api/v1/query"],
  ])("%j → %s", async (where, expected) => {
    expect(await urlFor(where)).toBe(expected);
  });

  it("sends from and to in seconds, the query, and both keys", async () => {
    const { metrics, seen } = recordingProvider({ site: "ap1.datadoghq.com" });
    await metrics.query({
      provider: "datadog",
      query: "sum:a{b:c} by {d}.as_count()",
      from: minute(0),
      to: minute(5),
      timeoutMs: 1000,
    });
    const [request] = seen;
    expect(request?.url.searchParams.get("from")).toBe(String(minute(0) / 1000));
    expect(request?.url.searchParams.get("to")).toBe(String(minute(5) / 1000));
    expect(request?.url.searchParams.get("query")).toBe("sum:a{b:c} by {d}.as_count()");
    expect(request?.headers["DD-API-KEY"]).toBe("the-api-key");
    expect(request?.headers["DD-APPLICATION-KEY"]).toBe("the-app-key");
  });

  it("ignores DD_SITE, DD_API_KEY and DD_APP_KEY in the environment", async () => {
    vi.stubEnv("DD_SITE", "datadoghq.eu");
    vi.stubEnv("DD_API_KEY", "env-api-key");
    vi.stubEnv("DD_APP_KEY", "env-app-key");
    const { metrics, seen } = recordingProvider({ site: "ap1.datadoghq.com" });
    await metrics.query({
      provider: "datadog",
      query: "sum:x{*}",
      from: minute(0),
      to: minute(5),
      timeoutMs: 1000,
    });
    expect(seen[0]?.url.host).toBe("api.ap1.datadoghq.com");
    expect(seen[0]?.headers["DD-API-KEY"]).toBe("the-api-key");
  });

  it.each([
    [{ site: "not a site" }, "DATADOG_INVALID_SITE"],
    [{ site: "localhost" }, "DATADOG_INVALID_SITE"],
    [{ baseUrl: "127.0.0.1:4010" }, "DATADOG_INVALID_BASE_URL"],
    [{ baseUrl: "ftp://example.com" }, "DATADOG_INVALID_BASE_URL"],
    [{ baseUrl: "http://example.com/?x=1" }, "DATADOG_INVALID_BASE_URL"],
  ])("refuses %j with %s", (where, code) => {
    expect(() => resolveDatadogEndpoint(where)).toThrow(expect.objectContaining({ code }) as KanariaError);
  });

  it("refuses empty keys and a negative lag", () => {
    const base = { apiKey: "a", applicationKey: "b", clock: new FakeClock() };
    expect(() => new DatadogMetrics({ ...base, apiKey: "" })).toThrow(
      expect.objectContaining({ code: "DATADOG_MISSING_KEY" }),
    );
    expect(() => new DatadogMetrics({ ...base, lagMs: -1 })).toThrow(
      expect.objectContaining({ code: "DATADOG_INVALID_LAG" }),
    );
  });

  it("names the origin it talks to", () => {
    const clock = new FakeClock();
    expect(
      new DatadogMetrics({ apiKey: "a", applicationKey: "b", clock, site: "us5.datadoghq.com" }).origin,
    ).toBe("https://api.us5.datadoghq.com");
  });
});
