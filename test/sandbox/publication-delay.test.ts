/**
 * The sandbox servers' optional publication delays, over the wire: the sandbox CloudWatch's
 * `publishDelayMs` (a minute is served only once it is that old past its end) and the sandbox Datadog's
 * `publishedUntil` (batches, as Datadog's AWS integration crawls CloudWatch). Without them nothing moves.
 */
import type { Server } from "node:http";
import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { afterEach, describe, expect, it } from "vitest";
import { createCloudWatchServer } from "../../sandbox/cloudwatch-server.js";
import { DatadogFaults } from "../../sandbox/datadog-faults.js";
import { type SandboxDatadog, startSandboxDatadog } from "../../sandbox/datadog-server.js";
import { closeServer, listen } from "../../sandbox/sandbox-http.js";
import { type SandboxCloud, startSandboxCloud } from "../../sandbox/start-sandbox-cloud.js";
import { VirtualClock } from "../../sandbox/virtual-clock.js";
import { FakeClock } from "../fakes/fake-clock.js";
import { minute, seconds, webStore } from "../providers/datadog/metric-fixture.js";

const MINUTE = 60_000;
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("sandbox CloudWatch publishDelayMs", () => {
  async function setUp(): Promise<{ cloud: SandboxCloud; clock: VirtualClock; now0: number }> {
    const clock = new VirtualClock();
    const cloud = await startSandboxCloud({ clock });
    cleanups.push(() => cloud.close());
    const now0 = clock.now();
    const m0 = Math.floor(now0 / MINUTE) * MINUTE;
    const tags = { targetgroup: "targetgroup/t/1", loadbalancer: "app/lb/1" };
    for (let k = 1; k <= 5; k++)
      cloud.metrics.add("aws.applicationelb.request_count", tags, m0 - k * MINUTE, 100);
    return { cloud, clock, now0 };
  }

  async function requestCounts(cloud: SandboxCloud, publishDelayMs?: number): Promise<number[]> {
    const { server } = createCloudWatchServer(
      { world: cloud.world, faults: cloud.faults, log: cloud.calls },
      { source: cloud.metrics, ...(publishDelayMs !== undefined ? { publishDelayMs } : {}) },
    );
    const endpoint = await listen(server, "127.0.0.1", 0);
    const client = new CloudWatchClient({
      endpoint,
      region: cloud.region,
      credentials: { accessKeyId: "sandbox", secretAccessKey: "sandbox" },
    });
    cleanups.push(() => closeServer(server as Server));
    cleanups.push(() => client.destroy());
    const now = cloud.clock.now();
    const answer = await client.send(
      new GetMetricDataCommand({
        StartTime: new Date(now - 10 * MINUTE),
        EndTime: new Date(now + MINUTE),
        MetricDataQueries: [
          {
            Id: "requests",
            MetricStat: {
              Metric: {
                Namespace: "AWS/ApplicationELB",
                MetricName: "RequestCount",
                Dimensions: [
                  { Name: "TargetGroup", Value: "targetgroup/t/1" },
                  { Name: "LoadBalancer", Value: "app/lb/1" },
                ],
              },
              Period: 60,
              Stat: "Sum",
            },
          },
        ],
      }),
    );
    return (answer.MetricDataResults?.[0]?.Timestamps ?? []).map((t) => t.getTime()).sort((a, b) => a - b);
  }

  it("serves every written minute by default", async () => {
    const { cloud } = await setUp();
    expect(await requestCounts(cloud)).toHaveLength(5);
  });

  it("serves a minute only once it ended the delay ago", async () => {
    const { cloud, clock, now0 } = await setUp();
    const m0 = Math.floor(now0 / MINUTE) * MINUTE;
    // Two minutes of delay: at now0 (in minute m0) the minutes m0−1 and m0−2 are not published yet.
    expect(await requestCounts(cloud, 2 * MINUTE)).toEqual([
      m0 - 5 * MINUTE,
      m0 - 4 * MINUTE,
      m0 - 3 * MINUTE,
    ]);
    await clock.advance(m0 + MINUTE - now0);
    expect(await requestCounts(cloud, 2 * MINUTE)).toContain(m0 - 2 * MINUTE);
    expect(await requestCounts(cloud, 2 * MINUTE)).not.toContain(m0 - MINUTE);
  });
});

describe("sandbox Datadog publishedUntil", () => {
  async function start(publishedUntil?: (now: number) => number): Promise<SandboxDatadog> {
    const clock = new FakeClock(minute(10) + 20_000);
    const datadog = await startSandboxDatadog({
      source: webStore(),
      clock,
      faults: new DatadogFaults(),
      ...(publishedUntil ? { publishedUntil } : {}),
    });
    cleanups.push(() => datadog.close());
    return datadog;
  }

  async function pointTimes(datadog: SandboxDatadog): Promise<number[]> {
    const params = new URLSearchParams({
      from: String(seconds(minute(0))),
      to: String(seconds(minute(10))),
      query: "sum:trace.http.request.hits{version:v1}.as_count()",
    });
    const response = await fetch(`${datadog.url}/api/v1/query?${params}`, {
      headers: { "DD-API-KEY": "api", "DD-APPLICATION-KEY": "app" },
    });
    const body = (await response.json()) as { series: Array<{ pointlist: Array<[number, number]> }> };
    return body.series.flatMap((s) => s.pointlist.map(([at]) => at));
  }

  it("serves every minute up to now − lag by default", async () => {
    expect(await pointTimes(await start())).toHaveLength(10);
  });

  it("holds back what the last batch has not brought yet", async () => {
    // The last crawl brought the minutes before minute 4.
    const times = await pointTimes(await start(() => minute(4)));
    expect(times).toEqual([minute(0), minute(1), minute(2), minute(3)]);
  });
});
