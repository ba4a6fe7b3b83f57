/** The data-quality rules, table-driven: what makes a series or a bucket impossible. */
import { describe, expect, it } from "vitest";
import { bucketProblem, countProblem, seriesProblem } from "../../src/analysis/data-quality.js";

const T = Date.UTC(2026, 0, 5, 9, 0);
const at = (minute: number) => T + minute * 60_000;

describe("seriesProblem", () => {
  it.each<[string, Array<[number, number | null]>, string | undefined]>([
    [
      "clean points",
      [
        [at(0), 1],
        [at(1), 2],
      ],
      undefined,
    ],
    [
      "nulls are gaps, not problems",
      [
        [at(0), null],
        [at(1), 0],
      ],
      undefined,
    ],
    ["negative gauge values are possible", [[at(0), -3]], undefined],
    [
      "two points at one timestamp",
      [
        [at(0), 1],
        [at(1), 2],
        [at(0), 1],
      ],
      "two points at 2026-01-05T09:00:00.000Z in one series",
    ],
    [
      "NaN",
      [
        [at(0), 1],
        [at(1), Number.NaN],
      ],
      "value NaN at 2026-01-05T09:01:00.000Z",
    ],
    ["Infinity", [[at(2), Number.POSITIVE_INFINITY]], "value Infinity at 2026-01-05T09:02:00.000Z"],
  ])("%s", (_name, points, expected) => {
    expect(seriesProblem(points)).toBe(expected);
  });
});

describe("countProblem", () => {
  it("flags the first negative count", () => {
    expect(
      countProblem([
        [at(0), 3],
        [at(1), -2],
        [at(2), -1],
      ]),
    ).toBe("negative count -2 at 2026-01-05T09:01:00.000Z");
    expect(
      countProblem([
        [at(0), 0],
        [at(1), 4],
      ]),
    ).toBeUndefined();
  });
});

describe("bucketProblem", () => {
  it.each<[string, { errors: number; total: number | undefined }, string | undefined]>([
    ["errors within total", { errors: 3, total: 10 }, undefined],
    ["errors equal to total", { errors: 10, total: 10 }, undefined],
    ["errors above total", { errors: 30, total: 10 }, "primary errors 30 > total 10"],
    ["errors with a zero total", { errors: 1, total: 0 }, "primary errors 1 > total 0"],
    ["no total at all is missing data, not a contradiction", { errors: 5, total: undefined }, undefined],
  ])("%s", (_name, counts, expected) => {
    expect(bucketProblem("primary", counts)).toBe(expected);
  });
});
