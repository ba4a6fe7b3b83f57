import { afterEach, describe, expect, test } from "vitest";
import type { SeededApp } from "../../sandbox/seed-app.js";
import { routeToCanary, targetGroupTag } from "./canary-traffic-fixture.js";
import { type Harness, MINUTE, startHarness } from "./sandbox-harness.js";

const config = (seed = 42) => ({
  seed,
  apps: [{ name: "web", requestsPerSecond: 50, desiredCount: 4, env: "prd" }],
  tasks: { startDelayMs: 20_000, healthCheckDelayMs: 15_000 },
  versions: {
    "v3-bad": { errorRate: 0.05 },
    "v4-slow": { latency: { medianMs: 400, p99Ms: 2000 } },
    "v9-crash": { crashOnStart: true },
  },
});

const open: Harness[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

interface Scenario {
  h: Harness;
  app: SeededApp;
  from: number;
  to: number;
  /** Sum of a metric over the window for one of the app's target groups. */
  total(metric: string, group: "primary" | "canary"): number;
}

/**
 * Seeds `web` on v1, optionally starts a 100% canary task set on `version` (healthy before traffic
 * moves), sets the weights, then runs `minutes` whole minutes of traffic.
 */
async function run({
  seed = 42,
  version,
  weights,
  minutes = 30,
}: {
  seed?: number;
  version?: string;
  weights: [number, number];
  minutes?: number;
}): Promise<Scenario> {
  const h = await startHarness({ config: config(seed) });
  open.push(h);
  const app = h.cloud.seedApp({ app: "web", initialVersion: "v1" });
  await routeToCanary(h, app, version, weights);
  const from = Math.ceil(h.clock.now() / MINUTE) * MINUTE;
  await h.clock.advance(from - h.clock.now() + minutes * MINUTE);
  const to = from + minutes * MINUTE;
  const tag = (group: "primary" | "canary") => targetGroupTag(app, group);
  return {
    h,
    app,
    from,
    to,
    total: (metric, group) =>
      h.cloud.metrics
        .series(metric, { targetgroup: tag(group) }, from, to)
        .reduce((sum, [, v]) => sum + v, 0),
  };
}

const REQUESTS = "aws.applicationelb.request_count";
const TARGET_5XX = "aws.applicationelb.httpcode_target_5xx";
const ELB_5XX = "aws.applicationelb.httpcode_elb_5xx";

describe("traffic through listener weights", () => {
  test("an 80/20 split sends 20% of 30 minutes of requests to the canary (binomial tolerance)", async () => {
    const s = await run({ version: "v2", weights: [80, 20] });
    const primary = s.total(REQUESTS, "primary");
    const canary = s.total(REQUESTS, "canary");
    const total = primary + canary;
    // 50 req/s for 30 min with ±10% per-minute noise.
    expect(total).toBeGreaterThan(80_000);
    expect(total).toBeLessThan(100_000);
    // σ of the share is √(0.2·0.8/90 000) ≈ 0.0013; allow 5σ.
    expect(Math.abs(canary / total - 0.2)).toBeLessThan(0.0067);
    expect(s.h.cloud.metrics.series(REQUESTS, { app: "web" }, s.from, s.to)).toHaveLength(30);
    expect(s.total(ELB_5XX, "canary")).toBe(0);
  });

  test("a version with a 5% error rate shows ~5% target 5xx in its target group and its APM series", async () => {
    const s = await run({ version: "v3-bad", weights: [50, 50] });
    const canaryRate = s.total(TARGET_5XX, "canary") / s.total(REQUESTS, "canary");
    const primaryRate = s.total(TARGET_5XX, "primary") / s.total(REQUESTS, "primary");
    // n ≈ 45 000 per side: σ ≈ 0.001 at 5%, ≈ 0.0002 at 0.2%.
    expect(Math.abs(canaryRate - 0.05)).toBeLessThan(0.005);
    expect(Math.abs(primaryRate - 0.002)).toBeLessThan(0.0012);

    const apm = (metric: string, version: string) =>
      s.h.cloud.metrics
        .series(metric, { service: "web", version, env: "prd" }, s.from, s.to)
        .reduce((sum, [, v]) => sum + v, 0);
    const bad = apm("trace.http.request.errors", "v3-bad") / apm("trace.http.request.hits", "v3-bad");
    expect(Math.abs(bad - 0.05)).toBeLessThan(0.005);
    expect(apm("trace.http.request.hits", "v3-bad")).toBe(s.total(REQUESTS, "canary"));
  });

  test("a target group with weight but no healthy target answers with ELB 5xx", async () => {
    const s = await run({ weights: [90, 10], minutes: 10 });
    const canaryRequests = s.total(REQUESTS, "canary");
    expect(canaryRequests).toBeGreaterThan(2000);
    expect(s.total(ELB_5XX, "canary")).toBe(canaryRequests);
    expect(s.total("aws.applicationelb.httpcode_target_2xx", "canary")).toBe(0);
    expect(s.total(ELB_5XX, "primary")).toBe(0);
    expect(
      s.h.cloud.metrics.series("aws.applicationelb.target_response_time.p99", { app: "web" }, s.from, s.to),
    ).toHaveLength(10);
  });

  test("a version that crashes on start gets no healthy targets, so its traffic is ELB 5xx", async () => {
    const s = await run({ version: "v9-crash", weights: [90, 10], minutes: 5 });
    expect(s.total(ELB_5XX, "canary")).toBe(s.total(REQUESTS, "canary"));
    expect(s.total(ELB_5XX, "canary")).toBeGreaterThan(1000);
  });

  test("response time percentiles follow each version's latency profile", async () => {
    const s = await run({ version: "v4-slow", weights: [50, 50], minutes: 10 });
    const p99 = (group: "primary" | "canary") => {
      const points = s.h.cloud.metrics.series(
        "aws.applicationelb.target_response_time.p99",
        {
          targetgroup: `targetgroup/${s.app.targetGroups[group].name}/${s.app.targetGroups[group].arn.split("/").pop()}`,
        },
        s.from,
        s.to,
      );
      return points.reduce((sum, [, v]) => sum + v, 0) / points.length;
    };
    expect(p99("canary")).toBeGreaterThan(1.6);
    expect(p99("canary")).toBeLessThan(2.4);
    expect(p99("primary")).toBeGreaterThan(0.2);
    expect(p99("primary")).toBeLessThan(0.3);
  });

  test("the same seed gives the same metrics; another seed gives other ones", async () => {
    const series = (s: Scenario) => s.h.cloud.metrics.series(TARGET_5XX, { app: "web" }, s.from, s.to);
    const a = await run({ seed: 7, version: "v3-bad", weights: [80, 20], minutes: 5 });
    const b = await run({ seed: 7, version: "v3-bad", weights: [80, 20], minutes: 5 });
    const c = await run({ seed: 8, version: "v3-bad", weights: [80, 20], minutes: 5 });
    expect(series(a)).toEqual(series(b));
    expect(series(a)).not.toEqual(series(c));
    expect(a.app.listenerArn).toBe(b.app.listenerArn);
  });

  test("ALB metrics carry the load balancer, host name, app and env tags", async () => {
    const s = await run({ weights: [100, 0], minutes: 1 });
    const tagSets = s.h.cloud.metrics.tagSets(REQUESTS);
    expect(tagSets).toHaveLength(1);
    const lbId = s.app.loadBalancerArn.split("/").pop();
    expect(tagSets[0]?.tags).toEqual({
      targetgroup: `targetgroup/web-blue/${s.app.targetGroups.primary.arn.split("/").pop()}`,
      loadbalancer: `app/web-alb/${lbId}`,
      hostname: s.app.loadBalancerDnsName,
      app: "web",
      env: "prd",
      region: "us-east-1",
    });
  });
});
