/**
 * The freeze rule around daylight-saving changes, as properties over many starts in zones whose offset
 * changes by an hour (Berlin, New York) and by half an hour (Lord Howe): fixed-time schedules open once
 * on every day they name, never lost to a spring-forward gap; stepped schedules open at every wall-clock
 * reading that exists, twice in a repeated hour; and `activeFreeze` agrees with `nextFreezeStart`.
 */
import { describe, expect, it } from "vitest";
import type { FreezeWindow } from "../../src/domain/freeze-window.js";
import { activeFreeze, nextFreezeStart } from "../../src/domain/freeze-window.js";

const MINUTE = 60_000;
const at = (iso: string) => Date.parse(iso);

function freeze(cron: string, timezone: string, durationMs = MINUTE): FreezeWindow {
  return { name: "probe", cron, durationMs, timezone, apps: undefined, overriders: [], reason: "" };
}

/** Every start in [from, to) as nextFreezeStart finds them, one after another. */
function startsBetween(probe: FreezeWindow, from: string, to: string): number[] {
  const out: number[] = [];
  let now = at(from) - 1;
  for (;;) {
    const next = nextFreezeStart([probe], "web", now);
    if (next === undefined || next.startsAt >= at(to)) return out;
    out.push(next.startsAt);
    now = next.startsAt;
  }
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock reading of `instant` in `zone`: local date, hour, minute. */
function wallClock(instant: number, zone: string) {
  let format = formats.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "numeric",
      minute: "numeric",
    });
    formats.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((part) => [part.type, part.value]));
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    hour: Number(parts.hour),
    minute: Number(parts.minute),
  };
}

/** The local dates from `from` to `to` (exclusive), as YYYY-MM-DD, with their weekdays. */
function localDates(from: string, to: string): { date: string; weekday: string }[] {
  const out: { date: string; weekday: string }[] = [];
  for (let day = at(from); day < at(to); day += DAY) {
    const date = new Date(day).toISOString().slice(0, 10);
    out.push({
      date,
      weekday: new Date(day).toLocaleDateString("en-US", { weekday: "short", timeZone: "UTC" }),
    });
  }
  return out;
}

/** The days of 2025 on which each zone's offset changes (Lord Howe by half an hour, in April and October). */
const CHANGE_DAYS: Record<string, string[]> = {
  "Europe/Berlin": ["2025-03-30", "2025-10-26"],
  "America/New_York": ["2025-03-09", "2025-11-02"],
  "Australia/Lord_Howe": ["2025-04-05", "2025-10-04"],
};
const DAY = 24 * 60 * MINUTE;
/** Three days either side of each change, from UTC midnight to UTC midnight. */
const spansOf = (zone: string): [string, string][] =>
  (CHANGE_DAYS[zone] ?? []).map((day) => [
    new Date(at(`${day}T00:00:00Z`) - 3 * DAY).toISOString(),
    new Date(at(`${day}T00:00:00Z`) + 4 * DAY).toISOString(),
  ]);
const ZONES = Object.keys(CHANGE_DAYS);
describe.each(ZONES)("in %s", (zone) => {
  it.each<{ cron: string; weekdays?: string[]; perDay: number }>([
    { cron: "30 2 * * *", perDay: 1 },
    { cron: "0 2,14 * * *", perDay: 2 },
    { cron: "15 1-3 * * *", perDay: 3 },
    { cron: "0 18 * * fri", weekdays: ["Fri"], perDay: 1 },
  ])(
    "fixed times ($cron) open $perDay time(s) on every day they name, gaps and repeats included",
    ({ cron, weekdays, perDay }) => {
      const probe = freeze(cron, zone);
      for (const [from, to] of spansOf(zone)) {
        // Starts a day either side are cut off: the local dates counted are those wholly inside.
        const counts = new Map<string, number>();
        for (const start of startsBetween(probe, from, to)) {
          const { date } = wallClock(start, zone);
          counts.set(date, (counts.get(date) ?? 0) + 1);
        }
        const days = localDates(from, to).slice(1, -1);
        const expected = days.filter((d) => weekdays === undefined || weekdays.includes(d.weekday));
        expect(days.filter((d) => counts.has(d.date))).toEqual(expected);
        expect(expected.filter((d) => counts.get(d.date) !== perDay)).toEqual([]);
      }
    },
  );

  it.each(["*/20 1-3 * * *", "*/15 * * * *"])(
    "a stepped schedule (%s) opens at every reading that exists, repeated hours twice",
    (cron) => {
      const probe = freeze(cron, zone);
      const [minuteStep, hours] = cron === "*/15 * * * *" ? [15, undefined] : [20, [1, 2, 3]];
      for (const [from, to] of spansOf(zone)) {
        const starts = startsBetween(probe, from, to);
        // Every start reads as the schedule says…
        const wrong = starts
          .map((start) => wallClock(start, zone))
          .filter((w) => w.minute % minuteStep !== 0 || (hours !== undefined && !hours.includes(w.hour)));
        expect(wrong).toEqual([]);
        // …and every instant in the span that reads so is a start: a real-time scan, minute by minute.
        const expected: number[] = [];
        for (let t = at(from); t < at(to); t += MINUTE) {
          const w = wallClock(t, zone);
          if (w.minute % minuteStep === 0 && (hours === undefined || hours.includes(w.hour)))
            expected.push(t);
        }
        expect(starts.length).toBe(expected.length);
        expect(starts.filter((start, i) => start !== expected[i]).slice(0, 3)).toEqual([]);
      }
    },
  );

  it("activeFreeze opens each window at its start (inclusive) and closes it after the duration", () => {
    const probe = freeze("*/20 1-3 * * *", zone, 5 * MINUTE);
    for (const [from, to] of spansOf(zone)) {
      for (const start of startsBetween(probe, from, to)) {
        expect(activeFreeze([probe], "web", start - 1)?.startedAt).not.toBe(start);
        expect(activeFreeze([probe], "web", start)).toMatchObject({
          startedAt: start,
          endsAt: start + 5 * MINUTE,
        });
        expect(activeFreeze([probe], "web", start + 5 * MINUTE - 1)?.startedAt).toBe(start);
        expect(activeFreeze([probe], "web", start + 5 * MINUTE)).toBeUndefined();
      }
    }
  });
});
