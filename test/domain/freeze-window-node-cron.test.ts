/**
 * The freeze rule against node-cron itself: every start this module finds must be an instant node-cron's
 * matcher accepts, and every instant it accepts must be found — around daylight-saving changes too.
 */
import { createTask } from "node-cron";
import { describe, expect, it } from "vitest";
import type { FreezeWindow } from "../../src/domain/freeze-window.js";
import { activeFreeze, nextFreezeStart } from "../../src/domain/freeze-window.js";

const at = (iso: string) => Date.parse(iso);

function freeze(name: string, cron: string, durationMs: number, timezone: string): FreezeWindow {
  return { name, cron, durationMs, timezone, apps: undefined, overriders: [], reason: "" };
}

describe("agrees with node-cron's own matcher", () => {
  const MINUTE = 60_000;
  /** The 2025 offset changes of each zone, where local order and instant order part ways. */
  const zones: Record<string, string[]> = {
    "Europe/Berlin": ["2025-03-30T01:00:00Z", "2025-10-26T01:00:00Z"],
    "America/New_York": ["2025-03-09T07:00:00Z", "2025-11-02T06:00:00Z"],
    // Half-hour changes, in the southern hemisphere.
    "Australia/Lord_Howe": ["2025-04-05T15:00:00Z", "2025-10-04T15:30:00Z"],
  };
  /** Every minute within 90 minutes of each change, and every 211th minute of March–April and October–November. */
  function minutesAround(changes: string[]): number[] {
    const out: number[] = [];
    for (const change of changes) {
      for (let m = -90; m < 90; m++) out.push(at(change) + m * MINUTE);
    }
    for (const [from, to] of [
      ["2025-03-01T00:00:00Z", "2025-05-01T00:00:00Z"],
      ["2025-10-01T00:00:00Z", "2025-12-01T00:00:00Z"],
    ] as const) {
      for (let t = at(from); t < at(to); t += 211 * MINUTE) out.push(t);
    }
    return out;
  }
  /** The first `count` starts from `from` as this module finds them, with the minutes either side. */
  function startsFrom(probe: FreezeWindow, from: string, count: number): number[] {
    const out: number[] = [];
    let now = at(from);
    for (let i = 0; i < count; i++) {
      const next = nextFreezeStart([probe], "web", now);
      if (next === undefined) break;
      out.push(next.startsAt - MINUTE, next.startsAt, next.startsAt + MINUTE);
      now = next.startsAt;
    }
    return out;
  }
  const expressions = [
    "30 2 * * *",
    "*/20 1-3 * * *",
    "0 18 * * fri",
    "*/7 * L * *",
    "*/7 * 15W,LW * *",
    "*/7 * L-2 * *",
    "*/7 * * * 5L",
    "*/7 * * * 1#2",
    "*/7 * 13 * 5",
  ];

  it.each(Object.keys(zones))(
    "in %s: a window of one minute is in force exactly when node-cron matches",
    (zone) => {
      const around = minutesAround(zones[zone] ?? []);
      for (const cron of expressions) {
        const task = createTask(cron, () => undefined, { timezone: zone });
        const probe = freeze("probe", cron, MINUTE, zone);
        // The starts this module finds check that each is a node-cron match; the other samples, that
        // node-cron's matches are found.
        const starts = [
          ...startsFrom(probe, "2025-03-01T00:00:00Z", 60),
          ...startsFrom(probe, "2025-10-01T00:00:00Z", 60),
        ];
        const disagreements: string[] = [];
        let matches = 0;
        for (const t of [...around, ...starts]) {
          const expected = task.match(new Date(t)) ? t : undefined;
          if (expected !== undefined) matches++;
          const got = activeFreeze([probe], "web", t)?.startedAt;
          if (got !== expected) disagreements.push(`${new Date(t).toISOString()}: ${got} ≠ ${expected}`);
        }
        task.destroy();
        expect({ cron, disagreements: disagreements.slice(0, 5) }).toEqual({ cron, disagreements: [] });
        // Without matches among the samples the comparison would prove little.
        expect({ cron, enough: matches >= 100 }).toEqual({ cron, enough: true });
      }
    },
  );

  it("with six fields, second by second around Berlin's autumn change", () => {
    const cron = "*/20 * 2 * * *";
    const task = createTask(cron, () => undefined, { timezone: "Europe/Berlin" });
    const oneSecond = [freeze("probe", cron, 1000, "Europe/Berlin")];
    const disagreements: string[] = [];
    let matches = 0;
    for (let t = at("2025-10-25T23:55:00Z"); t < at("2025-10-26T02:05:00Z"); t += 10_000) {
      const expected = task.match(new Date(t)) ? t : undefined;
      if (expected !== undefined) matches++;
      const got = activeFreeze(oneSecond, "web", t)?.startedAt;
      if (got !== expected) disagreements.push(`${new Date(t).toISOString()}: ${got} ≠ ${expected}`);
    }
    task.destroy();
    expect(disagreements.slice(0, 5)).toEqual([]);
    // 02:00–02:59 happens twice that night: 2 × 60 minutes × 3 starts.
    expect(matches).toBe(360);
  });
});
