/**
 * The freeze rule: is a deployment of `app` refused at `now`, and who may deploy anyway. Pure: `now` is
 * passed in, nothing is scheduled and no clock is read.
 *
 * A freeze's window starts at every instant its cron expression matches, in the freeze's time zone, and
 * lasts `durationMs`: it is in force at `now` when some start s satisfies s ≤ now < s + duration. Cron
 * semantics are node-cron's (the expression is expanded by node-cron's own `parse`, and the tests check
 * every start against node-cron's matcher):
 * - an instant matches when its wall-clock reading in the zone matches every field — day-of-month AND
 *   day-of-week, unlike Vixie cron's OR (`0 0 13 * fri` is Friday the 13th);
 * - so a start inside a spring-forward gap never happens that year, and one inside a fall-back hour
 *   happens twice (the later one then decides when the window ends).
 *
 * Speed: node-cron's matcher reads the zone with Intl for every instant it tests (~30 µs), so testing
 * the 44 640 minutes of a 31-day window would take over a second. Instead this walks whole local days
 * backwards (a day is dropped by arithmetic unless month, day-of-month and day-of-week match), and on a
 * matching day turns wall-clock times into instants with the day's UTC offsets (two Intl reads per day,
 * a binary search on the days where the offset changes; memoised per zone and day). A call costs a few
 * microseconds per freeze once the days are known.
 */
import { parse } from "node-cron";
import { KanariaError } from "./kanaria-error.js";

/**
 * A recurring window in which `/deploy` is refused (kanaria.yaml `freezes:`), unless one of `overriders`
 * deploys anyway, which is audited. Each time `cron` fires, a window of `durationMs` starts.
 */
export interface FreezeWindow {
  /** Unique among the freezes; one word, shown in Slack. */
  name: string;
  /** node-cron expression (5 fields, or 6 with seconds first), read in `timezone`; already validated. */
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
    const startedAt = latestStart(scheduleOf(freeze), now, now - freeze.durationMs);
    if (startedAt === undefined) continue;
    const endsAt = startedAt + freeze.durationMs;
    if (best === undefined || endsAt > best.endsAt) best = { freeze, startedAt, endsAt };
  }
  return best;
}

/** How far ahead `nextFreezeStart` looks: 8 years, so that a window on 29 February is always found. */
const LOOKAHEAD_DAYS = 8 * 366;

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
    const startsAt = earliestStartAfter(scheduleOf(freeze), now, best?.startsAt);
    if (startsAt === undefined) continue;
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

// ---------------------------------------------------------------------------------------------------
// Cron schedules over local days.

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** A local calendar day, as the day fields of a cron expression look at it. */
interface CalendarDay {
  year: number;
  month: number;
  day: number;
  /** 0 = Sunday. */
  weekday: number;
  /** The last day of the month. */
  last: number;
}

type DayRule = (date: CalendarDay) => boolean;

interface Schedule {
  /** Seconds of the local day at which a start may happen, ascending (from the time fields). */
  times: number[];
  months: ReadonlySet<number>;
  /** A day matches when any day-of-month rule AND any day-of-week rule match. */
  daysOfMonth: DayRule[];
  daysOfWeek: DayRule[];
  zone: Zone;
}

const schedules = new WeakMap<FreezeWindow, Schedule>();

/** The expanded schedule of a freeze, kept per FreezeWindow object (config objects are long-lived). */
function scheduleOf(freeze: FreezeWindow): Schedule {
  const cached = schedules.get(freeze);
  if (cached) return cached;
  let fields: ReturnType<typeof parse>;
  try {
    fields = parse(freeze.cron);
  } catch (cause) {
    throw new KanariaError("FREEZE_INVALID", `freeze "${freeze.name}": invalid cron expression`, { cause });
  }
  const times: number[] = [];
  for (const hour of fields.hour) {
    for (const minute of fields.minute) {
      for (const second of fields.second) times.push(hour * 3600 + minute * 60 + second);
    }
  }
  const schedule: Schedule = {
    times: [...new Set(times)].sort((a, b) => a - b),
    months: new Set(fields.month),
    daysOfMonth: fields.dayOfMonth.map(dayOfMonthRule),
    daysOfWeek: fields.dayOfWeek.map(dayOfWeekRule),
    zone: zoneOf(freeze),
  };
  schedules.set(freeze, schedule);
  return schedule;
}

