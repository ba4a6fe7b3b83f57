/**
 * PipeCD percentages: `20`, `"20"` and `"20%"` all mean 20%. Whole numbers 0–100, as in PipeCD (ALB
 * weights are integers anyway).
 */
import { z } from "zod";

/** The percentage in `value`, or a message saying what is wrong with it. */
export function parsePercentage(value: unknown): number | { problem: string } {
  let number: number | undefined;
  if (typeof value === "number") number = value;
  else if (typeof value === "string") {
    const match = /^\s*(-?\d+(?:\.\d+)?)\s*%?\s*$/.exec(value);
    if (match) number = Number(match[1]);
  }
  if (number === undefined || !Number.isFinite(number)) {
    return { problem: 'expected a percentage such as 20, "20" or "20%"' };
  }
  if (!Number.isInteger(number)) return { problem: `must be a whole number of percent (got ${number})` };
  if (number < 0 || number > 100) return { problem: `must be between 0 and 100 (got ${number})` };
  return number;
}

export const percentage = z.unknown().transform((value, ctx) => {
  const parsed = parsePercentage(value);
  if (typeof parsed === "number") return parsed;
  ctx.addIssue({ code: "custom", message: parsed.problem });
  return z.NEVER;
});
