import { describe, expect, it } from "vitest";
import type { FreezeWindow } from "../../src/domain/freeze-window.js";
import { activeFreeze, mayOverrideFreeze, nextFreezeStart } from "../../src/domain/freeze-window.js";

const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);

function freeze(
  name: string,
  cron: string,
  durationMs: number,
  more: Partial<FreezeWindow> = {},
): FreezeWindow {
  return { name, cron, durationMs, timezone: "UTC", apps: undefined, overriders: [], reason: "", ...more };
}

/** Friday 18:00 in Tokyo (09:00 UTC) until Monday 08:00 in Tokyo. */
const weekend = freeze("weekend", "0 18 * * 5", 62 * HOUR, { timezone: "Asia/Tokyo" });
/** 22:00–06:00 UTC every night. */
const nightly = freeze("nightly", "0 22 * * *", 8 * HOUR);
const berlin = (name: string, cron: string, durationMs: number) =>
  freeze(name, cron, durationMs, { timezone: "Europe/Berlin" });

type Window = [name: string, startedAt: string, endsAt: string];

describe("activeFreeze", () => {
  it.each<{ name: string; freezes: FreezeWindow[]; app?: string; now: string; expected: Window | undefined }>(
    [
      {
        name: "weekend: a millisecond before it starts",
        freezes: [weekend],
        now: "2025-03-07T08:59:59.999Z",
        expected: undefined,
      },
      {
        name: "weekend: at its start (inclusive), 18:00 in Tokyo",
        freezes: [weekend],
        now: "2025-03-07T09:00:00Z",
        expected: ["weekend", "2025-03-07T09:00:00Z", "2025-03-09T23:00:00Z"],
      },
      {
        name: "weekend: Sunday noon in Tokyo",
        freezes: [weekend],
        now: "2025-03-09T03:00:00Z",
        expected: ["weekend", "2025-03-07T09:00:00Z", "2025-03-09T23:00:00Z"],
      },
      {
        name: "weekend: its last millisecond",
        freezes: [weekend],
        now: "2025-03-09T22:59:59.999Z",
        expected: ["weekend", "2025-03-07T09:00:00Z", "2025-03-09T23:00:00Z"],
      },
      {
        name: "weekend: at its end (exclusive)",
        freezes: [weekend],
        now: "2025-03-09T23:00:00Z",
        expected: undefined,
      },
      { name: "weekend: midweek", freezes: [weekend], now: "2025-03-12T12:00:00Z", expected: undefined },
      {
        name: "the same cron read in UTC starts nine hours later",
        freezes: [freeze("weekend-utc", "0 18 * * 5", 62 * HOUR)],
        now: "2025-03-07T09:00:00Z",
        expected: undefined,
      },
      {
        name: "the same cron read in UTC, at 18:00 UTC",
        freezes: [freeze("weekend-utc", "0 18 * * 5", 62 * HOUR)],
        now: "2025-03-07T18:00:00Z",
        expected: ["weekend-utc", "2025-03-07T18:00:00Z", "2025-03-10T08:00:00Z"],
      },
      {
        name: "nightly: before midnight",
        freezes: [nightly],
        now: "2025-03-07T23:30:00Z",
        expected: ["nightly", "2025-03-07T22:00:00Z", "2025-03-08T06:00:00Z"],
      },
      {
        name: "nightly: after midnight, started the day before",
        freezes: [nightly],
        now: "2025-03-08T05:59:59Z",
        expected: ["nightly", "2025-03-07T22:00:00Z", "2025-03-08T06:00:00Z"],
      },
      {
        name: "nightly: at 06:00 it is over",
        freezes: [nightly],
        now: "2025-03-08T06:00:00Z",
        expected: undefined,
      },
      {
        name: "across the year end: ten days from 24 December",
        freezes: [freeze("holidays", "0 0 24 12 *", 240 * HOUR)],
        now: "2026-01-02T12:00:00Z",
        expected: ["holidays", "2025-12-24T00:00:00Z", "2026-01-03T00:00:00Z"],
      },
      {
        name: "across the week end: Sunday 20:00 in New York for 36h",
        freezes: [freeze("sunday", "0 20 * * 0", 36 * HOUR, { timezone: "America/New_York" })],
        now: "2025-03-03T15:00:00Z",
        expected: ["sunday", "2025-03-03T01:00:00Z", "2025-03-04T13:00:00Z"],
      },
      {
        name: "Berlin, a weekend across the spring change: 62 real hours, ends 09:00 CEST",
        freezes: [berlin("weekend", "0 18 * * 5", 62 * HOUR)],
        now: "2025-03-31T06:59:59Z",
        expected: ["weekend", "2025-03-28T17:00:00Z", "2025-03-31T07:00:00Z"],
      },
      {
        name: "Berlin, the first weekend in summer time starts at 16:00 UTC",
        freezes: [berlin("weekend", "0 18 * * 5", 62 * HOUR)],
        now: "2025-04-04T16:00:00Z",
        expected: ["weekend", "2025-04-04T16:00:00Z", "2025-04-07T06:00:00Z"],
      },
      {
        name: "Berlin, 01:00 CET on the spring-change day",
        freezes: [berlin("night", "0 1 * * *", 3 * HOUR)],
        now: "2025-03-30T02:59:00Z",
        expected: ["night", "2025-03-30T00:00:00Z", "2025-03-30T03:00:00Z"],
      },
      {
        name: "Berlin, 02:30 does not exist on the spring-change day: the window opens at 03:00 CEST",
        freezes: [berlin("early", "30 2 * * *", HOUR)],
        now: "2025-03-30T01:10:00Z",
        expected: ["early", "2025-03-30T01:00:00Z", "2025-03-30T02:00:00Z"],
      },
      {
        name: "Berlin, a list of fixed times is fixed too: 02:00 opens at 03:00 CEST on the spring-change day",
        freezes: [berlin("twice", "0 2,14 * * *", HOUR)],
        now: "2025-03-30T01:00:00Z",
        expected: ["twice", "2025-03-30T01:00:00Z", "2025-03-30T02:00:00Z"],
      },
      {
        name: "Berlin, a stepped schedule skips the readings that do not exist on the spring-change day",
        freezes: [berlin("steps", "*/30 2 * * *", 20 * 60_000)],
        now: "2025-03-30T01:10:00Z",
        expected: undefined,
      },
      {
        name: "Berlin, 02:30 CEST the day after the spring change",
        freezes: [berlin("early", "30 2 * * *", HOUR)],
        now: "2025-03-31T00:45:00Z",
        expected: ["early", "2025-03-31T00:30:00Z", "2025-03-31T01:30:00Z"],
      },
      {
        name: "Berlin, the first 02:30 (CEST) of the autumn-change day",
        freezes: [berlin("early", "30 2 * * *", 30 * 60_000)],
        now: "2025-10-26T00:45:00Z",
        expected: ["early", "2025-10-26T00:30:00Z", "2025-10-26T01:00:00Z"],
      },
      {
        name: "Berlin, between the two 02:30s of the autumn-change day",
        freezes: [berlin("early", "30 2 * * *", 30 * 60_000)],
        now: "2025-10-26T01:15:00Z",
        expected: undefined,
      },
      {
        name: "Berlin, a fixed time opens once on the autumn-change day: not again at 02:30 CET",
        freezes: [berlin("early", "30 2 * * *", 30 * 60_000)],
        now: "2025-10-26T01:45:00Z",
        expected: undefined,
      },
      {
        name: "Berlin, a fixed time on the autumn-change day: the first 02:30 decides the end",
        freezes: [berlin("early", "30 2 * * *", 2 * HOUR)],
        now: "2025-10-26T01:45:00Z",
        expected: ["early", "2025-10-26T00:30:00Z", "2025-10-26T02:30:00Z"],
      },
      {
        name: "Berlin, a stepped schedule opens again at the second 02:30 (CET) of the autumn-change day",
        freezes: [berlin("steps", "*/30 2 * * *", 20 * 60_000)],
        now: "2025-10-26T01:45:00Z",
        expected: ["steps", "2025-10-26T01:30:00Z", "2025-10-26T01:50:00Z"],
      },
      {
        name: "Berlin, a stepped schedule with both 02:30s in force: the later start decides the end",
        freezes: [berlin("steps", "*/30 2 * * *", 2 * HOUR)],
        now: "2025-10-26T01:45:00Z",
        expected: ["steps", "2025-10-26T01:30:00Z", "2025-10-26T03:30:00Z"],
      },
      {
        name: "Berlin, six fields: 02:30:30 the second time",
        freezes: [berlin("seconds", "*/30 30 2 * * *", 10_000)],
        now: "2025-10-26T01:30:35Z",
        expected: ["seconds", "2025-10-26T01:30:30Z", "2025-10-26T01:30:40Z"],
      },
      {
        name: "last day of the month (L)",
        freezes: [freeze("month-end", "0 0 L * *", 24 * HOUR)],
        now: "2025-02-28T12:00:00Z",
        expected: ["month-end", "2025-02-28T00:00:00Z", "2025-03-01T00:00:00Z"],
      },
      {
        name: "last day of the month (L) in a leap year is the 29th",
        freezes: [freeze("month-end", "0 0 L * *", 24 * HOUR)],
        now: "2024-02-28T12:00:00Z",
        expected: undefined,
      },
      {
        name: "second Monday (1#2)",
        freezes: [freeze("patch", "0 9 * * 1#2", 8 * HOUR)],
        now: "2025-03-10T10:00:00Z",
        expected: ["patch", "2025-03-10T09:00:00Z", "2025-03-10T17:00:00Z"],
      },
      {
        name: "second Monday (1#2): not the third",
        freezes: [freeze("patch", "0 9 * * 1#2", 8 * HOUR)],
        now: "2025-03-17T10:00:00Z",
        expected: undefined,
      },
      {
        name: "the weekday nearest the 15th (15W) when the 15th is a Saturday",
        freezes: [freeze("mid", "0 0 15W * *", 24 * HOUR)],
        now: "2025-03-14T12:00:00Z",
        expected: ["mid", "2025-03-14T00:00:00Z", "2025-03-15T00:00:00Z"],
      },
      {
        name: "day of month AND day of week: Friday the 13th",
        freezes: [freeze("superstition", "0 0 13 * fri", 24 * HOUR)],
        now: "2025-06-13T12:00:00Z",
        expected: ["superstition", "2025-06-13T00:00:00Z", "2025-06-14T00:00:00Z"],
      },
      {
        name: "day of month AND day of week: a Thursday the 13th is not frozen",
        freezes: [freeze("superstition", "0 0 13 * fri", 24 * HOUR)],
        now: "2025-03-13T12:00:00Z",
        expected: undefined,
      },
      {
        name: "a freeze for other apps leaves this one alone",
        freezes: [freeze("api-only", "0 22 * * *", 8 * HOUR, { apps: ["api", "batch"] })],
        app: "web",
        now: "2025-03-07T23:00:00Z",
        expected: undefined,
      },
      {
        name: "a freeze for listed apps",
        freezes: [freeze("api-only", "0 22 * * *", 8 * HOUR, { apps: ["api", "batch"] })],
        app: "api",
        now: "2025-03-07T23:00:00Z",
        expected: ["api-only", "2025-03-07T22:00:00Z", "2025-03-08T06:00:00Z"],
      },
      {
        name: "overlapping: Saturday night, the weekend ends last",
        freezes: [nightly, weekend],
        now: "2025-03-08T23:00:00Z",
        expected: ["weekend", "2025-03-07T09:00:00Z", "2025-03-09T23:00:00Z"],
      },
      {
        name: "overlapping: Sunday night, the nightly freeze ends last",
        freezes: [weekend, nightly],
        now: "2025-03-09T22:30:00Z",
        expected: ["nightly", "2025-03-09T22:00:00Z", "2025-03-10T06:00:00Z"],
      },
      {
        name: "overlapping and ending together: the first listed",
        freezes: [freeze("a", "0 22 * * *", 8 * HOUR), freeze("b", "0 23 * * *", 7 * HOUR)],
        now: "2025-03-07T23:30:00Z",
        expected: ["a", "2025-03-07T22:00:00Z", "2025-03-08T06:00:00Z"],
      },
      {
        name: "a 31-day freeze started a month ago",
        freezes: [freeze("long", "0 0 1 1 *", 31 * 24 * HOUR)],
        now: "2025-01-31T23:59:59Z",
        expected: ["long", "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z"],
      },
      { name: "no freezes", freezes: [], now: "2025-03-08T23:00:00Z", expected: undefined },
    ],
  )("$name", ({ freezes, app, now, expected }) => {
    const active = activeFreeze(freezes, app ?? "web", at(now));
    expect(active && [active.freeze.name, active.startedAt, active.endsAt]).toEqual(
      expected && [expected[0], at(expected[1]), at(expected[2])],
    );
  });
});

