/**
 * Validation at the edge, in AWS's words: a request that misses a required member or has one of the
 * wrong type is refused before it reaches the world, with the message AWS's front end uses
 * ("1 validation error detected: Value null at 'cluster' failed to satisfy constraint: Member must not
 * be null"). ECS calls the error `ValidationException`, ELBv2 `ValidationError`.
 */
import type { z } from "zod";
import { ApiError } from "./api-error.js";

export function parseRequest<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
  code: "ValidationException" | "ValidationError",
): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.map((p, i) =>
      typeof p === "number" ? `${p + 1}` : i === 0 ? lowerFirst(String(p)) : String(p),
    );
    const at = path.join(".") || "request";
    const missing = issue.code === "invalid_type" && valueAt(input, issue.path) === undefined;
    return missing
      ? `Value null at '${at}' failed to satisfy constraint: Member must not be null`
      : `Value at '${at}' failed to satisfy constraint: ${issue.message}`;
  });
  const count = problems.length === 1 ? "1 validation error" : `${problems.length} validation errors`;
  throw new ApiError(code, `${count} detected: ${problems.join("; ")}`);
}

/** JSON with sorted keys: equal for equal requests, whatever the key order (idempotency tokens). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    const record = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((k) => [k, record[k]]),
    );
  });
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
