/**
 * JSON columns hold objects the store itself wrote. `parseJsonColumn` is for columns read as they are:
 * unreadable JSON there means corruption, so it throws. `readJsonColumn` checks a column against the
 * schema of what it holds and says what does not fit, for the caller to report (a stage's state, a
 * deployment's context: the runner turns a corrupt one into a failed stage, not a crash).
 */
import type { z } from "zod";
import { KanariaError } from "../domain/kanaria-error.js";

export function parseJsonColumn<T>(text: string, where: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new KanariaError("STORE_CORRUPT", `unreadable JSON in ${where}`, { cause });
  }
}

export type ColumnRead<T> = { ok: true; value: T } | { ok: false; problem: string };

/** At most this many of a corrupt column's problems are named; the first ones are the useful ones. */
const MAX_ISSUES = 3;

export function readJsonColumn<T>(schema: z.ZodType<T>, text: string, where: string): ColumnRead<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, problem: `${where} is not JSON (${reason})` };
  }
  const result = schema.safeParse(raw, { error: plainMessage });
  if (result.success) return { ok: true, value: result.data };
  const issues = result.error.issues.slice(0, MAX_ISSUES).map((issue) => describeIssue(issue, raw));
  const more = result.error.issues.length - MAX_ISSUES;
  return {
    ok: false,
    problem: `${where} is corrupt: ${issues.join("; ")}${more > 0 ? ` (and ${more} more)` : ""}`,
  };
}

/** Messages that read after the field's name ("deadlineAt is not a number"); zod's own otherwise. */
function plainMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== "invalid_type") return undefined;
  if (issue.input === undefined) return "is missing";
  const article = /^[aeiou]/.test(issue.expected) ? "an" : "a";
  return `is not ${article} ${issue.expected}`;
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const path = issue.path.map(String).join(".");
  const shown = shownValue(valueAt(raw, issue.path));
  return `${path || "the value"} ${issue.message}${shown === undefined ? "" : `: ${shown}`}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== "object" || value === null || typeof key === "symbol") return undefined;
    value = Reflect.get(value, key);
  }
  return value;
}

/** Short scalars only: a stored object may be large, and the message goes to the thread and the logs. */
function shownValue(value: unknown): string | undefined {
  if (value === undefined || (typeof value === "object" && value !== null)) return undefined;
  const text = JSON.stringify(value);
  return text.length <= 60 ? text : undefined;
}
