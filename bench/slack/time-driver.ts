/**
 * Virtual time for `bench:slack`, moved the way the demo moves it: a step of virtual time, then a short
 * real pause so that what the step set off (the bot's HTTP calls to the sandbox ECS, ALB, Datadog and
 * Slack on loopback) gets real time to run. Waits of minutes (task starts, analysis intervals, Slack's
 * Retry-After) pass in milliseconds; the HTTP, SQLite and rendering work stays real, and that work is
 * what the benchmark measures.
 */
import { setTimeout as realSleep } from "node:timers/promises";
import type { VirtualClock } from "../../sandbox/virtual-clock.js";

/** How fast virtual time moves: `stepMs` of virtual time, then `pauseMs` of real time, repeated. */
export interface Pace {
  stepMs: number;
  pauseMs: number;
}

const HOUR_MS = 3_600_000;

/**
 * Moves virtual time until `done()` holds; fails with `what` in the message when `limitMs` of virtual
 * time pass first (a deployment stuck for hours is a finding, not something to wait out).
 */
export async function driveUntil(
  clock: VirtualClock,
  done: () => boolean,
  pace: Pace,
  what: string,
  limitMs = 6 * HOUR_MS,
): Promise<void> {
  const limit = clock.now() + limitMs;
  while (!done()) {
    if (clock.now() > limit)
      throw new Error(`${what}: not reached within ${limitMs / 60_000} virtual minutes`);
    await realSleep(pace.pauseMs);
    await clock.advance(pace.stepMs);
  }
}

/**
 * Waits until the bot has sent every queued Slack message. A channel paused by a 429 sleeps on the
 * virtual clock, so time keeps moving (a second per turn) while waiting; gives up after `limitMs` of
 * virtual time and says whether the queue drained.
 */
export async function settleSlack(
  bot: { idle(): Promise<void> },
  clock: VirtualClock,
  limitMs = 6 * HOUR_MS,
): Promise<boolean> {
  let idle = false;
  void bot.idle().then(() => {
    idle = true;
  });
  const limit = clock.now() + limitMs;
  while (!idle && clock.now() < limit) {
    await realSleep(5);
    if (!idle) await clock.advance(1_000);
  }
  return idle;
}

/** A background loop moving virtual time at `pace` until stopped. */
export interface BackgroundTime {
  /** Ends the loop after its current step; resolves once it has. */
  stop(): Promise<void>;
}

export function backgroundTime(clock: VirtualClock, pace: Pace): BackgroundTime {
  let running = true;
  const loop = (async () => {
    while (running) {
      await realSleep(pace.pauseMs);
      if (running) await clock.advance(pace.stepMs);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}
