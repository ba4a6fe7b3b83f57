/**
 * The sandbox's counters at scrape resolution: what a Prometheus scraping the simulated ALB exporter and
 * the apps' client libraries every SCRAPE_INTERVAL_MS would read, kept beside the minute totals of
 * metric-store.ts (which only learn a minute once it is complete). The traffic model records every
 * simulated stretch's counts here; the sandbox Prometheus (prometheus-series.ts) samples them.
 *
 * Contract:
 * - Time is cut into slots [k·SCRAPE_INTERVAL_MS, (k+1)·SCRAPE_INTERVAL_MS). `record(from, to, n)` spreads
 *   a stretch's count evenly over the slots it overlaps, by overlap (the counter grows evenly through the
 *   stretch): slot values are fractional.
 * - A counter is alive in every slot a stretch of it was recorded in, zero counts included. It has a
 *   sample at each slot boundary next to an alive slot (k·SCRAPE_INTERVAL_MS when slot k−1 or k is alive),
 *   valued its total over all the slots before that boundary: it starts at 0 and never resets.
 * - A boundary's total is final once the simulation has passed it: readers ask for boundaries ≤ now only.
 * - What the traffic model records, with the metric store's names and tags: per target group
 *   `aws.applicationelb.httpcode_target_2xx`, `.httpcode_target_5xx`, `.httpcode_elb_5xx` (the group's
 *   request count is their sum and is not stored); per version `trace.http.request.hits`, `.errors`.
 * - Memory: one Float32Array per counter from its first recorded slot on, 4 bytes a slot (16 bytes a
 *   minute), grown by doubling: a counter alive for an hour holds 256 slots, 1 KiB. A slot is exact to
 *   1 part in 16 million (float32; whole counts up to 2^24 exactly) and totals are summed in float64:
 *   at sandbox rates an increase is off by a few hundred-thousandths of a request at most.
 */
import type { TagSet } from "./metric-store.js";
import { tagSetKey } from "./tag-set-key.js";

/** The scrape interval, and the width of a slot of the record. */
export const SCRAPE_INTERVAL_MS = 15_000;

/** Slots a counter's array starts with (16 minutes). */
const INITIAL_SLOTS = 64;

export type ScrapeSample = [atMs: number, total: number];

export class ScrapeCounter {
  /** Slot index of `slots[0]`. */
  private first = 0;
  /** Per slot its count; NaN where the counter was not alive. */
  private slots = new Float32Array(0);
  /** Slots in use: `slots[used..]` were never recorded. */
  private used = 0;

  constructor(readonly tags: TagSet) {}

  /** Adds `count` spread evenly over `[fromMs, toMs)`, and marks those slots alive (even for 0). */
  record(fromMs: number, toMs: number, count: number): void {
    if (!(toMs > fromMs)) return;
    const firstSlot = Math.floor(fromMs / SCRAPE_INTERVAL_MS);
    const lastSlot = Math.ceil(toMs / SCRAPE_INTERVAL_MS) - 1;
    this.reserve(firstSlot, lastSlot);
    if (firstSlot === lastSlot) {
      // Most stretches (the world steps often) lie within one slot: the count goes in whole.
      const i = firstSlot - this.first;
      const before = this.slots[i] as number;
      this.slots[i] = (Number.isNaN(before) ? 0 : before) + count;
      return;
    }
    const length = toMs - fromMs;
    for (let k = firstSlot; k <= lastSlot; k++) {
      const overlap = Math.min(toMs, (k + 1) * SCRAPE_INTERVAL_MS) - Math.max(fromMs, k * SCRAPE_INTERVAL_MS);
      const i = k - this.first;
      const before = this.slots[i] as number;
      this.slots[i] = (Number.isNaN(before) ? 0 : before) + (count * overlap) / length;
    }
  }

  /** The counter's samples at slot boundaries within `[fromMs, toMs]`, in time order (see the contract). */
  samples(fromMs: number, toMs: number): ScrapeSample[] {
    const out: ScrapeSample[] = [];
    if (this.used === 0) return out;
    const lo = Math.max(Math.ceil(fromMs / SCRAPE_INTERVAL_MS), this.first);
    const hi = Math.min(Math.floor(toMs / SCRAPE_INTERVAL_MS), this.first + this.used);
    let total = 0;
    for (let k = this.first; k < lo; k++) total += this.countIn(k);
    for (let k = lo; k <= hi; k++) {
      if (this.isAlive(k - 1) || this.isAlive(k)) out.push([k * SCRAPE_INTERVAL_MS, total]);
      total += this.countIn(k);
    }
    return out;
  }

  /** Bytes held by the slot array. */
  byteLength(): number {
    return this.slots.byteLength;
  }

  private isAlive(slot: number): boolean {
    const i = slot - this.first;
    return i >= 0 && i < this.used && !Number.isNaN(this.slots[i] as number);
  }

  private countIn(slot: number): number {
    return this.isAlive(slot) ? (this.slots[slot - this.first] as number) : 0;
  }

  private reserve(firstSlot: number, lastSlot: number): void {
    if (this.used === 0) this.first = firstSlot;
    else if (firstSlot < this.first)
      throw new Error(
        `scrape record of ${JSON.stringify(this.tags)}: slot ${firstSlot} precedes its first slot ${this.first} (time only moves forward)`,
      );
    const needed = lastSlot - this.first + 1;
    if (needed > this.slots.length) {
      let capacity = Math.max(this.slots.length, INITIAL_SLOTS);
      while (capacity < needed) capacity *= 2;
      const grown = new Float32Array(capacity).fill(Number.NaN);
      grown.set(this.slots.subarray(0, this.used));
      this.slots = grown;
    }
    this.used = Math.max(this.used, needed);
  }
}

/** Every scrape-resolution counter, by metric name and tag set. */
export class ScrapeStore {
  private readonly metrics = new Map<string, Map<string, ScrapeCounter>>();

  /** `sync` runs before every read, as the metric store's does (the simulation catches up to now). */
  constructor(private readonly sync: () => void = () => undefined) {}

  /** The counter of `metric` with exactly these tags, created on first use (writers keep it). */
  counter(metric: string, tags: TagSet): ScrapeCounter {
    const key = tagSetKey(tags);
    let byTags = this.metrics.get(metric);
    if (!byTags) {
      byTags = new Map();
      this.metrics.set(metric, byTags);
    }
    let counter = byTags.get(key);
    if (!counter) {
      counter = new ScrapeCounter({ ...tags });
      byTags.set(key, counter);
    }
    return counter;
  }

  /** Every counter of `metric`, after the simulation caught up. */
  counters(metric: string): ScrapeCounter[] {
    this.sync();
    return [...(this.metrics.get(metric)?.values() ?? [])];
  }

  /** Bytes held by every counter's slots (for memory accounting). */
  byteLength(): number {
    let bytes = 0;
    for (const byTags of this.metrics.values()) for (const c of byTags.values()) bytes += c.byteLength();
    return bytes;
  }
}
