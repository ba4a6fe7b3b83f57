/**
 * zod is how config shapes are declared; this module turns zod issues into diagnostics that point at the
 * offending field and say, in plain words, what was expected. Messages never echo free-form string
 * values (only short values of enum-like fields), so a secret pasted into the wrong field does not end
 * up in logs.
 */
import { z } from "zod";
import { editDistance } from "../domain/closest-names.js";
import type { DiagnosticSink } from "./diagnostic-sink.js";
import { type FieldPath, isRecord, valueAt } from "./field-path.js";
import type { YamlDocument } from "./load-yaml-document.js";

/** A place in a document: the file and the field path of a value inside it. */
export interface Origin {
  doc: YamlDocument;
  path: FieldPath;
}

const ALLOWED_PREFIX = "allowed keys: ";

/**
 * A map schema that rejects unknown keys, naming the allowed ones: a typo must never silently switch off
 * a setting.
 */
export function closedObject<Shape extends z.ZodRawShape>(shape: Shape) {
  const allowed = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys" ? `${ALLOWED_PREFIX}${allowed.join(", ")}` : undefined,
  });
}

/**
 * Validates `value` (found at `at`) and reports every issue to `sink`. Returns the parsed data, or
 * undefined when anything was wrong. `originOf` lets a value assembled from several files (a template
 * metric with app overrides) report each top-level key where it was written.
 */
export function parseAt<Output>(
  schema: z.core.$ZodType<Output>,
  value: unknown,
  at: Origin,
  sink: DiagnosticSink,
  originOf?: (key: string) => Origin | undefined,
): Output | undefined {
  const result = z.safeParse(schema, value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) reportIssue(issue, value, at, sink, originOf);
  return undefined;
}

function reportIssue(
  issue: z.core.$ZodIssue,
  root: unknown,
  at: Origin,
  sink: DiagnosticSink,
  originOf: ((key: string) => Origin | undefined) | undefined,
): void {
  const relative = issue.path.filter((s): s is string | number => typeof s !== "symbol");
  const place = (path: FieldPath): Origin => {
    const first = path[0];
    const origin = typeof first === "string" ? originOf?.(first) : undefined;
    return origin
      ? { doc: origin.doc, path: [...origin.path, ...path.slice(1)] }
      : { doc: at.doc, path: [...at.path, ...path] };
  };
  const value = valueAt(root, relative);

  if (issue.code === "unrecognized_keys") {
    const allowed = issue.message.startsWith(ALLOWED_PREFIX)
      ? issue.message.slice(ALLOWED_PREFIX.length).split(", ")
      : [];
    for (const key of issue.keys) {
      const where = place([...relative, key]);
      sink.error(where.doc, where.path, unknownKeyMessage(key, allowed), "key");
    }
    return;
  }

  const where = place(relative);
  if (issue.code === "invalid_type" && value === undefined) {
    const key = relative[relative.length - 1];
    sink.error(
      where.doc,
      where.path,
      key === undefined ? "a value is required" : `missing required key "${String(key)}"`,
    );
    return;
  }
  sink.error(where.doc, where.path, describeIssue(issue, value));
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case "invalid_type":
      return `expected ${describeExpected(issue.expected)}, got ${describeValue(value)}`;
    case "invalid_value":
      return `must be one of ${issue.values.map((v) => String(v)).join(", ")}${gotShort(value)}`;
    case "too_small":
      return describeBound(issue.origin, "min", Number(issue.minimum), issue.inclusive ?? true, value);
    case "too_big":
      return describeBound(issue.origin, "max", Number(issue.maximum), issue.inclusive ?? true, value);
    case "invalid_format":
      if (issue.format === "url") return "must be an http:// or https:// URL, e.g. http://127.0.0.1:4020/";
      // Schemas give their patterns a message saying what is expected; zod's default only names the regex.
      return issue.message.startsWith("Invalid") ? `has an invalid format (${issue.format})` : issue.message;
    case "invalid_union":
      return "does not match any of the allowed forms";
    default:
      return issue.message;
  }
}

function describeBound(
  origin: string,
  side: "min" | "max",
  bound: number,
  inclusive: boolean,
  value: unknown,
): string {
  if (origin === "array" || origin === "set") {
    if (side === "min" && bound === 1) return "must not be empty";
    return side === "min" ? `needs at least ${bound} items` : `may have at most ${bound} items`;
  }
  if (origin === "string") {
    if (side === "min" && bound === 1) return "must not be empty";
    return side === "min"
      ? `must be at least ${bound} characters long`
      : `must be at most ${bound} characters long`;
  }
  const op = side === "min" ? (inclusive ? "≥" : ">") : inclusive ? "≤" : "<";
  return `must be ${op} ${bound}${typeof value === "number" ? ` (got ${value})` : ""}`;
}