describe("nextFreezeStart", () => {
  it.each<{ name: string; freezes: FreezeWindow[]; app?: string; now: string; expected: Window | undefined }>(
    [
      {
        name: "the weekend from Wednesday",
        freezes: [weekend],
        now: "2025-03-05T00:00:00Z",
        expected: ["weekend", "2025-03-07T09:00:00Z", "2025-03-09T23:00:00Z"],
      },
      {
        name: "the earliest of several",
        freezes: [weekend, nightly],
        now: "2025-03-05T00:00:00Z",
        expected: ["nightly", "2025-03-05T22:00:00Z", "2025-03-06T06:00:00Z"],
      },
      {
        name: "a window opening right now is not next",
        freezes: [weekend],
        now: "2025-03-07T09:00:00Z",
        expected: ["weekend", "2025-03-14T09:00:00Z", "2025-03-16T23:00:00Z"],
      },
      {
        name: "29 February, three years ahead",
        freezes: [freeze("leap", "0 0 29 2 *", HOUR)],
        now: "2025-03-01T00:00:00Z",
        expected: ["leap", "2028-02-29T00:00:00Z", "2028-02-29T01:00:00Z"],
      },
      {
        name: "Berlin: the missing 02:30 of the spring-change day moves to 03:00 CEST",
        freezes: [berlin("early", "30 2 * * *", HOUR)],
        now: "2025-03-29T02:00:00Z",
        expected: ["early", "2025-03-30T01:00:00Z", "2025-03-30T02:00:00Z"],
      },
      {
        name: "Berlin: after the 02:30 of the autumn-change day comes the next day's",
        freezes: [berlin("early", "30 2 * * *", HOUR)],
        now: "2025-10-26T00:30:00Z",
        expected: ["early", "2025-10-27T01:30:00Z", "2025-10-27T02:30:00Z"],
      },
      {
        name: "Berlin: a stepped schedule skips the spring-change day's missing 02:30",
        freezes: [berlin("steps", "*/30 2 * * *", HOUR)],
        now: "2025-03-30T00:45:00Z",
        expected: ["steps", "2025-03-31T00:00:00Z", "2025-03-31T01:00:00Z"],
      },
      {
        name: "Berlin: in a stepped schedule, the repeated hour starts again at 02:00 CET",
        freezes: [berlin("steps", "*/30 2 * * *", HOUR)],
        now: "2025-10-26T00:30:00Z",
        expected: ["steps", "2025-10-26T01:00:00Z", "2025-10-26T02:00:00Z"],
      },
      {
        name: "only freezes for other apps",
        freezes: [freeze("api-only", "0 22 * * *", HOUR, { apps: ["api"] })],
        now: "2025-03-05T00:00:00Z",
        expected: undefined,
      },
    ],
  )("$name", ({ freezes, app, now, expected }) => {
    const next = nextFreezeStart(freezes, app ?? "web", at(now));
    expect(next && [next.freeze.name, next.startsAt, next.endsAt]).toEqual(
      expected && [expected[0], at(expected[1]), at(expected[2])],
    );
  });
});

