/**
 * The scrape record (sandbox/scrape-store.ts): how a stretch's count spreads over 15-second slots, where
 * a counter is alive and has samples, its totals, and its memory.
 */
import { describe, expect, it } from "vitest";
import { SCRAPE_INTERVAL_MS, ScrapeCounter, ScrapeStore } from "../../sandbox/scrape-store.js";

const S = SCRAPE_INTERVAL_MS;
const T0 = Date.UTC(2026, 11, 6, 12, 0, 0);

describe("a scrape counter", () => {
  it("spreads a stretch's count over the slots it overlaps, by overlap", () => {
    const c = new ScrapeCounter({ app: "web" });
    // 40 over [5 s, 45 s): 10 s in the first slot, 15 s in the second, 15 s in the third.
    c.record(T0 + 5_000, T0 + 45_000, 40);
    expect(c.samples(T0, T0 + 3 * S)).toEqual([
      [T0, 0],
      [T0 + S, 10],
      [T0 + 2 * S, 25],
      [T0 + 3 * S, 40],
    ]);
  });

  it("adds stretches within one slot unscaled and sums what lands in the same slot", () => {
    const c = new ScrapeCounter({});
    c.record(T0, T0 + 4_000, 3);
    c.record(T0 + 4_000, T0 + 11_000, 0);
    c.record(T0 + 11_000, T0 + 15_000, 5);
    expect(c.samples(T0, T0 + S)).toEqual([
      [T0, 0],
      [T0 + S, 8],
    ]);
  });

  it("has samples only next to slots it was alive in, zero counts included, and keeps its total across a pause", () => {
    const c = new ScrapeCounter({});
    c.record(T0, T0 + S, 6);
    c.record(T0 + S, T0 + 2 * S, 0);
    // Not alive in [2S, 4S); alive again in [4S, 5S).
    c.record(T0 + 4 * S, T0 + 5 * S, 3);
    expect(c.samples(T0 - 2 * S, T0 + 10 * S)).toEqual([
      [T0, 0],
      [T0 + S, 6],
      [T0 + 2 * S, 6],
      [T0 + 4 * S, 6],
      [T0 + 5 * S, 9],
    ]);
    // A window starting later still reports the total so far.
    expect(c.samples(T0 + 4 * S + 1, T0 + 5 * S)).toEqual([[T0 + 5 * S, 9]]);
    expect(new ScrapeCounter({}).samples(T0, T0 + S)).toEqual([]);
  });

  it("grows its array by doubling, 4 bytes a slot, and refuses to go back before its first slot", () => {
    const c = new ScrapeCounter({ app: "web" });
    c.record(T0, T0 + 1_000, 1);
    expect(c.byteLength()).toBe(64 * 4);
    c.record(T0 + 59 * 60_000, T0 + 60 * 60_000, 1);
    expect(c.byteLength()).toBe(256 * 4);
    expect(c.samples(T0 + 60 * 60_000, T0 + 60 * 60_000)).toEqual([[T0 + 60 * 60_000, 2]]);
    expect(() => c.record(T0 - S, T0, 1)).toThrow(/precedes its first slot/);
  });
});

describe("the scrape store", () => {
  it("keeps one counter per metric and tag set, whatever the tags' order, and syncs before a read", () => {
    let syncs = 0;
    const store = new ScrapeStore(() => {
      syncs++;
    });
    const a = store.counter("hits", { app: "web", version: "v1" });
    expect(store.counter("hits", { version: "v1", app: "web" })).toBe(a);
    expect(store.counter("errors", { app: "web", version: "v1" })).not.toBe(a);
    a.record(T0, T0 + S, 1);
    expect(store.counters("hits")).toEqual([a]);
    expect(store.counters("nothing")).toEqual([]);
    expect(syncs).toBe(2);
    expect(store.byteLength()).toBe(64 * 4);
  });
});