function describeExpected(expected: string): string {
  switch (expected) {
    case "int":
      return "a whole number";
    case "number":
      return "a number";
    case "string":
      return "a string";
    case "boolean":
      return "true or false";
    case "array":
      return "a list";
    case "object":
    case "record":
      return "a map of keys to values";
    default:
      return expected;
  }
}

/** Names the kind of value found; echoes numbers and booleans only (strings may be secrets). */
function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "an empty value";
  if (typeof value === "string") return "a string";
  if (typeof value === "number") return `the number ${value}`;
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return "a list";
  if (isRecord(value)) return "a map";
  return typeof value;
}

function gotShort(value: unknown): string {
  if (typeof value === "string" && value.length <= 40 && !value.includes("\n")) return ` (got "${value}")`;
  if (typeof value === "number" || typeof value === "boolean") return ` (got ${String(value)})`;
  if (value !== undefined) return ` (got ${describeValue(value)})`;
  return "";
}

function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  const suggestion = closestName(key, allowed);
  const hint = suggestion ? ` (did you mean "${suggestion}"?)` : "";
  return `unknown key "${key}"${hint}; allowed keys: ${allowed.join(", ")}`;
}

/**
 * Warns (rather than fails) about keys outside `allowed`: used for PipeCD stage `with:` blocks, where
 * PipeCD itself is lenient.
 */
export function warnUnknownKeys(
  raw: unknown,
  allowed: readonly string[],
  at: Origin,
  sink: DiagnosticSink,
  what: string,
): void {
  if (!isRecord(raw)) return;
  for (const key of Object.keys(raw)) {
    if (allowed.includes(key)) continue;
    const suggestion = closestName(key, allowed);
    const hint = suggestion ? ` (did you mean "${suggestion}"?)` : "";
    const known =
      allowed.length > 0 ? `known options of ${what}: ${allowed.join(", ")}` : `${what} takes no options`;
    sink.warning(at.doc, [...at.path, key], `unknown key "${key}" is ignored${hint}; ${known}`, "key");
  }
}

/** The allowed name a typo most likely meant: same letters ignoring case, or within edit distance 2. */
export function closestName(name: string, allowed: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of allowed) {
    if (candidate.toLowerCase() === lower) return candidate;
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      bestDistance = distance;
      best = candidate;
    }
  }
  return bestDistance <= Math.min(2, Math.floor(name.length / 3)) ? best : undefined;
}

/**
 * Validates a map field by field, so one bad field does not hide problems in the others (zod rejects
 * a whole object at its first bad field). Unknown keys are errors naming the allowed ones. Returns the
 * fields that are valid; `ok` is false when anything was reported.
 */
export function parseFields<Shape extends z.ZodRawShape>(
  shape: Shape,
  raw: unknown,
  at: Origin,
  sink: DiagnosticSink,
): { fields: { [K in keyof Shape]?: z.output<Shape[K]> }; ok: boolean } {
  const fields: { [K in keyof Shape]?: z.output<Shape[K]> } = {};
  const value = raw ?? {};
  if (!isRecord(value)) {
    sink.error(at.doc, at.path, `expected a map of keys to values, got ${describeValue(value)}`);
    return { fields, ok: false };
  }
  let ok = true;
  const allowed = Object.keys(shape);
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      sink.error(at.doc, [...at.path, key], unknownKeyMessage(key, allowed), "key");
      ok = false;
    }
  }
  for (const key of allowed as Array<keyof Shape & string>) {
    const schema = shape[key];
    if (!schema) continue;
    const fieldValue = value[key];
    if (fieldValue === undefined && !z.safeParse(schema, undefined).success) {
      sink.error(at.doc, [...at.path, key], `missing required key "${key}"`);
      ok = false;
      continue;
    }
    const parsed = z.safeParse(schema, fieldValue);
    if (parsed.success) {
      fields[key] = parsed.data as z.output<Shape[typeof key]>;
    } else {
      parseAt(schema, fieldValue, { doc: at.doc, path: [...at.path, key] }, sink);
      ok = false;
    }
  }
  return { fields, ok };
}

/**
 * Reports keys that have a specific explanation (PipeCD names Kanaria handles differently) and returns
 * the value without them, so the generic unknown-key message does not repeat the problem.
 */
export function rejectKeys(
  raw: unknown,
  reasons: Record<string, string>,
  at: Origin,
  sink: DiagnosticSink,
): unknown {
  if (!isRecord(raw)) return raw;
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const reason = reasons[key];
    if (reason === undefined) rest[key] = value;
    else sink.error(at.doc, [...at.path, key], `"${key}" ${reason}`, "key");
  }
  return rest;
}
