/**
 * A JSON file's syntax error as a diagnostic at its line and column. Strict JSON: YAML would accept
 * things JSON does not (comments, trailing commas, single quotes, bare words), so a `.json` file (a
 * recording, an app config, a task definition) is checked with JSON.parse first.
 */
import { jsonSyntaxOffset } from "./json-syntax-offset.js";
import type { Diagnostic } from "./types.js";

/** The position comes from the parser's message (`… at position N`), else from json-syntax-offset.ts (V8 leaves it out of some messages, e.g. for NaN). */
export function jsonSyntaxError(file: string, text: string, error: unknown): Diagnostic {
  const message = error instanceof Error ? error.message : String(error);
  const match = /at position (\d+)/.exec(message);
  const offset = match ? Number(match[1]) : jsonSyntaxOffset(text);
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const col = offset - (before.lastIndexOf("\n") + 1) + 1;
  return {
    file,
    line,
    col,
    severity: "error",
    path: "",
    message: `not valid JSON: ${message.replace(/ in JSON at position \d+.*$/, "")}`,
  };
}