describe("mayOverrideFreeze", () => {
  const guarded = freeze("weekend", "0 18 * * 5", HOUR, { overriders: ["U0ONCALL", "S0SRE"] });
  it.each<{ name: string; freeze: FreezeWindow; actor: string; groups: string[]; expected: boolean }>([
    { name: "a listed user", freeze: guarded, actor: "U0ONCALL", groups: [], expected: true },
    {
      name: "a member of a listed group",
      freeze: guarded,
      actor: "U0ALICE",
      groups: ["S0DEV", "S0SRE"],
      expected: true,
    },
    { name: "someone else", freeze: guarded, actor: "U0ALICE", groups: ["S0DEV"], expected: false },
    {
      name: "anyone, when nobody is listed",
      freeze: weekend,
      actor: "U0ONCALL",
      groups: ["S0SRE"],
      expected: false,
    },
  ])("$name", ({ freeze: f, actor, groups, expected }) => {
    expect(mayOverrideFreeze(f, actor, groups)).toBe(expected);
  });
});

describe("invalid freezes that bypassed config validation", () => {
  it.each([
    ["a bad cron expression", freeze("x", "0 25 * * *", HOUR)],
    ["an unknown time zone", freeze("x", "0 1 * * *", HOUR, { timezone: "Mars/Olympus" })],
  ])("%s is a KanariaError FREEZE_INVALID", (_name, bad) => {
    expect(() => activeFreeze([bad], "web", at("2025-03-07T09:00:00Z"))).toThrow(
      expect.objectContaining({ code: "FREEZE_INVALID" }),
    );
  });
});
