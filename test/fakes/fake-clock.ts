/**
 * Virtual time: `sleep` resolves only when the test advances the clock past it (or its signal aborts).
 * `runUntilSettled` lets a 6-hour deployment run in milliseconds.
 */
import type { Clock } from "../../src/ports.js";

interface Timer {
  at: number;
  resolve: () => void;
}

export class FakeClock implements Clock {
  private timers: Timer[] = [];

  constructor(private current = Date.UTC(2026, 10, 22, 9, 0, 0)) {}

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const timer: Timer = { at: this.current + ms, resolve };
      const abort = (): void => {
        this.timers = this.timers.filter((t) => t !== timer);
        resolve();
      };
      timer.resolve = () => {
        signal?.removeEventListener("abort", abort);
        resolve();
      };
      signal?.addEventListener("abort", abort, { once: true });
      this.timers.push(timer);
    });
  }

  /** Moves time forward by `ms`, firing every timer due on the way, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      await settle();
      const next = this.nextTimer();
      if (!next || next.at > target) break;
      this.fire(next);
    }
    this.current = target;
    await settle();
  }

  /**
   * Runs virtual time forward until `promise` settles; fails after `maxSteps` timer firings. While no
   * virtual timer is pending (real I/O in flight, e.g. HTTP to a sandbox server) it waits in real time.
   */
  async runUntilSettled(promise: Promise<unknown>, maxSteps = 10_000): Promise<void> {
    let settled = false;
    void promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    let fired = 0;
    for (let idle = 0; idle < 30_000; ) {
      await settle();
      if (settled) return;
      const next = this.nextTimer();
      if (next) {
        this.fire(next);
        if (++fired >= maxSteps) break;
      } else {
        idle++;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
    throw new Error(
      `virtual time: not settled after ${fired} timers (now ${new Date(this.current).toISOString()})`,
    );
  }

  pendingTimers(): number {
    return this.timers.length;
  }

  private nextTimer(): Timer | undefined {
    return this.timers.reduce<Timer | undefined>(
      (a, t) => (a === undefined || t.at < a.at ? t : a),
      undefined,
    );
  }

  private fire(timer: Timer): void {
    this.timers = this.timers.filter((t) => t !== timer);
    this.current = Math.max(this.current, timer.at);
    timer.resolve();
  }
}

/** Lets pending promise callbacks and I/O callbacks run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
