/**
 * Collects diagnostics while config is validated. Validation code reports at a field path in a document;
 * the sink turns that into `file:line:col` and drops exact repeats (a template shared by several apps
 * would otherwise report the same problem once per app).
 */
import { type FieldPath, formatPath } from "./field-path.js";
import type { YamlDocument } from "./load-yaml-document.js";
import type { Diagnostic } from "./types.js";

export class DiagnosticSink {
  private readonly items: Diagnostic[] = [];
  private readonly seen = new Set<string>();

  error(doc: YamlDocument, path: FieldPath, message: string, target?: "key" | "value"): void {
    this.report("error", doc, path, message, target);
  }

  warning(doc: YamlDocument, path: FieldPath, message: string, target?: "key" | "value"): void {
    this.report("warning", doc, path, message, target);
  }

  report(
    severity: Diagnostic["severity"],
    doc: YamlDocument,
    path: FieldPath,
    message: string,
    target?: "key" | "value",
  ): void {
    const position = doc.position(path, target);
    this.add({ ...position, severity, path: formatPath(path), message });
  }

  /** An error about the character at `offset` of the string at `path` (e.g. one `{{ … }}` in a query). */
  errorInString(doc: YamlDocument, path: FieldPath, offset: number, message: string): void {
    this.reportInString("error", doc, path, offset, message);
  }

  /** A diagnostic about the character at `offset` of the string at `path`. */
  reportInString(
    severity: Diagnostic["severity"],
    doc: YamlDocument,
    path: FieldPath,
    offset: number,
    message: string,
  ): void {
    this.add({ ...doc.positionInString(path, offset), severity, path: formatPath(path), message });
  }

  add(diagnostic: Diagnostic): void {
    const key = [
      diagnostic.file,
      diagnostic.line,
      diagnostic.col,
      diagnostic.severity,
      diagnostic.path,
      diagnostic.message,
    ].join("\u0000");
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push(diagnostic);
  }

  addAll(diagnostics: Iterable<Diagnostic>): void {
    for (const diagnostic of diagnostics) this.add(diagnostic);
  }

  get diagnostics(): readonly Diagnostic[] {
    return this.items;
  }

  get errorCount(): number {
    return this.items.filter((d) => d.severity === "error").length;
  }

  hasErrors(): boolean {
    return this.items.some((d) => d.severity === "error");
  }
}

/**
 * Orders diagnostics for people: `first` (kanaria.yaml) leads, other files follow by path (so an app's
 * files sit together), and by line and column within a file.
 */
export function sortDiagnostics(diagnostics: readonly Diagnostic[], first?: string): Diagnostic[] {
  const rank = (file: string) => (file === first ? 0 : 1);
  return [...diagnostics].sort(
    (a, b) =>
      rank(a.file) - rank(b.file) ||
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line ||
      a.col - b.col,
  );
}
