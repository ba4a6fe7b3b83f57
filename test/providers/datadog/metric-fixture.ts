/**
 * A small metric store for the Datadog provider and sandbox tests: the `web` service with two versions
 * (v1 at 1000 requests and 2 errors a minute, v2 at 100 requests and 1 error, 5 errors at minute 5),
 * a latency gauge, and a sparse counter, for minutes 0–9 after 09:00 UTC.
 */
import { MetricStore } from "../../../sandbox/metric-store.js";

export const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);

/** The start of minute `n` after T0. */
export function minute(n: number): number {
  return T0 + n * 60_000;
}

export function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}

export const V1 = { service: "web", env: "prod", version: "v1" };
export const V2 = { service: "web", env: "prod", version: "v2" };

export function webStore(): MetricStore {
  const store = new MetricStore();
  for (let m = 0; m < 10; m++) {
    store.add("trace.http.request.hits", V1, minute(m), 1000);
    store.add("trace.http.request.hits", V2, minute(m), 100);
    store.add("trace.http.request.errors", V1, minute(m), 2);
    store.add("trace.http.request.errors", V2, minute(m), m === 5 ? 5 : 1);
    store.set("trace.http.request.duration.by.service.99p", V1, minute(m), 0.2);
    store.set("trace.http.request.duration.by.service.99p", V2, minute(m), 0.1 * (m + 1));
  }
  for (const m of [0, 1, 3]) store.add("custom.sparse", { service: "web" }, minute(m), 10);
  return store;
}
