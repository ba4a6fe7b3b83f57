/**
 * The sandbox Prometheus on a running sandbox world: the traffic model's scrape record holds exactly the
 * traffic the minute store got, and Prometheus reads it as a real one scraping every 15 s would — a
 * window off the minute counts the traffic served in it (within Prometheus's extrapolation), the
 * ingestion lag hides exactly the samples newer than now − lag, and gap minutes have no samples.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrometheusFaults } from "../../sandbox/prometheus-faults.js";
import { type SandboxPrometheus, startSandboxPrometheus } from "../../sandbox/prometheus-server.js";
import type { ScrapeCounter } from "../../sandbox/scrape-store.js";
import { PrometheusMetrics } from "../../src/providers/prometheus/prometheus-metrics.js";
import { type CanaryRun, canaryRun } from "./canary-traffic-fixture.js";
import { MINUTE } from "./sandbox-harness.js";

const ALB_COUNTS = [
  "aws.applicationelb.httpcode_target_2xx",
  "aws.applicationelb.httpcode_target_5xx",
  "aws.applicationelb.httpcode_elb_5xx",
];

let run: CanaryRun;
let prom: SandboxPrometheus;
/** Minutes from the run's start. */
const at = (minutes: number) => run.start + minutes * MINUTE;

beforeAll(async () => {
  run = await canaryRun(4);
  // Now is 5m10s into the run: off the minute and off the scrape grid.
  await run.h.clock.advance(MINUTE + 10_000);
  prom = await startSandboxPrometheus({
    source: run.h.cloud.metrics,
    clock: run.h.clock,
    faults: new PrometheusFaults({ lagMs: 15_000 }),
  });
});
afterAll(async () => {
  await prom.close();
  await run.h.close();
});

function recorded(metric: string, filter: Record<string, string>): ScrapeCounter[] {
  return run.h.cloud.metrics.scrapes
    .counters(metric)
    .filter((c) => Object.entries(filter).every(([k, v]) => c.tags[k] === v));
}

/** The record's total of the counters at a scrape instant. */
function totalAt(counters: ScrapeCounter[], atMs: number): number {
  return counters.reduce((sum, c) => sum + (c.samples(atMs, atMs)[0]?.[1] ?? 0), 0);
}

/** Requests the canary target group served in `(fromMs, toMs]` (both on the scrape grid), per the record. */
function canaryServed(fromMs: number, toMs: number): number {
  const counters = ALB_COUNTS.flatMap((m) => recorded(m, { targetgroup: run.tag("canary") }));
  return totalAt(counters, toMs) - totalAt(counters, fromMs);
}

function minuteValue(metric: string, filter: Record<string, string>, minute: number): number {
  return run.h.cloud.metrics.series(metric, filter, at(minute), at(minute + 1))[0]?.[1] ?? Number.NaN;
}

async function query(params: Record<string, string>) {
  const response = await fetch(`${prom.url}/api/v1/query?${new URLSearchParams(params)}`);
  return (await response.json()) as { data: { result: Array<{ value: [number, string] }> } };
}

const canaryTotal = () => `sum(alb_requests_total{target_group="${run.tag("canary")}"})`;
const canaryIncrease = () => `sum(increase(alb_requests_total{target_group="${run.tag("canary")}"}[1m]))`;

describe("the scrape record", () => {
  it("holds, minute by minute, the counts the metric store got (to a slot's float32 precision)", () => {
    for (const group of ["primary", "canary"] as const) {
      const tags = { targetgroup: run.tag(group) };
      const all = ALB_COUNTS.flatMap((m) => recorded(m, tags));
      const errors = recorded("aws.applicationelb.httpcode_target_5xx", tags);
      for (let m = 0; m < 4; m++) {
        const requests = totalAt(all, at(m + 1)) - totalAt(all, at(m));
        expect(requests).toBeCloseTo(minuteValue("aws.applicationelb.request_count", tags, m), 3);
        const target5xx = totalAt(errors, at(m + 1)) - totalAt(errors, at(m));
        expect(target5xx).toBeCloseTo(minuteValue("aws.applicationelb.httpcode_target_5xx", tags, m), 3);
      }
    }
    for (const version of ["v1", "v3-bad"]) {
      const tags = { service: "web", version };
      for (const metric of ["trace.http.request.hits", "trace.http.request.errors"]) {
        const counters = recorded(metric, tags);
        for (let m = 0; m < 4; m++) {
          const count = totalAt(counters, at(m + 1)) - totalAt(counters, at(m));
          expect(count).toBeCloseTo(minuteValue(metric, tags, m), 3);
        }
      }
    }
  });
});

