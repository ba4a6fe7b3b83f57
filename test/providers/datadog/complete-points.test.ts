import { describe, expect, it } from "vitest";
import { completePoints, lagShiftedWindow } from "../../../src/providers/datadog/complete-points.js";
import { retryAfterMs } from "../../../src/providers/datadog/rate-limit-reset.js";

const M = 60_000;

describe("lagShiftedWindow", () => {
  it.each([
    // window, now, lag → window
    [{ fromMs: 0, toMs: 5 * M }, 5 * M, 0, { fromMs: 0, toMs: 5 * M }],
    [{ fromMs: 0, toMs: 5 * M }, 5 * M, 2 * M, { fromMs: -2 * M, toMs: 3 * M }],
    // However late the tick runs, the shift is the lag: windows keep tiling time.
    [{ fromMs: 0, toMs: 5 * M }, 6 * M, 2 * M, { fromMs: -2 * M, toMs: 3 * M }],
    [{ fromMs: 0, toMs: 5 * M }, 10 * M, 2 * M, { fromMs: -2 * M, toMs: 3 * M }],
    // A lag that is not whole minutes shifts by whole minutes, so buckets are never cut.
    [{ fromMs: 0, toMs: 5 * M }, 5 * M + 30_000, 30_000, { fromMs: -M, toMs: 4 * M }],
    [{ fromMs: 0, toMs: 5 * M }, 5 * M + 1, 59_999, { fromMs: -M, toMs: 4 * M }],
    // Asked early (a clock behind the window's end), it moves back further, still in whole minutes.
    [{ fromMs: 0, toMs: 5 * M }, 4 * M + 1, 0, { fromMs: -M, toMs: 4 * M }],
    // The analysis grid sits exactly `lag` after whole minutes: the window moves back by the lag to
    // the second, onto the minutes it stands for, and a late tick still reads the same minutes.
    [{ fromMs: 90_000, toMs: 5 * M + 90_000 }, 5 * M + 90_000, 90_000, { fromMs: 0, toMs: 5 * M }],
    [{ fromMs: 90_000, toMs: 5 * M + 90_000 }, 9 * M, 90_000, { fromMs: 0, toMs: 5 * M }],
    [{ fromMs: 40_000, toMs: M + 40_000 }, M + 40_000, 40_000, { fromMs: 0, toMs: M }],
    // One millisecond short of the lag after the minute: that minute may still be arriving.
    [{ fromMs: 90_000, toMs: 5 * M + 90_000 }, 5 * M + 90_000, 90_001, { fromMs: -M, toMs: 4 * M }],
  ])("%j at now=%i with lag %i → %j", (window, now, lag, expected) => {
    expect(lagShiftedWindow(window, now, lag)).toEqual(expected);
  });
});

describe("completePoints", () => {
  const window = { fromMs: 0, toMs: 5 * M };
  it.each<[string, Array<[number, number | null]>, number, Array<[number, number]>]>([
    [
      "keeps whole minutes",
      [
        [0, 1],
        [M, 2],
        [4 * M, 5],
      ],
      60,
      [
        [0, 1],
        [M, 2],
        [4 * M, 5],
      ],
    ],
    [
      "drops nulls, never zeroes them",
      [
        [0, 1],
        [M, null],
        [2 * M, 0],
      ],
      60,
      [
        [0, 1],
        [2 * M, 0],
      ],
    ],
    [
      "drops the bucket ending after the window",
      [
        [3 * M, 1],
        [4 * M, 2],
        [5 * M, 3],
      ],
      60,
      [
        [3 * M, 1],
        [4 * M, 2],
      ],
    ],
    [
      "drops a wide bucket crossing the end",
      [
        [0, 10],
        [3 * M, 4],
      ],
      180,
      [[0, 10]],
    ],
    [
      "drops a bucket starting before the window",
      [
        [-M, 7],
        [0, 1],
      ],
      60,
      [[0, 1]],
    ],
    [
      "sorts by time",
      [
        [2 * M, 3],
        [0, 1],
        [M, 2],
      ],
      60,
      [
        [0, 1],
        [M, 2],
        [2 * M, 3],
      ],
    ],
    [
      "drops non-finite values",
      [
        [0, Number.NaN],
        [M, 2],
      ],
      60,
      [[M, 2]],
    ],
  ])("%s", (_name, pointlist, interval, expected) => {
    expect(completePoints(pointlist, interval, window)).toEqual(expected);
  });
});

describe("retryAfterMs", () => {
  it.each<[Record<string, string>, number | undefined]>([
    [{ "x-ratelimit-reset": "17" }, 17_000],
    [{ "x-ratelimit-reset": " 3 " }, 3_000],
    [{ "x-ratelimit-reset": "0" }, 0],
    [{ "x-ratelimit-reset": "0.5" }, 500],
    [{ "x-ratelimit-reset": "-1" }, undefined],
    [{ "x-ratelimit-reset": "soon" }, undefined],
    [{ "x-ratelimit-reset": "" }, undefined],
    [{}, undefined],
  ])("%j → %s", (headers, expected) => {
    expect(retryAfterMs(headers)).toBe(expected);
  });
});
