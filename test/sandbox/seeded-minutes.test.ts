/**
 * The traffic model's seeded draws, pinned: one seeded canary run (canary-traffic-fixture.ts) gives these
 * minute values in the metric store, the ones the Datadog and CloudWatch fakes serve. Recording the
 * scrape-resolution counters beside them (scrape-store.ts) must not move a single draw.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CanaryRun, canaryRun } from "./canary-traffic-fixture.js";
import { MINUTE } from "./sandbox-harness.js";

let run: CanaryRun;
beforeAll(async () => {
  run = await canaryRun(4);
});
afterAll(() => run.h.close());

/** The store's values of the run's first four minutes, as `[minute, value]`. */
function minutes(metric: string, filter: Record<string, string>): Array<[number, number]> {
  return run.h.cloud.metrics
    .series(metric, filter, run.start, run.start + 4 * MINUTE)
    .map(([at, value]) => [(at - run.start) / MINUTE, value]);
}

describe("the seeded canary run's minutes", () => {
  it("keeps every ALB count, APM count and latency draw of the seed", () => {
    const primary = { targetgroup: run.tag("primary") };
    const canary = { targetgroup: run.tag("canary") };
    expect({
      primaryRequests: minutes("aws.applicationelb.request_count", primary),
      primary5xx: minutes("aws.applicationelb.httpcode_target_5xx", primary),
      canaryRequests: minutes("aws.applicationelb.request_count", canary),
      canary5xx: minutes("aws.applicationelb.httpcode_target_5xx", canary),
      canaryP99: minutes("aws.applicationelb.target_response_time.p99", canary),
      v1Hits: minutes("trace.http.request.hits", { service: "web", version: "v1" }),
      badErrors: minutes("trace.http.request.errors", { service: "web", version: "v3-bad" }),
      quietHits: minutes("trace.http.request.hits", { service: "quiet" }),
    }).toEqual({
      primaryRequests: [
        [0, 1187],
        [1, 773],
        [2, 983],
        [3, 1162],
      ],
      primary5xx: [
        [0, 4],
        [1, 1],
        [2, 2],
        [3, 2],
      ],
      canaryRequests: [
        [0, 267],
        [1, 214],
        [2, 272],
        [3, 265],
      ],
      canary5xx: [
        [0, 25],
        [1, 10],
        [2, 20],
        [3, 16],
      ],
      canaryP99: [
        [0, 0.24947120661436786],
        [1, 0.33195835432099485],
        [2, 0.252490778574319],
        [3, 0.24652203879279716],
      ],
      v1Hits: [
        [0, 1187],
        [1, 773],
        [2, 983],
        [3, 1162],
      ],
      badErrors: [
        [0, 25],
        [1, 10],
        [2, 20],
        [3, 16],
      ],
      quietHits: [
        [1, 2],
        [3, 6],
      ],
    });
  });
});
