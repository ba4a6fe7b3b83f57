/**
 * Reads a YAML or JSON file (JSON is YAML) and keeps enough of the syntax tree to map any field path
 * back to `file:line:col`. Parsing never throws: syntax errors and duplicate keys become diagnostics.
 */
import { readFile } from "node:fs/promises";
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseDocument,
  type YAMLError,
} from "yaml";
import { type FieldPath, formatPath, type PathSegment } from "./field-path.js";
import { jsonSyntaxError } from "./json-syntax-error.js";
import type { Diagnostic, SourcePosition } from "./types.js";

export interface YamlDocument {
  /** Absolute path of the file. */
  readonly file: string;
  readonly text: string;
  /** Plain data (maps → objects, sequences → arrays); undefined for an empty file. */
  readonly value: unknown;
  /** Syntax errors, duplicate keys and parser warnings, in file order. */
  readonly diagnostics: readonly Diagnostic[];
  /**
   * True when the text is not valid YAML (duplicate keys aside): the data then reflects the parser's
   * recovery, not the author's intent, so callers stop after reporting the syntax errors.
   */
  readonly broken: boolean;
  /**
   * Where `path` is. `value` (default) points at the value, or at the key when the value is a block
   * collection (so `input:` rather than its first child); `key` points at the key itself. A path that does
   * not exist resolves to the key of its deepest existing ancestor, which is where a missing field belongs.
   */
  position(path: FieldPath, target?: "key" | "value"): SourcePosition;
  /** Position of character `offset` of the string at `path` (exact for single-line and `|` scalars). */
  positionInString(path: FieldPath, offset: number): SourcePosition;
}

export type ReadResult =
  | { ok: true; document: YamlDocument }
  /** `missing`: the file does not exist (as opposed to unreadable). */
  | { ok: false; reason: string; missing: boolean };

/** Reads and parses `file`; an unreadable file is a result, not an exception. */
export async function loadYamlDocument(file: string): Promise<ReadResult> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
    return { ok: false, reason: describeReadError(error), missing };
  }
  return { ok: true, document: parseYamlDocument(file, text) };
}

export function parseYamlDocument(file: string, text: string): YamlDocument {
  return new ParsedDocument(file, text);
}

/** A `.json` file must be JSON, not merely YAML (which reads `{a: 1, bad}` happily). */
function strictJsonError(file: string, text: string): Diagnostic | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    return jsonSyntaxError(file, text, error);
  }
}

function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT") return "file not found";
  if (code === "EISDIR") return "is a directory, not a file";
  if (code === "EACCES") return "permission denied";
  return error instanceof Error ? error.message : String(error);
}

interface Located {
  node: Node | null;
  key: Node | null;
  /** False when the path left the document: node/key are then those of the deepest existing ancestor. */
  complete: boolean;
}

