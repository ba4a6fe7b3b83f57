/**
 * Go-style durations (`150s`, `10m`, `1h30m`, `500ms`), as PipeCD writes them. A bare number is refused:
 * PipeCD would read `30` as 30 nanoseconds, which is never what anyone meant.
 */
import { z } from "zod";

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** Milliseconds in a Go duration string, or undefined if it is not one. Negative durations are refused. */
export function parseGoDuration(text: string): number | undefined {
  const input = text.trim();
  if (input === "0") return 0;
  if (input === "") return undefined;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < input.length) {
    const start = PART.lastIndex;
    const match = PART.exec(input);
    if (!match || match.index !== start) return undefined;
    const [, amount, unit] = match;
    total += Number(amount) * (UNIT_MS[unit ?? ""] ?? Number.NaN);
  }
  return Number.isFinite(total) ? total : undefined;
}

/** `90000` → `1m30s`; used in messages so people see durations the way they wrote them. */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  if (ms < 1000) return `${ms}ms`;
  let rest = Math.round(ms / 1000);
  const hours = Math.floor(rest / 3600);
  rest -= hours * 3600;
  const minutes = Math.floor(rest / 60);
  const seconds = rest - minutes * 60;
  return `${hours ? `${hours}h` : ""}${minutes ? `${minutes}m` : ""}${seconds ? `${seconds}s` : ""}`;
}

/** Explains why `value` is not a duration, with a suggestion. */
function durationProblem(value: unknown): string {
  if (typeof value === "number") {
    return `a bare number is not a duration (PipeCD would read ${value} as nanoseconds); write a Go duration such as "${value}s"`;
  }
  if (typeof value === "string") {
    const days = /^\s*(\d+)\s*d\s*$/.exec(value);
    if (days) return `"d" is not a Go duration unit; write "${Number(days[1]) * 24}h"`;
    return `"${value.length > 30 ? `${value.slice(0, 30)}…` : value}" is not a Go duration; write e.g. "30s", "10m", "1h30m" or "500ms"`;
  }
  return `expected a Go duration such as "30s", "10m" or "1h30m"`;
}

/** A positive duration field, parsed to milliseconds (rounded to whole milliseconds). */
export const durationMs = z.unknown().transform((value, ctx) => {
  const ms = typeof value === "string" ? parseGoDuration(value) : undefined;
  if (ms === undefined) {
    ctx.addIssue({ code: "custom", message: durationProblem(value) });
    return z.NEVER;
  }
  const rounded = Math.round(ms);
  if (rounded <= 0) {
    ctx.addIssue({ code: "custom", message: `must be at least 1ms (got "${String(value)}")` });
    return z.NEVER;
  }
  return rounded;
});

/** What a bounded duration field says when a value falls outside its bounds; `got` is the value as written. */
export interface DurationBounds {
  minMs: number;
  maxMs: number;
  /** Below `minMs`, or negative (written with a leading `-`). */
  tooShort: string;
  tooLong: string;
}

/**
 * A duration field with field-specific bounds (e.g. `lag:` may be 0 but at most 1h), parsed to whole
 * milliseconds. A leading `-` is reported with `tooShort` rather than as "not a duration", since the
 * writer meant a duration and only the sign is wrong.
 */
export function boundedDurationMs(bounds: DurationBounds) {
  return z.unknown().transform((value, ctx) => {
    const got = ` (got "${String(value)}")`;
    if (
      typeof value === "string" &&
      /^\s*-/.test(value) &&
      parseGoDuration(value.trim().slice(1)) !== undefined
    ) {
      ctx.addIssue({ code: "custom", message: `${bounds.tooShort}${got}` });
      return z.NEVER;
    }
    // A bare 0 is unambiguous in any unit, so it is judged against the bounds rather than refused.
    const ms = value === 0 ? 0 : typeof value === "string" ? parseGoDuration(value) : undefined;
    if (ms === undefined) {
      ctx.addIssue({ code: "custom", message: durationProblem(value) });
      return z.NEVER;
    }
    const rounded = Math.round(ms);
    if (rounded < bounds.minMs || rounded > bounds.maxMs) {
      const message = rounded < bounds.minMs ? bounds.tooShort : bounds.tooLong;
      ctx.addIssue({ code: "custom", message: `${message}${got}` });
      return z.NEVER;
    }
    return rounded;
  });
}
