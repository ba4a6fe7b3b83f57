import { describe, expect, it } from "vitest";
import { durationMs, formatDuration, parseGoDuration } from "../../src/config/duration.js";
import { normaliseTraffic } from "../../src/config/parse-stage-options.js";
import { parsePercentage } from "../../src/config/percentage.js";

describe("parseGoDuration", () => {
  it.each([
    ["150s", 150_000],
    ["10m", 600_000],
    ["1h30m", 5_400_000],
    ["500ms", 500],
    ["1.5s", 1500],
    ["2h45m30s", 9_930_000],
    ["1500us", 1.5],
    ["0", 0],
  ])("%s → %d ms", (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });

  it.each(["", "30", "1d", "10 minutes", "m", "-5s", "1h 30m", "5sec"])("rejects %j", (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });
});

describe("durationMs schema", () => {
  it.each([
    [30, ["a bare number is not a duration", "PipeCD would read 30 as nanoseconds", '"30s"']],
    ["1d", ['"d" is not a Go duration unit', '"24h"']],
    ["ten minutes", ['"ten minutes" is not a Go duration', '"30s"', '"1h30m"']],
    ["0s", ["must be at least 1ms"]],
  ] as const)("explains %j", (value, words) => {
    const result = durationMs.safeParse(value);
    expect(result.success).toBe(false);
    const message = result.error?.issues[0]?.message ?? "";
    for (const word of words) expect(message).toContain(word);
  });

  it("rounds to whole milliseconds", () => {
    expect(durationMs.parse("1500us")).toBe(2);
  });

  it.each([
    [0, "0s"],
    [500, "500ms"],
    [90_000, "1m30s"],
    [5_400_000, "1h30m"],
  ])("formatDuration(%d) = %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe("parsePercentage", () => {
  it.each([
    [20, 20],
    ["20", 20],
    ["20%", 20],
    [" 35 % ", 35],
    [0, 0],
    [100, 100],
  ])("%j → %d", (value, expected) => {
    expect(parsePercentage(value)).toBe(expected);
  });

  it.each([
    [101, "between 0 and 100 (got 101)"],
    ["120%", "between 0 and 100 (got 120)"],
    [-5, "between 0 and 100 (got -5)"],
    [12.5, "whole number of percent (got 12.5)"],
    ["thirty", 'a percentage such as 20, "20" or "20%"'],
    [true, 'a percentage such as 20, "20" or "20%"'],
  ])("rejects %j", (value, words) => {
    const parsed = parsePercentage(value);
    expect(typeof parsed).toBe("object");
    expect(typeof parsed === "object" ? parsed.problem : "").toContain(words);
  });
});

describe("normaliseTraffic (ECS_TRAFFIC_ROUTING)", () => {
  it.each([
    [{ canary: 20 }, { primary: 80, canary: 20, baseline: 0 }],
    [{ primary: 100 }, { primary: 100, canary: 0, baseline: 0 }],
    [{ primary: 70 }, { primary: 70, canary: 30, baseline: 0 }],
    [{ canary: 100 }, { primary: 0, canary: 100, baseline: 0 }],
    [{}, { primary: 100, canary: 0, baseline: 0 }],
    [
      { canary: 10, baseline: 10 },
      { primary: 80, canary: 10, baseline: 10 },
    ],
    [
      { primary: 80, baseline: 10 },
      { primary: 80, canary: 10, baseline: 10 },
    ],
    [
      { primary: 60, canary: 20, baseline: 20 },
      { primary: 60, canary: 20, baseline: 20 },
    ],
    [
      { primary: 90, canary: 10 },
      { primary: 90, canary: 10, baseline: 0 },
    ],
  ])("%j → %j", (given, expected) => {
    expect(normaliseTraffic(given)).toEqual(expected);
  });

  it.each([
    [{ primary: 50, canary: 60 }, "add up to 110% (primary 50 + canary 60); they must not exceed 100"],
    [{ canary: 80, baseline: 30 }, "add up to 110%"],
    [{ primary: 50, canary: 20 }, "must add up to 100 (or give baseline the rest)"],
    [{ primary: 50, canary: 20, baseline: 10 }, "add up to 80%"],
  ])("%j is refused", (given, words) => {
    const result = normaliseTraffic(given);
    expect("problem" in result ? result.problem : "").toContain(words);
  });
});
