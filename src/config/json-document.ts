/**
 * A JSON file as a `YamlDocument` (the interface diagnostics are reported through), for files that can
 * be large: a `kanaria replay` recording of 100k points per series is ~10 MB of JSON. The YAML parser
 * keeps a node per scalar with its source range — about 2 GB and seconds for such a file — where
 * `JSON.parse` takes tens of milliseconds. So the value comes from `JSON.parse`, and a position is found
 * only when a diagnostic asks for one, by scanning the text along the field path (one pass over the
 * text before the field at most, no tree kept).
 *
 * Positions follow `YamlDocument.position`'s rules for flow collections (every JSON collection is one):
 * a value's position is where it starts, `key` gives its key, and a path that leaves the document gives
 * the key of its deepest existing ancestor (or the ancestor itself when it has no key: an array item,
 * the root).
 */
import type { FieldPath } from "./field-path.js";
import type { YamlDocument } from "./load-yaml-document.js";
import type { Diagnostic, SourcePosition } from "./types.js";

/** `text` must be valid JSON (the caller parsed it into `value`). */
export function jsonDocument(file: string, text: string, value: unknown): YamlDocument {
  return new JsonDocument(file, text, value);
}

interface Located {
  /** Offset of the deepest value reached. */
  value: number;
  /** Offset of that value's key, when it is an object member. */
  key: number | undefined;
  complete: boolean;
}

class JsonDocument implements YamlDocument {
  readonly diagnostics: readonly Diagnostic[] = [];
  readonly broken = false;
  private lineStarts: number[] | undefined;

  constructor(
    readonly file: string,
    readonly text: string,
    readonly value: unknown,
  ) {}

  position(path: FieldPath, target: "key" | "value" = "value"): SourcePosition {
    const { value, key, complete } = this.locate(path);
    if (!complete) return this.at(key ?? value);
    return this.at(target === "key" && key !== undefined ? key : value);
  }

  positionInString(path: FieldPath, offset: number): SourcePosition {
    const { value, complete } = this.locate(path);
    if (!complete || this.text[value] !== '"') return this.position(path);
    const raw = this.text.slice(value + 1, value + 1 + offset);
    // Escapes would shift columns; fall back to the string's start rather than guess.
    return raw.includes("\\") ? this.at(value) : this.at(value + 1 + offset);
  }

  private locate(path: FieldPath): Located {
    const text = this.text;
    let value = skipSpace(text, 0);
    let key: number | undefined;
    for (const segment of path) {
      const open = text[value];
      let found: { value: number; key: number | undefined } | undefined;
      if (typeof segment === "string" && open === "{") found = member(text, value, segment);
      else if (typeof segment === "number" && open === "[") found = item(text, value, segment);
      if (!found) return { value, key, complete: false };
      ({ value, key } = found);
    }
    return { value, key, complete: true };
  }

  private at(offset: number): SourcePosition {
    this.lineStarts ??= lineStartsOf(this.text);
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file: this.file, line: lo + 1, col: offset - (starts[lo] as number) + 1 };
  }
}

/** Offset of the value of the root object's member `name` (undefined: none, or not an object). */
export function rootMemberStart(text: string, name: string): number | undefined {
  const open = skipSpace(text, 0);
  return text[open] === "{" ? member(text, open, name)?.value : undefined;
}

/** The member `name` of the object at `open`: its value's offset and its key's. */
function member(text: string, open: number, name: string): { value: number; key: number } | undefined {
  let i = skipSpace(text, open + 1);
  while (text[i] === '"') {
    const keyStart = i;
    const keyEnd = skipString(text, i);
    const colon = skipSpace(text, keyEnd);
    const valueStart = skipSpace(text, colon + 1);
    if (JSON.parse(text.slice(keyStart, keyEnd)) === name) return { value: valueStart, key: keyStart };
    i = skipSpace(text, skipValue(text, valueStart));
    if (text[i] !== ",") return undefined;
    i = skipSpace(text, i + 1);
  }
  return undefined;
}

/** Item `index` of the array at `open`. */
function item(text: string, open: number, index: number): { value: number; key: undefined } | undefined {
  let i = skipSpace(text, open + 1);
  if (text[i] === "]") return undefined;
  for (let k = 0; k < index; k++) {
    i = skipSpace(text, skipValue(text, i));
    if (text[i] !== ",") return undefined;
    i = skipSpace(text, i + 1);
  }
  return { value: i, key: undefined };
}

/** The offset just after the value starting at `i`. */
function skipValue(text: string, i: number): number {
  const first = text[i];
  if (first === '"') return skipString(text, i);
  if (first !== "{" && first !== "[") {
    let j = i;
    while (j < text.length && !",}] \t\r\n".includes(text[j] as string)) j++;
    return j;
  }
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const c = text[j];
    if (c === '"') j = skipString(text, j) - 1;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return text.length;
}

/** The offset just after the string starting (at its quote) at `i`. */
function skipString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text[j];
    if (c === "\\") j++;
    else if (c === '"') return j + 1;
  }
  return text.length;
}

function skipSpace(text: string, i: number): number {
  let j = i;
  while (j < text.length && " \t\r\n".includes(text[j] as string)) j++;
  return j;
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}