class ParsedDocument implements YamlDocument {
  readonly value: unknown;
  readonly diagnostics: Diagnostic[] = [];
  readonly broken: boolean;
  private readonly doc: Document.Parsed;
  private readonly lines: LineCounter;

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    this.lines = new LineCounter();
    this.doc = parseDocument(text, {
      lineCounter: this.lines,
      prettyErrors: false,
      uniqueKeys: true,
      merge: true,
    });
    const jsonError = /\.json$/i.test(file) ? strictJsonError(file, text) : undefined;
    if (jsonError) this.diagnostics.push(jsonError);
    else for (const error of this.doc.errors) this.diagnostics.push(this.fromYamlError(error, "error"));
    let broken = jsonError !== undefined || this.doc.errors.some((e) => e.code !== "DUPLICATE_KEY");
    for (const warning of this.doc.warnings) this.diagnostics.push(this.fromYamlError(warning, "warning"));
    let value: unknown;
    try {
      value = this.doc.toJS({ maxAliasCount: 1000 });
    } catch (error) {
      // toJS throws only on pathological alias use; report it like a syntax error.
      this.diagnostics.push({
        file,
        line: 1,
        col: 1,
        severity: "error",
        path: "",
        message: error instanceof Error ? error.message : String(error),
      });
      value = undefined;
      broken = true;
    }
    this.value = value ?? undefined;
    this.broken = broken;
  }

  position(path: FieldPath, target: "key" | "value" = "value"): SourcePosition {
    const { node, key, complete } = this.locate(path);
    if (!complete) return key ? this.at(key) : node ? this.at(node) : this.start();
    if (target === "key" && key) return this.at(key);
    if (node === null || (isScalar(node) && node.value === null && key))
      return key ? this.at(key) : this.start();
    if ((isMap(node) || isSeq(node)) && !node.flow && key) return this.at(key);
    return this.at(node);
  }

  positionInString(path: FieldPath, offset: number): SourcePosition {
    const { node, complete } = this.locate(path);
    if (!complete || !node || !isScalar(node) || typeof node.value !== "string" || !node.range)
      return this.position(path);
    const value = node.value;
    const before = value.slice(0, offset);
    const lineIndex = before.split("\n").length - 1;
    const colInLine = offset - (before.lastIndexOf("\n") + 1);
    const start = this.lines.linePos(node.range[0]);
    if (node.type === "BLOCK_LITERAL") {
      const firstContentLine = start.line + 1;
      const sourceLine = this.sourceLine(firstContentLine + lineIndex);
      const indent = this.blockIndent(firstContentLine);
      if (sourceLine === undefined) return this.at(node);
      return { file: this.file, line: firstContentLine + lineIndex, col: indent + colInLine + 1 };
    }
    if (
      (node.type === "PLAIN" || node.type === "QUOTE_SINGLE" || node.type === "QUOTE_DOUBLE") &&
      lineIndex === 0
    ) {
      const quote = node.type === "PLAIN" ? 0 : 1;
      const raw = this.text.slice(node.range[0], node.range[1]);
      // Escapes would shift columns; fall back to the scalar's start rather than guess.
      if (!raw.includes("\n") && !raw.includes("\\")) {
        return { file: this.file, line: start.line, col: start.col + quote + colInLine };
      }
    }
    return this.at(node);
  }

  private sourceLine(line: number): string | undefined {
    const offset = this.lines.lineStarts[line - 1];
    if (offset === undefined) return undefined;
    const end = this.text.indexOf("\n", offset);
    return this.text.slice(offset, end === -1 ? undefined : end);
  }

  /** Indentation of a block scalar: that of its first non-empty content line. */
  private blockIndent(firstContentLine: number): number {
    for (let line = firstContentLine; ; line++) {
      const text = this.sourceLine(line);
      if (text === undefined) return 0;
      if (text.trim() !== "") return text.length - text.trimStart().length;
    }
  }

  private locate(path: FieldPath): Located {
    let node: Node | null = this.resolve(this.doc.contents);
    let key: Node | null = null;
    for (const segment of path) {
      const next = this.child(node, segment);
      if (!next) return { node, key, complete: false };
      node = this.resolve(next.node);
      key = next.key;
    }
    return { node, key, complete: true };
  }

  private child(
    node: Node | null,
    segment: PathSegment,
  ): { node: Node | null; key: Node | null } | undefined {
    if (isMap(node)) {
      const pair = findPair(node.items, segment);
      if (!pair) return undefined;
      return { node: asNode(pair.value), key: asNode(pair.key) };
    }
    if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment];
      if (item === undefined) return undefined;
      const itemNode = asNode(item);
      return { node: itemNode, key: null };
    }
    return undefined;
  }

  private resolve(node: Node | null | undefined): Node | null {
    if (!node) return null;
    if (isAlias(node)) return (node.resolve(this.doc) as Node | undefined) ?? null;
    return node;
  }

  private at(node: Node): SourcePosition {
    const offset = node.range?.[0];
    if (offset === undefined) return this.start();
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, col };
  }

  private start(): SourcePosition {
    const contents = this.doc.contents;
    return contents?.range ? this.at(contents) : { file: this.file, line: 1, col: 1 };
  }

  private fromYamlError(error: YAMLError, severity: "error" | "warning"): Diagnostic {
    const offset = error.pos[0];
    const { line, col } = this.lines.linePos(offset);
    let message = error.message;
    let path = "";
    if (error.code === "DUPLICATE_KEY") {
      const found = this.findDuplicate(offset);
      if (found) {
        path = formatPath(found.path);
        message = `duplicate key "${String(found.path[found.path.length - 1])}" (first defined at line ${found.firstLine}); YAML keeps only one of them, so one setting would be silently lost`;
      } else {
        message = "duplicate key; YAML keeps only one of them, so one setting would be silently lost";
      }
    }
    return { file: this.file, line, col, severity, path, message };
  }

  /** Finds the duplicated key starting at `offset`: its path and the line of its first definition. */
  private findDuplicate(offset: number): { path: PathSegment[]; firstLine: number } | undefined {
    const search = (
      node: Node | null,
      path: PathSegment[],
    ): { path: PathSegment[]; firstLine: number } | undefined => {
      if (isMap(node)) {
        for (const pair of node.items) {
          const key = asNode(pair.key);
          if (key?.range && key.range[0] === offset) {
            const name = isScalar(key) ? String(key.value) : String(key);
            const first = node.items.find((other) => isScalar(other.key) && String(other.key.value) === name);
            const firstKey = first ? asNode(first.key) : null;
            const firstLine = firstKey?.range ? this.lines.linePos(firstKey.range[0]).line : 0;
            return { path: [...path, name], firstLine };
          }
          if (isScalar(key)) {
            const found = search(asNode(pair.value), [...path, String(key.value)]);
            if (found) return found;
          }
        }
      } else if (isSeq(node)) {
        for (const [index, item] of node.items.entries()) {
          const found = search(asNode(item), [...path, index]);
          if (found) return found;
        }
      }
      return undefined;
    };
    return search(this.doc.contents, []);
  }
}

function findPair(
  items: readonly Pair<unknown, unknown>[],
  segment: PathSegment,
): Pair<unknown, unknown> | undefined {
  const wanted = String(segment);
  // The last pair wins, as in the plain data (toJS keeps the last of duplicated keys).
  let found: Pair<unknown, unknown> | undefined;
  for (const pair of items) {
    if (!isPair(pair)) continue;
    const key = pair.key;
    const name = isScalar(key) ? String(key.value) : String(key);
    if (name === wanted) found = pair;
  }
  return found;
}

function asNode(value: unknown): Node | null {
  if (value === null || value === undefined) return null;
  if (isScalar(value) || isMap(value) || isSeq(value) || isAlias(value)) return value;
  return null;
}
