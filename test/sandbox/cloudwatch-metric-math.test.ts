/** The sandbox CloudWatch's metric math: arithmetic over series, and refusals by name for the rest. */
import { describe, expect, it } from "vitest";
import { evaluate, MetricMathError, parseExpression } from "../../sandbox/cloudwatch-metric-math.js";

const series = new Map([
  [
    "errors",
    [
      [0, 1],
      [60_000, 0],
      [120_000, 4],
    ] as Array<[number, number]>,
  ],
  [
    "total",
    [
      [0, 10],
      [60_000, 0],
      [180_000, 5],
    ] as Array<[number, number]>,
  ],
]);

describe("sandbox metric math", () => {
  it("evaluates where every named series has a point; a division by zero has no point", () => {
    expect(evaluate(parseExpression("100 * errors / total"), series)).toEqual([[0, 10]]);
    expect(evaluate(parseExpression("-(errors - 1) * 2"), series)).toEqual([
      [0, -0],
      [60_000, 2],
      [120_000, -6],
    ]);
  });

  it("refuses functions, unknown ids and malformed expressions by name", () => {
    expect(() => parseExpression("SUM([errors])")).toThrow(/does not implement the metric math function SUM/);
    expect(() => evaluate(parseExpression("nope + 1"), series)).toThrow(MetricMathError);
    expect(() => parseExpression("errors /")).toThrow(/ends too early/);
    expect(() => parseExpression("(errors")).toThrow(/missing "\)"/);
  });
});
