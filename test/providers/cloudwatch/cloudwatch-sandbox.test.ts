/**
 * The CloudWatch provider over the wire against the sandbox CloudWatch (JSON 1.0, as the SDK in the
 * lockfile speaks it): both variants in one GetMetricData request, pages followed, ALB no-datapoint
 * semantics, a wrong dimension as no data, AccessDenied as one line naming the permission, timeouts,
 * metric math and the lag.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { AlbCountMetric } from "../../../src/domain/cloudwatch-query.js";
import {
  loadBalancerDimension,
  targetGroupDimension,
} from "../../../src/providers/cloudwatch/alb-dimensions.js";
import { type CloudWatchFixture, MINUTE, request, startCloudWatchFixture } from "./cloudwatch-fixture.js";

let fixture: CloudWatchFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

function alb(f: CloudWatchFixture, metric: AlbCountMetric, variant: "primary" | "canary" | "baseline") {
  return {
    kind: "alb" as const,
    metric,
    variant,
    targetGroupArn: f.app.targetGroups[variant].arn,
    periodSeconds: 60,
  };
}

/** Canary: 100 requests a minute, errors 0,2,0,1,0; primary: 1000 a minute, 3 errors each. */
function writeFiveMinutes(f: CloudWatchFixture): { from: number; to: number } {
  const canaryErrors = [0, 2, 0, 1, 0];
  for (let i = 0; i < 5; i++) {
    const at = f.minutesAgo(10 - i);
    f.writeAlb("canary", at, 100, canaryErrors[i] as number);
    f.writeAlb("primary", at, 1000, 3);
  }
  return { from: f.minutesAgo(10), to: f.minutesAgo(5) };
}

function tick(f: CloudWatchFixture, from: number, to: number) {
  return [
    request(alb(f, "HTTPCode_Target_5XX_Count", "canary"), from, to),
    request(alb(f, "RequestCount", "canary"), from, to),
    request(alb(f, "HTTPCode_Target_5XX_Count", "primary"), from, to),
    request(alb(f, "RequestCount", "primary"), from, to),
  ];
}

function total(result: { kind: string; points?: Array<[number, number]> }): number | undefined {
  return result.kind === "points" ? result.points?.reduce((a, [, v]) => a + v, 0) : undefined;
}

