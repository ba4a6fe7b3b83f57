/**
 * Waiting on a bot that runs on virtual time while its HTTP (sandbox Slack, ECS, ALB, Datadog) is real:
 * time has to keep moving for the engine's sleeps, the sandbox world and a channel paused by a 429 to
 * progress, and real time has to pass between steps for the loopback requests to complete. The demo
 * and the end-to-end tests wait this way.
 */
import { setTimeout as realSleep } from "node:timers/promises";
import { KanariaError } from "../../src/domain/kanaria-error.js";
import type { VirtualClock } from "../virtual-clock.js";

export interface AdvanceUntilOptions {
  /** Virtual time per step (default 5 s). */
  stepMs?: number;
  /** Real time between steps, for loopback I/O to run (default 3 ms). */
  pauseMs?: number;
  /** Virtual time after which waiting fails (default 3 h). */
  limitMs?: number;
  /** What is awaited, for the error when it never comes. */
  what?: string;
}

/**
 * Moves virtual time, a step at a time, until `done()` holds; throws a `VIRTUAL_WAIT_TIMEOUT` error once
 * `limitMs` of virtual time passed without it.
 */
export async function advanceUntil(
  clock: VirtualClock,
  done: () => boolean,
  options: AdvanceUntilOptions = {},
): Promise<void> {
  const limitMs = options.limitMs ?? 3 * 3_600_000;
  const limit = clock.now() + limitMs;
  while (!done()) {
    if (clock.now() > limit) {
      throw new KanariaError(
        "VIRTUAL_WAIT_TIMEOUT",
        `${options.what ?? "the awaited condition"} did not happen within ${limitMs / 60_000} virtual minutes`,
      );
    }
    await realSleep(options.pauseMs ?? 3);
    await clock.advance(options.stepMs ?? 5_000);
  }
}

/**
 * Waits until `idle()` resolves (every queued Slack message sent or given up). A channel paused by a 429
 * sleeps on the virtual clock, so time moves a second per step while waiting. Gives up silently after
 * `maxSteps` steps (the caller's own checks then say what is missing).
 */
export async function settleWhileAdvancing(
  clock: VirtualClock,
  idle: () => Promise<void>,
  maxSteps = 10_000,
): Promise<void> {
  let isIdle = false;
  void idle().then(() => {
    isIdle = true;
  });
  for (let i = 0; i < maxSteps && !isIdle; i++) {
    await realSleep(5);
    if (!isIdle) await clock.advance(1_000);
  }
}
