/** kanaria.yaml `freezes:`: a full valid example, and every problem reported at its field. */
import { describe, expect, it } from "vitest";
import { type Expected, mismatch } from "./config-test-helpers.js";
import { kanariaTree, lines, PROVIDERS } from "./kanaria-test-tree.js";

const load = kanariaTree();
const K = "kanaria.yaml";

/** Lines 1–10: providers, the web app, and the `freezes:` key; entries start on line 11. */
const HEAD = lines(PROVIDERS, "apps:", "  - dir: ./apps/web", "freezes:").trimEnd();

describe("kanaria.yaml freezes", () => {
  it("resolves a full example, with defaults for what is left out", async () => {
    const { result } = await load(
      lines(
        HEAD,
        "  - name: weekend",
        '    cron: "0 18 * * 5"',
        "    duration: 62h",
        "    timezone: Asia/Tokyo",
        "    apps: [web]",
        "    overriders: [U0123ABCD, S0456EFGH]",
        '    reason: "weekend: no deploys without on-call"',
        "  - name: nightly",
        "    cron: 0 22 * * *",
        "    duration: 8h30m",
        "  - {name: release-day, cron: '*/30 0 9 * * 1#2', duration: 30s, timezone: Europe/Berlin}",
      ),
    );
    expect(result.diagnostics).toEqual([]);
    expect(result.config?.freezes).toEqual([
      {
        name: "weekend",
        cron: "0 18 * * 5",
        durationMs: 62 * 3_600_000,
        timezone: "Asia/Tokyo",
        apps: ["web"],
        overriders: ["U0123ABCD", "S0456EFGH"],
        reason: "weekend: no deploys without on-call",
      },
      {
        name: "nightly",
        cron: "0 22 * * *",
        durationMs: 8.5 * 3_600_000,
        timezone: "UTC",
        apps: undefined,
        overriders: [],
        reason: "",
      },
      {
        name: "release-day",
        cron: "*/30 0 9 * * 1#2",
        durationMs: 30_000,
        timezone: "Europe/Berlin",
        apps: undefined,
        overriders: [],
        reason: "",
      },
    ]);
  });

  it("has no freezes when the section is left out", async () => {
    const { result } = await load(lines(PROVIDERS, "apps: [{dir: ./apps/web}]"));
    expect(result.diagnostics).toEqual([]);
    expect(result.config?.freezes).toEqual([]);
  });

  const error = (line: number, col: number, path: string, words: string[]): Expected => ({
    file: K,
    line,
    col,
    severity: "error",
    path,
    words,
  });

  it.each<{ name: string; entries: string[]; expected: Expected[] }>([
    {
      name: "a cron field out of range, named",
      entries: ["  - {name: w, cron: '0 25 * * 5', duration: 1h}"],
      expected: [error(11, 21, "freezes[0].cron", ["invalid cron expression", "hour field (0–23)", '"25"'])],
    },
    {
      name: "several bad cron fields, each named",
      entries: ["  - {name: w, cron: '0 18 * 13 8', duration: 1h}"],
      expected: [
        error(11, 21, "freezes[0].cron", [
          'month field (1–12 or jan–dec) is invalid (got "13")',
          "day-of-week field (0–7 or sun–sat",
          '(got "8")',
        ]),
      ],
    },
    {
      name: "a cron expression with too few fields",
      entries: ["  - {name: w, cron: '0 18 * *', duration: 1h}"],
      expected: [error(11, 21, "freezes[0].cron", ["has 5 fields (minute hour", "this one has 4"])],
    },
    {
      name: "a cron expression that never fires",
      entries: ["  - {name: w, cron: '0 0 31 2 *', duration: 1h}"],
      expected: [error(11, 21, "freezes[0].cron", ['day-of-month field ("31")', "would never start"])],
    },
    {
      name: "an unknown time zone, with the closest one",
      entries: ["  - {name: w, cron: '0 18 * * 5', duration: 1h, timezone: Asia/Tokio}"],
      expected: [
        error(11, 59, "freezes[0].timezone", [
          'unknown time zone "Asia/Tokio"',
          'did you mean "Asia/Tokyo"?',
          "IANA name",
        ]),
      ],
    },
    {
      name: "a zero duration",
      entries: ["  - {name: w, cron: '0 18 * * 5', duration: 0s}"],
      expected: [error(11, 45, "freezes[0].duration", ["a freeze must last longer than 0s", '(got "0s")'])],
    },
    {
      name: "a bare zero duration",
      entries: ["  - {name: w, cron: '0 18 * * 5', duration: 0}"],
      expected: [error(11, 45, "freezes[0].duration", ["a freeze must last longer than 0s"])],
    },
    {
      name: "a duration over 31 days",
      entries: ["  - {name: w, cron: '0 0 1 * *', duration: 745h}"],
      expected: [error(11, 44, "freezes[0].duration", ["at most 31 days (744h)", '(got "745h")'])],
    },
    {
      name: "a duration in days",
      entries: ["  - {name: w, cron: '0 0 1 * *', duration: 2d}"],
      expected: [error(11, 44, "freezes[0].duration", ['"d" is not a Go duration unit', '"48h"'])],
    },
    {
      name: "an unknown app, with the closest names",
      entries: ["  - {name: w, cron: '0 18 * * 5', duration: 1h, apps: [web, wbe]}"],
      expected: [
        error(11, 61, "freezes[0].apps[1]", [
          'unknown app "wbe" (did you mean "web"?)',
          "apps in kanaria.yaml: web",
        ]),
      ],
    },
    {
      name: "an empty apps list",
      entries: ["  - {name: w, cron: '0 18 * * 5', duration: 1h, apps: []}"],
      expected: [error(11, 55, "freezes[0].apps", ["must not be empty; leave apps out to freeze every app"])],
    },
    {
      name: "duplicate names",
      entries: [
        "  - {name: weekend, cron: '0 18 * * 5', duration: 1h}",
        "  - {name: weekend, cron: '0 18 * * 6', duration: 1h}",
      ],
      expected: [error(12, 12, "freezes[1].name", ['duplicate freeze name "weekend" (also freezes[0])'])],
    },
    {
      name: "an @handle and a channel id as overriders",
      entries: ["  - {name: w, cron: '0 18 * * 5', duration: 1h, overriders: [U0123ABCD, '@alice', C0123]}"],
      expected: [
        error(11, 73, "freezes[0].overriders[1]", ["must be a Slack user id (U…/W…) or user group id (S…)"]),
        error(11, 83, "freezes[0].overriders[2]", ["must be a Slack user id (U…/W…) or user group id (S…)"]),
      ],
    },
    {
      name: "a name with a space",
      entries: ["  - {name: year end, cron: '0 0 20 12 *', duration: 1h}"],
      expected: [error(11, 12, "freezes[0].name", ["must be one word", "names the freeze in Slack"])],
    },
    {
      name: "missing name, cron and duration",
      entries: ["  - {reason: why}"],
      expected: [
        error(11, 5, "freezes[0].name", ['missing required key "name"']),
        error(11, 5, "freezes[0].cron", ['missing required key "cron"']),
        error(11, 5, "freezes[0].duration", ['missing required key "duration"']),
      ],
    },
    {
      name: "a typo in overriders (a safety setting must not be silently off)",
      entries: ["  - {name: w, cron: '0 18 * * 5', duration: 1h, overrides: [U0123ABCD]}"],
      expected: [
        error(11, 49, "freezes[0].overrides", [
          'unknown key "overrides" (did you mean "overriders"?)',
          "allowed keys: name, cron, duration, timezone, apps, overriders, reason",
        ]),
      ],
    },
    {
      name: "an entry that is not a map",
      entries: ["  - weekend"],
      expected: [error(11, 5, "freezes[0]", ["expected a map of keys to values, got a string"])],
    },
  ])("$name", async ({ entries, expected }) => {
    const { dir, result } = await load(lines(HEAD, ...entries));
    expect(mismatch(result.diagnostics, expected, dir)).toBeUndefined();
    // Freezes belong to the shared part: a broken one keeps the bot from starting, the app still loads.
    expect(result.config).toBeUndefined();
    expect(result.apps.has("web")).toBe(true);
  });

  it("reports freezes: that is not a list", async () => {
    const { dir, result } = await load(
      lines(PROVIDERS, "apps: [{dir: ./apps/web}]", "freezes: {weekend: {}}"),
    );
    expect(mismatch(result.diagnostics, [error(9, 10, "freezes", ["expected a list, got a map"])], dir)).toBe(
      undefined,
    );
    expect(result.config).toBeUndefined();
  });

  it("says why an app name may be unknown when an app entry could not be named", async () => {
    const { dir, result } = await load(
      lines(
        PROVIDERS,
        "apps:",
        "  - dir: ./apps/web",
        "  - dir: ./apps/api",
        "freezes:",
        "  - {name: w, cron: '0 18 * * 5', duration: 1h, apps: [api]}",
      ),
    );
    expect(
      mismatch(
        result.diagnostics,
        [
          error(10, 10, "apps[1].dir", ["directory does not exist"]),
          error(12, 56, "freezes[0].apps[0]", [
            'unknown app "api"; apps in kanaria.yaml: web',
            "the name of apps[1] is not known because its app config has errors",
          ]),
        ],
        dir,
      ),
    ).toBeUndefined();
    expect(result.config).toBeUndefined();
  });

  it("accepts an app whose name comes from its spec.name", async () => {
    const { result } = await load(
      lines(HEAD, "  - {name: w, cron: '0 18 * * 5', duration: 1h, apps: [web], timezone: utc}"),
    );
    expect(result.diagnostics).toEqual([]);
    expect(result.config?.freezes.map((f) => [f.apps, f.timezone])).toEqual([[["web"], "utc"]]);
  });
});
