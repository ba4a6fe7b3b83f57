/**
 * Virtual time for tests and benchmarks: `sleep` resolves only when `advance` moves time past it (or its
 * signal aborts). While advancing, time stops at every pending timer and at every minute boundary and
 * tells its tick listeners, so the sandbox world simulates minute by minute (task starts, health checks,
 * traffic and metrics) exactly as it would in real time, only faster.
 */
import type { Clock } from "../src/ports.js";

interface Timer {
  at: number;
  seq: number;
  fire: () => void;
}

const MINUTE_MS = 60_000;

/** 2026-01-05T09:00:00Z, a Monday morning: a fixed start keeps timestamps in test output stable. */
export const DEFAULT_VIRTUAL_START_MS = Date.UTC(2026, 0, 5, 9, 0, 0);

export class VirtualClock implements Clock {
  private current: number;
  private timers: Timer[] = [];
  private seq = 0;
  private readonly listeners = new Set<(nowMs: number) => void>();

  constructor(startMs: number = DEFAULT_VIRTUAL_START_MS) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const timer: Timer = { at: this.current + Math.max(0, ms), seq: this.seq++, fire: () => undefined };
      const abort = (): void => {
        this.timers = this.timers.filter((t) => t !== timer);
        resolve();
      };
      timer.fire = () => {
        signal?.removeEventListener("abort", abort);
        resolve();
      };
      signal?.addEventListener("abort", abort, { once: true });
      this.timers.push(timer);
    });
  }

  /** Called whenever virtual time moves (at least once per minute boundary crossed). Returns unsubscribe. */
  onTick(listener: (nowMs: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Moves time forward by `ms`: stops at each minute boundary and each due timer (in order, firing it),
   * letting promise callbacks run between steps. Resolves at `now() + ms`.
   */
  async advance(ms: number): Promise<void> {
    const target = this.current + Math.max(0, ms);
    for (;;) {
      await settle();
      const timer = this.nextTimer();
      const boundary = Math.floor(this.current / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
      const stop = Math.min(timer?.at ?? Number.POSITIVE_INFINITY, boundary, target);
      this.moveTo(stop);
      if (timer && timer.at <= stop) {
        this.timers = this.timers.filter((t) => t !== timer);
        timer.fire();
        continue;
      }
      if (stop >= target) break;
    }
    await settle();
  }

  /**
   * Runs virtual time forward until `promise` settles, a timer at a time, for at most `maxMs` of virtual
   * time. When no timer is pending the code under test is waiting on real I/O (an HTTP call to the
   * sandbox), so this waits in real time (up to `idleRealMs`) instead of jumping ahead.
   */
  async runUntilSettled(
    promise: Promise<unknown>,
    { maxMs = 24 * 60 * MINUTE_MS, idleRealMs = 10_000 }: { maxMs?: number; idleRealMs?: number } = {},
  ): Promise<void> {
    let settled = false;
    void promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    const deadline = this.current + maxMs;
    let idleSince: number | undefined;
    for (;;) {
      await settle();
      if (settled) return;
      const timer = this.nextTimer();
      if (timer && timer.at > deadline) {
        throw new Error(
          `virtual time: not settled within ${maxMs} ms (now ${new Date(this.current).toISOString()})`,
        );
      }
      if (timer) {
        idleSince = undefined;
        await this.advance(timer.at - this.current);
        continue;
      }
      idleSince ??= performance.now();
      if (performance.now() - idleSince > idleRealMs) {
        throw new Error(
          `virtual time: nothing scheduled and not settled after ${idleRealMs} ms of real time`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  pendingTimers(): number {
    return this.timers.length;
  }

  private moveTo(at: number): void {
    if (at <= this.current) return;
    this.current = at;
    for (const listener of this.listeners) listener(at);
  }

  private nextTimer(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) {
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }
}

/** Lets pending promise callbacks and I/O callbacks run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
