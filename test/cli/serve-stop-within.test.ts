/**
 * The bounded stop's logic with a hand-driven timer: steps run in order; a stop that finishes in time
 * is ok; one still running when the deadline fires reports the step it was waiting for; a failing step
 * does not keep the next ones (the lease, the database) from running.
 */
import { describe, expect, it } from "vitest";
import { type StopTimers, stopWithin } from "../../src/cli/stop-within.js";

/** Timers that fire only when the test says so. */
function handTimers(): StopTimers & { fire(): void; budget: number | undefined; cleared: boolean } {
  let pending: (() => void) | undefined;
  const timers = {
    budget: undefined as number | undefined,
    cleared: false,
    setTimeout(fire: () => void, ms: number) {
      pending = fire;
      timers.budget = ms;
      return 1;
    },
    clearTimeout() {
      timers.cleared = true;
      pending = undefined;
    },
    fire() {
      pending?.();
    },
  };
  return timers;
}

function gate(): { promise: Promise<void>; open(): void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe("stopWithin", () => {
  it("runs every step in order and clears its deadline when they finish", async () => {
    const timers = handTimers();
    const ran: string[] = [];
    const step = (name: string) => ({ name, run: async () => void ran.push(name) });
    const outcome = await stopWithin([step("receiver"), step("engine"), step("lease")], 8_000, timers);
    expect(outcome).toEqual({ ok: true });
    expect(ran).toEqual(["receiver", "engine", "lease"]);
    expect(timers.budget).toBe(8_000);
    expect(timers.cleared).toBe(true);
  });

  it("gives up at the deadline, naming the step still running, and runs no later step", async () => {
    const timers = handTimers();
    const engine = gate();
    const ran: string[] = [];
    const stopping = stopWithin(
      [
        { name: "the receiver", run: async () => void ran.push("receiver") },
        { name: "the engine's steps in flight", run: () => engine.promise },
        { name: "the lease", run: async () => void ran.push("lease") },
      ],
      8_000,
      timers,
    );
    // Let the first step finish and the second start.
    await Promise.resolve();
    await Promise.resolve();
    timers.fire();
    expect(await stopping).toEqual({ ok: false, pending: "the engine's steps in flight" });
    // The engine finishing late does not run the lease step: the caller's checkpoint does that.
    engine.open();
    await engine.promise;
    await Promise.resolve();
    expect(ran).toEqual(["receiver"]);
  });

  it("goes on after a step that throws, reporting it", async () => {
    const timers = handTimers();
    const failures: string[] = [];
    const ran: string[] = [];
    const outcome = await stopWithin(
      [
        {
          name: "the Slack app",
          run: async () => {
            throw new Error("socket already closed");
          },
        },
        { name: "the lease", run: async () => void ran.push("lease") },
      ],
      8_000,
      timers,
      (step, error) => failures.push(`${step}: ${(error as Error).message}`),
    );
    expect(outcome).toEqual({ ok: true });
    expect(ran).toEqual(["lease"]);
    expect(failures).toEqual(["the Slack app: socket already closed"]);
  });
});
