/**
 * PipeCD `AnalysisTemplate` files: `spec.metrics` maps a template name to a metric that app metrics pull
 * in with `template: {name, appArgs}`. Kanaria reads them from `.pipe/*.yaml` in the nearest ancestor of
 * the app folder (up to and including the kanaria.yaml folder), as PipeCD does from the repository root,
 * plus any files listed in kanaria.yaml `analysisTemplateFiles`.
 */
import { readdir, stat } from "node:fs/promises";
import * as path from "node:path";
import { z } from "zod";
import type { DiagnosticSink } from "./diagnostic-sink.js";
import { type FieldPath, isRecord } from "./field-path.js";
import { loadYamlDocument, type YamlDocument } from "./load-yaml-document.js";
import { closedObject, type Origin, parseAt } from "./zod-issues.js";

export interface TemplateMetric {
  /** The key under `spec.metrics`. */
  name: string;
  doc: YamlDocument;
  /** `["spec", "metrics", name]` */
  path: FieldPath;
  raw: Record<string, unknown>;
}

export type TemplateLibrary = ReadonlyMap<string, TemplateMetric>;

const PIPECD_API_VERSION = "pipecd.dev/v1beta1";

const templateFileSchema = closedObject({
  apiVersion: z.literal(PIPECD_API_VERSION),
  kind: z.literal("AnalysisTemplate"),
  spec: z.unknown(),
});

const templateSpecSchema = closedObject({
  metrics: z.record(z.string(), z.unknown()).optional(),
  logs: z.unknown().optional(),
  https: z.unknown().optional(),
});

/**
 * Reads one template file. `required` files (listed in kanaria.yaml) must be AnalysisTemplates; files
 * found in `.pipe/` may hold other PipeCD kinds, which are skipped.
 */
export async function readTemplateFile(
  file: string,
  sink: DiagnosticSink,
  options: { required: boolean; reference?: Origin },
): Promise<TemplateMetric[]> {
  const read = await loadYamlDocument(file);
  if (!read.ok) {
    const ref = options.reference;
    if (ref) sink.error(ref.doc, ref.path, `cannot read analysis template file ${file}: ${read.reason}`);
    return [];
  }
  const doc = read.document;
  const root = doc.value;
  if (!options.required && !(isRecord(root) && root.kind === "AnalysisTemplate")) return [];
  sink.addAll(doc.diagnostics);
  if (doc.broken) return [];
  const top = parseAt(templateFileSchema, root ?? {}, { doc, path: [] }, sink);
  if (!top) return [];
  const spec = parseAt(templateSpecSchema, top.spec ?? {}, { doc, path: ["spec"] }, sink);
  if (!spec) return [];
  for (const kind of ["logs", "https"] as const) {
    if (spec[kind] !== undefined) {
      sink.warning(
        doc,
        ["spec", kind],
        `ignored: Kanaria analyses metrics only; ${kind} templates are not supported`,
        "key",
      );
    }
  }
  const metrics: TemplateMetric[] = [];
  for (const [name, raw] of Object.entries(spec.metrics ?? {})) {
    const where: FieldPath = ["spec", "metrics", name];
    if (!isRecord(raw)) {
      sink.error(
        doc,
        where,
        "a template metric must be a map of metric settings (strategy, provider, query, …)",
      );
      continue;
    }
    metrics.push({ name, doc, path: where, raw });
  }
  return metrics;
}

/**
 * The `.pipe` folder PipeCD would use for an app in `appDir`: the nearest one walking up from `appDir`,
 * not above `rootDir` (the kanaria.yaml folder). An app outside `rootDir` only looks in its own folder.
 */
export async function findPipeDir(appDir: string, rootDir: string): Promise<string | undefined> {
  const inside = (dir: string) => {
    const rel = path.relative(rootDir, dir);
    return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
  };
  let dir = path.resolve(appDir);
  for (;;) {
    const candidate = path.join(dir, ".pipe");
    const info = await stat(candidate).catch(() => undefined);
    if (info?.isDirectory()) return candidate;
    const parent = path.dirname(dir);
    if (!inside(dir) || !inside(parent) || parent === dir) return undefined;
    dir = parent;
  }
}

/** YAML and JSON files directly inside a `.pipe` folder, sorted for a stable order. */
export async function listTemplateFiles(pipeDir: string): Promise<string[]> {
  const names = await readdir(pipeDir).catch(() => [] as string[]);
  return names
    .filter((n) => /\.(ya?ml|json)$/i.test(n))
    .sort()
    .map((n) => path.join(pipeDir, n));
}

/** Indexes template metrics by name; a name defined twice is an error at the second definition. */
export function buildLibrary(
  metrics: readonly TemplateMetric[],
  sink: DiagnosticSink,
): Map<string, TemplateMetric> {
  const library = new Map<string, TemplateMetric>();
  for (const metric of metrics) {
    const first = library.get(metric.name);
    if (first) {
      const where = first.doc.position(first.path, "key");
      sink.error(
        metric.doc,
        metric.path,
        `analysis template "${metric.name}" is defined twice (first in ${where.file}:${where.line}); names must be unique`,
        "key",
      );
      continue;
    }
    library.set(metric.name, metric);
  }
  return library;
}
