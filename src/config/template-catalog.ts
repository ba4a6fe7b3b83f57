/**
 * Reads each AnalysisTemplate file once, checks each template metric once on its own (the problems no
 * app can cause: unknown providers, Kubernetes-only variables, bad fields), and hands every app the
 * library it may use: its `.pipe/` templates plus kanaria.yaml's `analysisTemplateFiles`.
 */
import {
  buildLibrary,
  findPipeDir,
  listTemplateFiles,
  readTemplateFile,
  type TemplateLibrary,
  type TemplateMetric,
} from "./analysis-templates.js";
import type { DiagnosticSink } from "./diagnostic-sink.js";
import type { FieldPath } from "./field-path.js";
import type { YamlDocument } from "./load-yaml-document.js";
import { checkTemplateMetric, type MetricContext } from "./parse-analysis-metric.js";

export class TemplateCatalog {
  private readonly files = new Map<string, Promise<TemplateMetric[]>>();
  private readonly checked = new Set<TemplateMetric>();
  private readonly standalone: MetricContext;
  private listed: TemplateMetric[] = [];

  /** `sink` receives problems inside template files; `providers` are kanaria.yaml's analysis providers. */
  constructor(
    private readonly sink: DiagnosticSink,
    providers: readonly string[],
    private readonly rootDir: string,
  ) {
    this.standalone = { providers, templates: new Map(), hasEnvLabel: undefined, stageDurationMs: undefined };
  }

  /** Loads kanaria.yaml's `analysisTemplateFiles` (each must be an AnalysisTemplate). */
  async loadListed(
    files: ReadonlyArray<{ file: string; path: FieldPath }>,
    doc: YamlDocument,
  ): Promise<void> {
    for (const entry of files) {
      this.listed.push(...(await this.read(entry.file, true, { doc, path: entry.path })));
    }
  }

  /** The templates an app in `appDir` may use; duplicate names are reported to the app's `appSink`. */
  async libraryFor(appDir: string, appSink: DiagnosticSink): Promise<TemplateLibrary> {
    const pipeDir = await findPipeDir(appDir, this.rootDir);
    const fromPipe: TemplateMetric[] = [];
    for (const file of pipeDir ? await listTemplateFiles(pipeDir) : []) {
      fromPipe.push(...(await this.read(file, false)));
    }
    return buildLibrary([...fromPipe, ...this.listed], appSink);
  }

  private read(file: string, required: boolean, reference?: { doc: YamlDocument; path: FieldPath }) {
    let cached = this.files.get(file);
    if (!cached) {
      cached = readTemplateFile(file, this.sink, reference ? { required, reference } : { required }).then(
        (metrics) => {
          for (const metric of metrics) this.check(metric);
          return metrics;
        },
      );
      this.files.set(file, cached);
    }
    return cached;
  }

  private check(metric: TemplateMetric): void {
    if (this.checked.has(metric)) return;
    this.checked.add(metric);
    checkTemplateMetric(metric, this.standalone, this.sink);
  }
}