describe("the sandbox Prometheus on the record", () => {
  it("counts the traffic served in a window off the minute, as the provider reads it with its 30 s lag", async () => {
    const provider = new PrometheusMetrics({ address: prom.url, clock: run.h.clock });
    // The newest window, [4m10s, 5m10s), read at 5m10s: the provider evaluates at 4m40s (its lag), so
    // the value stands for (3m40s, 4m40s]. Ingested by now (5m10s − 15 s): the samples 3m45s … 4m30s,
    // extrapolated 5 s back and 10 s forward. Minute 4 is not complete yet: reading minutes, this window
    // saw only its 20 s of minute 3.
    const answer = await provider.query({
      provider: "p",
      query: canaryIncrease(),
      from: at(4) + 10_000,
      to: at(5) + 10_000,
      timeoutMs: 5_000,
    });
    const sampled = canaryServed(at(3.75), at(4.5));
    expect(answer).toEqual({
      kind: "points",
      points: [[at(3) + 40_000, expect.closeTo(sampled * (60 / 45), 9)]],
    });
    // What the canary served in (3m40s, 4m40s], the record growing evenly through each slot …
    const servedSince = (slotStart: number, offsetMs: number) =>
      canaryServed(slotStart, slotStart + 15_000) * (offsetMs / 15_000);
    const served =
      canaryServed(at(3.75), at(4.5)) + servedSince(at(3.5), 5_000) + servedSince(at(4.5), 10_000);
    expect(Math.abs(sampled * (60 / 45) - served) / served).toBeLessThan(0.1);
    // … which is 20 s of minute 3 and 40 s of minute 4 of the canary's requests (the Datadog and
    // CloudWatch minutes), not the third of it the minutes alone gave.
    const request = (m: number) =>
      minuteValue("aws.applicationelb.request_count", { targetgroup: run.tag("canary") }, m);
    const mixed = (request(3) * 20 + request(4) * 40) / 60;
    expect(Math.abs(served - mixed) / mixed).toBeLessThan(0.15);
  });

  it("hides exactly the samples newer than now − lag", async () => {
    const canary = ALB_COUNTS.flatMap((m) => recorded(m, { targetgroup: run.tag("canary") }));
    // now − 25 s is 4m45s: that sample is the newest one in …
    prom.faults.setLag(25_000);
    const newest = await query({ query: canaryTotal() });
    expect(Number(newest.data.result[0]?.value[1])).toBeCloseTo(totalAt(canary, at(4.75)), 9);
    // … and with a millisecond more it is not: the newest is 4m30s.
    prom.faults.setLag(25_001);
    const older = await query({ query: canaryTotal() });
    expect(Number(older.data.result[0]?.value[1])).toBeCloseTo(totalAt(canary, at(4.5)), 9);
    expect(totalAt(canary, at(4.75))).toBeGreaterThan(totalAt(canary, at(4.5)));
    prom.faults.setLag(15_000);
  });

  it("has no samples in gap minutes", async () => {
    const canary = ALB_COUNTS.flatMap((m) => recorded(m, { targetgroup: run.tag("canary") }));
    const before = await query({ query: canaryIncrease(), time: String(at(4) / 1000) });
    expect(before.data.result).toHaveLength(1);
    prom.faults.addGap(at(3));
    // (3m, 4m] keeps only the sample at 4m: too few for an increase.
    const gap = await query({ query: canaryIncrease(), time: String(at(4) / 1000) });
    expect(gap.data.result).toEqual([]);
    // Inside the gap the newest sample is 2m45s's.
    const inside = await query({ query: canaryTotal(), time: String(at(3.9) / 1000) });
    expect(Number(inside.data.result[0]?.value[1])).toBeCloseTo(totalAt(canary, at(2.75)), 9);
  });
});
