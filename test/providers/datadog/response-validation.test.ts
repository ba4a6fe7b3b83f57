/**
 * What the provider does with bodies the sandbox never sends: validated at the edge, anything
 * unexpected is an error value, never a throw and never points.
 */
import { describe, expect, it } from "vitest";
import { DatadogMetrics } from "../../../src/providers/datadog/datadog-metrics.js";
import { FakeClock } from "../../fakes/fake-clock.js";
import { minute } from "./metric-fixture.js";

function answering(response: () => Response): DatadogMetrics {
  return new DatadogMetrics({
    apiKey: "a",
    applicationKey: "b",
    clock: new FakeClock(minute(10)),
    lagMs: 0,
    fetch: async () => response(),
  });
}

const request = { provider: "datadog", query: "sum:x{*}", from: minute(0), to: minute(2), timeoutMs: 1000 };

describe("response validation", () => {
  it.each([
    ["a wrong point value type", { status: "ok", series: [{ interval: 60, pointlist: [[minute(0), "1"]] }] }],
    ["a missing interval", { status: "ok", series: [{ pointlist: [[minute(0), 1]] }] }],
    ["a missing status", { series: [] }],
    ["a non-object body", [1, 2, 3]],
    // Checked by the client's deserializer, not by Kanaria's own schema (query-response.ts).
    ["a tag that is not a string", { status: "ok", series: [{ interval: 60, tag_set: [5], pointlist: [] }] }],
    // Checked by Kanaria: the client does not check a tuple's length.
    ["a point that is not a pair", { status: "ok", series: [{ interval: 60, pointlist: [[minute(0)]] }] }],
    ["a fractional interval", { status: "ok", series: [{ interval: 0.5, pointlist: [[minute(0), 1]] }] }],
  ])("reports %s as a malformed response", async (_what, body) => {
    const result = await answering(() => Response.json(body)).query(request);
    expect(result).toMatchObject({ kind: "error", retryAfterMs: undefined });
    expect(result.kind === "error" && result.reason).toMatch(/^malformed response/);
  });

  it("reports a non-JSON 200 as a malformed response", async () => {
    const result = await answering(() => new Response("<html>oops</html>", { status: 200 })).query(request);
    expect(result.kind === "error" && result.reason).toMatch(/^malformed response/);
  });

  it("quotes the start of a non-Datadog error page", async () => {
    const result = await answering(() => new Response("<html>Bad gateway</html>", { status: 502 })).query(
      request,
    );
    expect(result).toEqual({
      kind: "error",
      reason: "HTTP 502: <html>Bad gateway</html>",
      retryAfterMs: undefined,
    });
  });

  it("reads a 429 without X-RateLimit-Reset as an error without retryAfterMs", async () => {
    const result = await answering(() => Response.json({ errors: ["slow down"] }, { status: 429 })).query(
      request,
    );
    expect(result).toEqual({
      kind: "error",
      reason: "rate limited (HTTP 429): slow down",
      retryAfterMs: undefined,
    });
  });

  it("keeps whole, non-null buckets of a valid answer, whatever else the body holds", async () => {
    const body = {
      status: "ok",
      res_type: "time_series",
      something_new: { nested: true },
      series: [
        {
          interval: 60,
          tag_set: [],
          scope: "*",
          unit: [{ family: "cache", name: "hit" }, null],
          pointlist: [
            [minute(1), 2],
            [minute(0), 1],
            [minute(2), null],
          ],
        },
      ],
    };
    expect(await answering(() => Response.json(body)).query({ ...request, to: minute(3) })).toEqual({
      kind: "points",
      points: [
        [minute(0), 1],
        [minute(1), 2],
      ],
    });
  });

  it("answers impossible points (two at one timestamp in one series) as invalid, never summed", async () => {
    const series = (points: Array<[number, number]>, tag: string) => ({
      interval: 60,
      tag_set: [tag],
      pointlist: points,
    });
    const duplicated = {
      status: "ok",
      series: [
        series(
          [
            [minute(0), 5],
            [minute(0), 5],
            [minute(1), 2],
          ],
          "version:v2",
        ),
      ],
    };
    expect(await answering(() => Response.json(duplicated)).query(request)).toEqual({
      kind: "invalid",
      reason: `two points at ${new Date(minute(0)).toISOString()} in one series`,
    });
    // One timestamp in two series of an unaggregated group-by is normal: every point is kept.
    const twoHosts = {
      status: "ok",
      series: [series([[minute(0), 5]], "host:a"), series([[minute(0), 7]], "host:b")],
    };
    expect(await answering(() => Response.json(twoHosts)).query(request)).toEqual({
      kind: "points",
      points: [
        [minute(0), 5],
        [minute(0), 7],
      ],
    });
  });

  it('reports a status other than "ok" without an error message by its status', async () => {
    const result = await answering(() => Response.json({ status: "warning", series: [] })).query(request);
    expect(result).toEqual({ kind: "error", reason: 'Datadog: status "warning"', retryAfterMs: undefined });
  });

  it("throws for a window that ends before it starts: a caller bug, not a Datadog failure", async () => {
    await expect(
      answering(() => Response.json({})).query({ ...request, to: request.from }),
    ).rejects.toMatchObject({
      code: "DATADOG_INVALID_WINDOW",
    });
  });
});
