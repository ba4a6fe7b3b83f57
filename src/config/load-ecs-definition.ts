/**
 * Reads `servicedef`/`taskdef` (YAML or JSON, same parser) and normalises it. Problems are reported in
 * the definition file itself; a file that cannot be read is reported where the app config names it.
 */
import type { DiagnosticSink } from "./diagnostic-sink.js";
import type { FieldPath } from "./field-path.js";
import { loadYamlDocument, type YamlDocument } from "./load-yaml-document.js";
import {
  type DefinitionKind,
  type NormalisedDefinition,
  normaliseDefinition,
} from "./normalise-ecs-definition.js";
import type { Origin } from "./zod-issues.js";

export interface LoadedDefinition extends NormalisedDefinition {
  doc: YamlDocument;
  /** Reports at a path of the normalised value, positioned where that field is written in the file. */
  error(path: FieldPath, message: string): void;
  warning(path: FieldPath, message: string): void;
}

/**
 * `reference` is the app config field that names the file (or where it would be); `defaultNote` is
 * appended to "not found" when the file name was Kanaria's default rather than written by the user.
 */
export async function loadEcsDefinition(
  file: string,
  kind: DefinitionKind,
  reference: Origin & { defaultNote: string | undefined },
  sink: DiagnosticSink,
): Promise<LoadedDefinition | undefined> {
  const read = await loadYamlDocument(file);
  const what = kind === "task" ? "task definition" : "service definition";
  if (!read.ok) {
    sink.error(
      reference.doc,
      reference.path,
      `${what} ${file}: ${read.reason}${reference.defaultNote ?? ""}`,
    );
    return undefined;
  }
  const doc = read.document;
  sink.addAll(doc.diagnostics);
  if (doc.broken) return undefined;
  const normalised = normaliseDefinition(doc.value, kind, {
    warning: (path, message) => sink.warning(doc, path, message, "key"),
    error: (path, message) => sink.error(doc, path, message, "key"),
  });
  if (!normalised) return undefined;
  return {
    ...normalised,
    doc,
    error: (path, message) => sink.error(doc, normalised.sourcePath(path), message),
    warning: (path, message) => sink.warning(doc, normalised.sourcePath(path), message),
  };
}