/** The latest start s with after < s ≤ now, or undefined. */
function latestStart(schedule: Schedule, now: number, after: number): number | undefined {
  const { zone } = schedule;
  for (let day = latestLocalDay(now); day >= earliestLocalDay(after); day--) {
    if (!dayMatches(schedule, day)) continue;
    const clock = zone.dayClock(day);
    let found: number | undefined;
    for (let i = schedule.times.length - 1; i >= 0; i--) {
      for (const at of clock.instants((schedule.times[i] ?? 0) * 1000)) {
        if (at <= now && (found === undefined || at > found)) found = at;
      }
      // Local order is instant order on a day without an offset change: the first hit is the latest.
      if (found !== undefined && !clock.changes) break;
    }
    // Days are walked from late to early, so the first day with a start ≤ now holds the latest one.
    if (found !== undefined) return found > after ? found : undefined;
  }
  return undefined;
}

/** The earliest start s with s > now (and below `before`, when given), or undefined. */
function earliestStartAfter(schedule: Schedule, now: number, before?: number): number | undefined {
  const { zone } = schedule;
  const first = earliestLocalDay(now);
  for (let day = first; day <= first + LOOKAHEAD_DAYS; day++) {
    // Local day `day` starts no earlier than its UTC midnight − 14h.
    if (before !== undefined && day * DAY_MS - 14 * HOUR_MS >= before) return undefined;
    if (!dayMatches(schedule, day)) continue;
    const clock = zone.dayClock(day);
    let found: number | undefined;
    for (const time of schedule.times) {
      for (const at of clock.instants(time * 1000)) {
        if (at > now && (found === undefined || at < found)) found = at;
      }
      if (found !== undefined && !clock.changes) break;
    }
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Bounds of the local calendar day at `instant` in any zone (UTC offsets lie within −12h…+14h), so that
 * the zone need not be asked: a day too many is harmless, its instants are filtered out.
 */
function latestLocalDay(instant: number): number {
  return Math.floor((instant + 14 * HOUR_MS) / DAY_MS);
}

function earliestLocalDay(instant: number): number {
  return Math.floor((instant - 12 * HOUR_MS) / DAY_MS);
}

/** `day` counts local calendar days since 1970-01-01. */
function dayMatches(schedule: Schedule, day: number): boolean {
  const date = new Date(day * DAY_MS);
  const month = date.getUTCMonth() + 1;
  if (!schedule.months.has(month)) return false;
  const year = date.getUTCFullYear();
  const calendar: CalendarDay = {
    year,
    month,
    day: date.getUTCDate(),
    weekday: date.getUTCDay(),
    last: new Date(Date.UTC(year, month, 0)).getUTCDate(),
  };
  return (
    schedule.daysOfMonth.some((rule) => rule(calendar)) && schedule.daysOfWeek.some((rule) => rule(calendar))
  );
}

/** `n`, `L` (last day), `L-n` (n days before the last), `nW`/`LW` (the weekday nearest to that day). */
function dayOfMonthRule(token: number | string): DayRule {
  if (typeof token === "number") return (d) => d.day === token;
  if (token === "L") return (d) => d.day === d.last;
  const beforeLast = /^L-(\d{1,2})$/.exec(token);
  if (beforeLast) {
    const n = Number(beforeLast[1]);
    return (d) => d.day === d.last - n;
  }
  const nearest = /^(\d{1,2}|L)W$/.exec(token);
  if (nearest) {
    const fixed = nearest[1] === "L" ? undefined : Number(nearest[1]);
    return (d) => {
      const target = fixed ?? d.last;
      return target >= 1 && target <= d.last && nearestWeekday(d, target) === d.day;
    };
  }
  return () => false;
}

/** Saturday moves to Friday (Monday if that leaves the month), Sunday to Monday (Friday likewise). */
function nearestWeekday(d: CalendarDay, target: number): number {
  const weekday = new Date(Date.UTC(d.year, d.month - 1, target)).getUTCDay();
  if (weekday === 6) return target === 1 ? 3 : target - 1;
  if (weekday === 0) return target === d.last ? target - 2 : target + 1;
  return target;
}

/** `n` (0 or 7 = Sunday), `nL` (the last such weekday of the month), `n#k` (the k-th such weekday). */
function dayOfWeekRule(token: number | string): DayRule {
  if (typeof token === "number") return (d) => d.weekday === token % 7;
  const lastOf = /^([0-7])L$/.exec(token);
  if (lastOf) {
    const weekday = Number(lastOf[1]) % 7;
    return (d) => d.weekday === weekday && d.day + 7 > d.last;
  }
  const nth = /^([0-7])#([1-5])$/.exec(token);
  if (nth) {
    const weekday = Number(nth[1]) % 7;
    const k = Number(nth[2]);
    return (d) => d.weekday === weekday && Math.floor((d.day - 1) / 7) + 1 === k;
  }
  return () => false;
}

// ---------------------------------------------------------------------------------------------------
// Time zones: wall-clock readings ↔ instants.

interface DayClock {
  /** Whether the UTC offset changes on this day (then local order is not instant order). */
  changes: boolean;
  /** The instants (0, 1 or 2) whose wall-clock reading is `msOfDay` into this local day. */
  instants(msOfDay: number): number[];
}

interface Zone {
  /** How wall-clock readings on local calendar day `day` (days since 1970-01-01) map to instants. */
  dayClock(day: number): DayClock;
}

const zones = new Map<string, Zone>();

function zoneOf(freeze: FreezeWindow): Zone {
  const cached = zones.get(freeze.timezone);
  if (cached) return cached;
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: freeze.timezone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  } catch (cause) {
    throw new KanariaError("FREEZE_INVALID", `freeze "${freeze.name}": unknown time zone`, { cause });
  }
  const zone = makeZone(format);
  zones.set(freeze.timezone, zone);
  return zone;
}

function makeZone(format: Intl.DateTimeFormat): Zone {
  /** Local wall-clock reading minus UTC, in ms, at `instant` (to the second). */
  const offset = (instant: number): number => {
    const parts: Record<string, number> = {};
    for (const part of format.formatToParts(instant)) {
      if (part.type !== "literal") parts[part.type] = Number(part.value);
    }
    const wall = Date.UTC(
      parts.year ?? 1970,
      (parts.month ?? 1) - 1,
      parts.day ?? 1,
      parts.hour ?? 0,
      parts.minute ?? 0,
      parts.second ?? 0,
    );
    return wall - Math.floor(instant / 1000) * 1000;
  };
  // Memoised: every request asks about the same few days. Bounded, since `now` keeps moving.
  const clocks = new Map<number, DayClock>();
  return {
    dayClock(day) {
      let clock = clocks.get(day);
      if (clock === undefined) {
        if (clocks.size >= MAX_CACHED_DAYS) clocks.clear();
        clock = dayClockOf(day, offset);
        clocks.set(day, clock);
      }
      return clock;
    },
  };
}

/** How many days' clocks a zone keeps: a year and a bit. */
const MAX_CACHED_DAYS = 400;

function dayClockOf(day: number, offset: (instant: number) => number): DayClock {
  // A local day lies within [midnight − 14h, midnight + 36h] in UTC, whatever the zone's offset.
  const midnight = day * DAY_MS;
  let low = midnight - 14 * HOUR_MS;
  let high = midnight + 36 * HOUR_MS;
  const before = offset(low);
  const after = offset(high);
  if (before === after) {
    return { changes: false, instants: (ms) => [midnight + ms - before] };
  }
  // One offset change in the span (zones change at most twice a year): find its instant.
  while (high - low > 1000) {
    const middle = low + Math.floor((high - low) / 2000) * 1000;
    if (offset(middle) === before) low = middle;
    else high = middle;
  }
  const change = high;
  return {
    changes: true,
    instants(ms) {
      const wall = midnight + ms;
      const out: number[] = [];
      if (wall - before < change) out.push(wall - before);
      if (wall - after >= change) out.push(wall - after);
      return out;
    },
  };
}
