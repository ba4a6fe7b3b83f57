/**
 * The freeze rule: is a deployment of `app` refused at `now`, and who may deploy anyway. Pure: `now` is
 * passed in, nothing is scheduled and no clock is read.
 *
 * A freeze's window starts at every start of its cron schedule and lasts `durationMs`: it is in force at
 * `now` when some start s satisfies s ≤ now < s + duration. Starts are computed by croner in the
 * freeze's time zone, with the semantics set once in ./cron-schedule.ts (day-of-month AND day-of-week;
 * a fixed-time start in a spring-forward gap moves to the gap's end, one in a repeated hour happens
 * once; `*` and step schedules skip the gap and repeat the hour). The latest start decides: in a
 * repeated hour the later start is the one that says when the window ends.
 *
 * Speed: one croner `previousRuns` per freeze and call (a fraction of a millisecond); the schedule is
 * built once per FreezeWindow object.
 */
import type { Cron } from "croner";
import { cronSchedule, isTimeZone } from "./cron-schedule.js";
import { KanariaError } from "./kanaria-error.js";

/**
 * A recurring window in which `/deploy` is refused (kanaria.yaml `freezes:`), unless one of `overriders`
 * deploys anyway, which is audited. Each time `cron` fires, a window of `durationMs` starts.
 */
export interface FreezeWindow {
  /** Unique among the freezes; one word, shown in Slack. */
  name: string;
  /** Cron expression (5 fields, or 6 with seconds first), read in `timezone`; already validated. */
  cron: string;
  /** How long each window lasts from its start: more than 0, at most 31 days. */
  durationMs: number;
  /** IANA time zone the cron expression is read in; default `UTC`. */
  timezone: string;
  /** Names of the apps it freezes (each one listed under `apps:`); undefined = every app. */
  apps: string[] | undefined;
  /** Slack user ids / user-group ids who may deploy during the freeze; empty = nobody. */
  overriders: string[];
  /** Shown to people whose deployment is refused; "" when not given. */
  reason: string;
}

/** A freeze in force: the window that contains `now`. */
export interface ActiveFreeze {
  freeze: FreezeWindow;
  /** UTC ms of the cron start that opened this window. */
  startedAt: number;
  /** UTC ms when deployments are allowed again (exclusive). */
  endsAt: number;
}

/** The next window to open, for help and status texts ("next freeze: weekend from Fri 18:00"). */
export interface UpcomingFreeze {
  freeze: FreezeWindow;
  startsAt: number;
  endsAt: number;
}

/** Whether `freeze` covers `app` (a freeze without `apps` covers every app). */
export function freezesApp(freeze: FreezeWindow, app: string): boolean {
  return freeze.apps === undefined || freeze.apps.includes(app);
}

/**
 * The freeze in force for `app` at `now` (UTC ms), or undefined. When several are in force, the one
 * whose window ends last (that is how long the app stays frozen); on a tie, the first listed.
 * Throws KanariaError `FREEZE_INVALID` for a cron expression or time zone that config validation would
 * have refused.
 */
export function activeFreeze(
  freezes: readonly FreezeWindow[],
  app: string,
  now: number,
): ActiveFreeze | undefined {
  let best: ActiveFreeze | undefined;
  for (const freeze of freezes) {
    if (!freezesApp(freeze, app)) continue;
    const startedAt = latestStart(scheduleOf(freeze), now);
    if (startedAt === undefined) continue;
    const endsAt = startedAt + freeze.durationMs;
    if (endsAt <= now) continue;
    if (best === undefined || endsAt > best.endsAt) best = { freeze, startedAt, endsAt };
  }
  return best;
}

/** How far ahead `nextFreezeStart` looks: 8 years, so that a window on 29 February is always found. */
const LOOKAHEAD_MS = 8 * 366 * 86_400_000;

/**
 * The earliest window for `app` that opens strictly after `now`, or undefined when none opens within
 * 8 years. A window already in force is not "next"; ask `activeFreeze` for that.
 */
export function nextFreezeStart(
  freezes: readonly FreezeWindow[],
  app: string,
  now: number,
): UpcomingFreeze | undefined {
  let best: UpcomingFreeze | undefined;
  for (const freeze of freezes) {
    if (!freezesApp(freeze, app)) continue;
    const startsAt = scheduleOf(freeze).nextRun(new Date(now))?.getTime();
    if (startsAt === undefined || startsAt > now + LOOKAHEAD_MS) continue;
    if (best === undefined || startsAt < best.startsAt) {
      best = { freeze, startsAt, endsAt: startsAt + freeze.durationMs };
    }
  }
  return best;
}

/**
 * Whether `actor` (a Slack user id) may deploy despite `freeze`: listed as an overrider, or a member of
 * a listed user group (`actorGroups`). Nobody may when the freeze lists no overriders.
 */
export function mayOverrideFreeze(
  freeze: FreezeWindow,
  actor: string,
  actorGroups: readonly string[],
): boolean {
  return freeze.overriders.includes(actor) || actorGroups.some((group) => freeze.overriders.includes(group));
}

const schedules = new WeakMap<FreezeWindow, Cron>();

/** The croner schedule of a freeze, kept per FreezeWindow object (config objects are long-lived). */
function scheduleOf(freeze: FreezeWindow): Cron {
  const cached = schedules.get(freeze);
  if (cached) return cached;
  if (!isTimeZone(freeze.timezone)) {
    throw new KanariaError("FREEZE_INVALID", `freeze "${freeze.name}": unknown time zone`);
  }
  let schedule: Cron;
  try {
    schedule = cronSchedule(freeze.cron, freeze.timezone);
  } catch (cause) {
    throw new KanariaError("FREEZE_INVALID", `freeze "${freeze.name}": invalid cron expression`, { cause });
  }
  schedules.set(freeze, schedule);
  return schedule;
}

/** The latest start s ≤ now, or undefined. croner's `previousRuns` excludes its reference: ask from now + 1 ms. */
function latestStart(schedule: Cron, now: number): number | undefined {
  return schedule.previousRuns(1, new Date(now + 1))[0]?.getTime();
}