describe("CloudWatch provider against the sandbox CloudWatch", () => {
  it("reads canary and control of a SEQUENTIAL tick in one GetMetricData request", async () => {
    const f = await startCloudWatchFixture(100_800);
    fixture = f;
    const { from, to } = writeFiveMinutes(f);
    const results = await f.provider().queryAll(tick(f, from, to));
    expect(results.map(total)).toEqual([3, 500, 15, 5000]);
    expect(f.cloud.calls.list("cloudwatch", "GetMetricData")).toHaveLength(1);
    // The canary's errors have datapoints only in the minutes that had errors, as ALB publishes them.
    expect(results[0]).toEqual({
      kind: "points",
      points: [
        [f.minutesAgo(9), 2],
        [f.minutesAgo(7), 1],
      ],
    });
  });

  it("follows NextToken until the last page and gives the same answers", async () => {
    const f = await startCloudWatchFixture(3);
    fixture = f;
    const { from, to } = writeFiveMinutes(f);
    const results = await f.provider().queryAll(tick(f, from, to));
    expect(results.map(total)).toEqual([3, 500, 15, 5000]);
    // 2 + 5 + 5 + 5 datapoints, 3 a page.
    expect(f.cloud.calls.list("cloudwatch", "GetMetricData")).toHaveLength(6);
  });

  it("treats a bucket without datapoints as CloudWatch defines it for ALB counts", async () => {
    const f = await startCloudWatchFixture(100_800);
    fixture = f;
    const at = f.minutesAgo(3);
    f.writeAlb("canary", at, 50, 0); // requests, no 5XX: no errors datapoint is zero errors
    // primary: no request at all in the minute: neither count is published
    const results = await f.provider().queryAll(tick(f, at, at + MINUTE));
    expect(results).toEqual([
      { kind: "no-data" },
      { kind: "points", points: [[at, 50]] },
      { kind: "no-data" },
      { kind: "no-data" },
    ]);
  });

  it("answers a query with a wrong dimension with no data, never zero", async () => {
    const f = await startCloudWatchFixture();
    fixture = f;
    const { from, to } = writeFiveMinutes(f);
    const targetGroup = targetGroupDimension(f.app.targetGroups.canary.arn) ?? "";
    const loadBalancer = loadBalancerDimension(f.app.loadBalancerArn) ?? "";
    const query = (dimensions: Record<string, string>) => ({
      kind: "metric" as const,
      namespace: "AWS/ApplicationELB",
      metric: "RequestCount",
      dimensions,
      stat: "Sum",
      periodSeconds: 60,
    });
    const [right, alone, misspelt] = await f
      .provider()
      .queryAll([
        request(query({ TargetGroup: targetGroup, LoadBalancer: loadBalancer }), from, to),
        request(query({ TargetGroup: targetGroup }), from, to),
        request(query({ Targetgroup: targetGroup, LoadBalancer: loadBalancer }), from, to),
      ]);
    expect(total(right as never)).toBe(500);
    expect(alone).toEqual({ kind: "no-data" });
    expect(misspelt).toEqual({ kind: "no-data" });
  });

  it("computes metric math and sums periods longer than a minute", async () => {
    const f = await startCloudWatchFixture();
    fixture = f;
    const { from, to } = writeFiveMinutes(f);
    const dims = {
      TargetGroup: targetGroupDimension(f.app.targetGroups.primary.arn) ?? "",
      LoadBalancer: loadBalancerDimension(f.app.loadBalancerArn) ?? "",
    };
    const stat = (metric: string) => ({
      namespace: "AWS/ApplicationELB",
      metric,
      dimensions: dims,
      stat: "Sum",
    });
    const [ratio, fiveMinutes] = await f.provider().queryAll([
      request(
        {
          kind: "expression",
          expression: "100 * errors / total",
          metrics: { errors: stat("HTTPCode_Target_5XX_Count"), total: stat("RequestCount") },
          periodSeconds: 60,
        },
        from,
        to,
      ),
      request({ kind: "metric", ...stat("RequestCount"), periodSeconds: 300 }, from, to),
    ]);
    expect(ratio).toEqual({
      kind: "points",
      points: [10, 9, 8, 7, 6].map((n) => [f.minutesAgo(n), 0.3]),
    });
    expect(fiveMinutes).toEqual({ kind: "points", points: [[from, 5000]] });
  });

  it("reads a minute the lag after it closed, not before (default 90 s)", async () => {
    const f = await startCloudWatchFixture();
    fixture = f;
    for (let n = 1; n <= 4; n++) f.writeAlb("primary", f.minutesAgo(n), n, 0);
    const provider = f.provider({ lagMs: undefined as never });
    expect(provider.lagMsOf()).toBe(90_000);
    const lastMinute = (end: number) => request(alb(f, "RequestCount", "primary"), end - MINUTE, end);
    const closed = f.minutesAgo(1) + MINUTE;
    // Asked for the minute that just closed: it is still on its way; the one before closed only 60 s
    // ago; the one that closed 2 minutes ago is read.
    expect(await provider.query(lastMinute(closed))).toEqual({
      kind: "points",
      points: [[f.minutesAgo(3), 3]],
    });
    // The analysis ticks 90 s after a minute closes and reads that minute; a millisecond earlier, the
    // minute before it.
    await f.clock.advance(90_000 - 1);
    expect(await provider.query(lastMinute(f.clock.now()))).toEqual({
      kind: "points",
      points: [[f.minutesAgo(2), 2]],
    });
    await f.clock.advance(1);
    expect(await provider.query(lastMinute(f.clock.now()))).toEqual({
      kind: "points",
      points: [[f.minutesAgo(1), 1]],
    });
  });

  it("says which permission is missing when GetMetricData is denied, in one line", async () => {
    const f = await startCloudWatchFixture();
    fixture = f;
    const { from, to } = writeFiveMinutes(f);
    f.cloud.cloudwatchAccess.deny("GetMetricData");
    const results = await f.provider().queryAll(tick(f, from, to));
    for (const result of results) {
      expect(result.kind).toBe("error");
      const reason = result.kind === "error" ? result.reason : "";
      expect(reason).toMatch(
        /^GetMetricData failed: AccessDenied: .*grant cloudwatch:GetMetricData to the AWS identity Kanaria runs as$/,
      );
      expect(reason).not.toContain("\n");
    }
  });

  it("gives up on a hung GetMetricData when the query's timeout fires", async () => {
    const f = await startCloudWatchFixture();
    fixture = f;
    const { from, to } = writeFiveMinutes(f);
    f.cloud.faults.window({
      service: "cloudwatch",
      operation: "GetMetricData",
      kind: "hang",
      from: 0,
      until: Number.POSITIVE_INFINITY,
    });
    const controller = new AbortController();
    const pending = f.provider({ timeoutSignal: () => controller.signal }).queryAll(tick(f, from, to));
    // The server holds the call for as long as the window lasts: only the timeout can end it.
    while (!(await heldYet(f))) {}
    controller.abort();
    const results = await pending;
    expect(results.map((r) => (r.kind === "error" ? r.reason : r.kind))).toEqual(
      Array(4).fill("GetMetricData timed out after 30s"),
    );
  });

  it("turns the sandbox's 503 and throttling windows into transient error checks, and reads again after", async () => {
    const f = await startCloudWatchFixture();
    fixture = f;
    const { from, to } = writeFiveMinutes(f);
    const provider = f.provider();
    const now = f.clock.now();
    for (const [kind, name] of [
      ["503", "ServiceUnavailable"],
      ["throttle", "Throttling"],
    ] as const) {
      const off = f.cloud.faults.window({
        service: "cloudwatch",
        operation: "GetMetricData",
        kind,
        from: now,
        until: now + MINUTE,
      });
      const results = await provider.queryAll(tick(f, from, to));
      for (const result of results) {
        expect(result).toMatchObject({
          kind: "error",
          reason: expect.stringContaining(`GetMetricData failed: ${name}`),
        });
      }
      off();
    }
    expect((await provider.queryAll(tick(f, from, to))).map(total)).toEqual([3, 500, 15, 5000]);
  });

  it("answers errors for what it cannot ask: another provider's query, an app without the variant", async () => {
    const f = await startCloudWatchFixture();
    fixture = f;
    const [datadog, noBaseline] = await f
      .provider()
      .queryAll([
        request("sum:aws.applicationelb.request_count{*}.as_count()", f.minutesAgo(2), f.minutesAgo(1)),
        request(
          { kind: "alb", metric: "RequestCount", variant: "baseline", periodSeconds: 60 },
          f.minutesAgo(2),
          f.minutesAgo(1),
        ),
      ]);
    expect(datadog).toMatchObject({
      kind: "error",
      reason: expect.stringContaining("is not a CloudWatch query"),
    });
    expect(noBaseline).toMatchObject({
      kind: "error",
      reason: expect.stringContaining("the app has no baseline target group in input.targetGroups"),
    });
  });
});

/** True once the sandbox holds a call (the fault window counted a hit). */
async function heldYet(f: CloudWatchFixture): Promise<boolean> {
  await new Promise((r) => setImmediate(r));
  return f.cloud.faults.listWindows().some((w) => w.hits > 0);
}
