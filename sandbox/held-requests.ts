/**
 * Requests a `hang` fault window holds: each waits until the world's clock reaches its window's end, or
 * until its connection closes (the client gave up, or the server is closing), whichever comes first.
 *
 * Waiting polls the clock in real time instead of sleeping on it: a held request must not be a pending
 * timer of a virtual clock, or `runUntilSettled` would jump straight to the window's end and the hang
 * would never be seen. The poll runs only while something is held, and is unref'd; `dropAll` (on
 * close) lets every held request go, so none outlives its server.
 */
import type { Socket } from "node:net";

const POLL_MS = 10;

interface Held {
  until: number;
  settle: (released: boolean) => void;
}

export class HeldRequests {
  private readonly held = new Set<Held>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly now: () => number) {}

  /** Resolves true once `now() >= until`, false if `socket` closes first or everything is dropped. */
  hold(until: number, socket: Socket): Promise<boolean> {
    if (this.now() >= until) return Promise.resolve(true);
    if (socket.destroyed) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const entry: Held = {
        until,
        settle: (released) => {
          this.held.delete(entry);
          socket.off("close", onClose);
          if (this.held.size === 0) this.stopPolling();
          resolve(released);
        },
      };
      const onClose = (): void => entry.settle(false);
      socket.once("close", onClose);
      this.held.add(entry);
      this.timer ??= setInterval(() => this.check(), POLL_MS).unref();
    });
  }

  /** Releases every request whose window has ended. */
  check(): void {
    const now = this.now();
    for (const entry of [...this.held]) if (now >= entry.until) entry.settle(true);
  }

  dropAll(): void {
    for (const entry of [...this.held]) entry.settle(false);
    this.stopPolling();
  }

  size(): number {
    return this.held.size;
  }

  private stopPolling(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
