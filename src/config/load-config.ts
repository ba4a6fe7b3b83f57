/**
 * The entry point for all configuration: kanaria.yaml, every app it lists, their definition files and
 * the analysis templates they use. Never throws on bad input. `config` is undefined when kanaria.yaml's
 * shared part (slack, providers, store) has errors; `config.apps` lists every usable app entry, and
 * `apps` holds only apps whose files have no errors (an app with errors is left out, others still load).
 */
import * as path from "node:path";
import type { AppConfig } from "../domain/app-config.js";
import type { AppEntry } from "../domain/app-entry.js";
import { DiagnosticSink, sortDiagnostics } from "./diagnostic-sink.js";
import { type FieldPath, formatPath, valueAt } from "./field-path.js";
import { readAppConfig } from "./load-app-config.js";
import { loadYamlDocument, parseYamlDocument, type YamlDocument } from "./load-yaml-document.js";
import type { AppEntryDraft } from "./read-app-entry.js";
import { checkFreezeApps } from "./read-freezes.js";
import { type KanariaFile, readKanariaFile } from "./read-kanaria-file.js";
import { type Env, readSecret } from "./read-secret.js";
import { TemplateCatalog } from "./template-catalog.js";
import type { LoadResult } from "./types.js";

export interface LoadOptions {
  /** Environment for secrets; defaults to process.env. Only used when `checkSecrets` is on. */
  env?: Env;
  /** Also read every secret (file or environment variable) and report the ones that cannot be read. */
  checkSecrets?: boolean;
  /**
   * A kanaria.yaml that does not exist reads as an empty one: every default (Slack secrets from
   * SLACK_BOT_TOKEN / SLACK_SIGNING_SECRET, no apps). For `serve --sandbox`, which needs nothing else.
   */
  missingAsEmpty?: boolean;
}

/** LoadResult plus how many apps kanaria.yaml lists (for check-config's summary). */
export interface DetailedLoadResult extends LoadResult {
  appCount: number;
}

export async function loadConfig(kanariaYamlPath: string, options: LoadOptions = {}): Promise<LoadResult> {
  const { config, apps, diagnostics } = await loadConfigDetailed(kanariaYamlPath, options);
  return { config, apps, diagnostics };
}

export async function loadConfigDetailed(
  kanariaYamlPath: string,
  options: LoadOptions = {},
): Promise<DetailedLoadResult> {
  const file = path.resolve(kanariaYamlPath);
  const shared = new DiagnosticSink();
  const nothing = () => ({
    config: undefined,
    apps: new Map(),
    diagnostics: [...shared.diagnostics],
    appCount: 0,
  });
  const found = await loadYamlDocument(file);
  const read =
    !found.ok && found.missing && options.missingAsEmpty
      ? { ok: true as const, document: parseYamlDocument(file, "{}\n") }
      : found;
  if (!read.ok) {
    // Named as given (`--config nope.yaml`), not as the default file name.
    const message = `cannot read ${path.basename(file)}: ${read.reason}`;
    shared.add({ file, line: 1, col: 1, severity: "error", path: "", message });
    return nothing();
  }
  const doc = read.document;
  shared.addAll(doc.diagnostics);
  if (doc.broken) return nothing();

  const kanaria = await readKanariaFile(doc, shared);
  const templates = new TemplateCatalog(shared, kanaria.analysisProviderNames, kanaria.dir);
  await templates.loadListed(kanaria.templateFiles, doc);

  const apps = new Map<string, AppConfig>();
  const entries: AppEntry[] = [];
  const taken = new Map<string, number>();
  const unnamed: FieldPath[] = [];
  for (const entry of kanaria.entries) {
    const { app, name } = entry.dirExists
      ? await readEntryApp(entry, kanaria, templates)
      : { app: undefined, name: entry.name };
    if (name === undefined) {
      unnamed.push(entry.path);
      continue;
    }
    const first = taken.get(name);
    if (first !== undefined) {
      const fromSpec = entry.name === undefined;
      const where = fromSpec ? entry.path : [...entry.path, "name"];
      const hint = fromSpec ? "; the name comes from spec.name, so set a distinct name: here" : "";
      entry.sink.error(doc, where, `duplicate app name "${name}" (also apps[${first}])${hint}`);
      continue;
    }
    taken.set(name, entry.index);
    if (entry.usable) entries.push(appEntry(entry, name));
    if (app && !entry.sink.hasErrors()) apps.set(name, app);
  }

  // A freeze naming an app that does not exist is an error of the shared part: the app it was meant for
  // would deploy unfrozen.
  const freezeAppsOk = checkFreezeApps(kanaria.freezeAppRefs, [...taken.keys()], unnamed, doc, shared);

  const secretsOk = options.checkSecrets
    ? await checkSecrets(kanaria, doc, options.env ?? process.env, shared)
    : true;

  const all = new DiagnosticSink();
  all.addAll(shared.diagnostics);
  for (const entry of kanaria.entries) all.addAll(entry.sink.diagnostics);
  return {
    config:
      kanaria.settings && secretsOk && freezeAppsOk ? { ...kanaria.settings, apps: entries } : undefined,
    apps,
    diagnostics: sortDiagnostics(all.diagnostics, file),
    appCount: kanaria.entries.length,
  };
}

async function readEntryApp(entry: AppEntryDraft, kanaria: KanariaFile, templates: TemplateCatalog) {
  const configFileWritten = valueAt(kanaria.doc.value, [...entry.path, "configFile"]) !== undefined;
  return readAppConfig(
    entry.configFile,
    {
      providers: kanaria.analysisProviderNames,
      providerTypes: kanaria.analysisProviderTypes,
      templates: await templates.libraryFor(entry.dir, entry.sink),
      reference: { doc: kanaria.doc, path: [...entry.path, configFileWritten ? "configFile" : "dir"] },
      ...(entry.name !== undefined ? { name: entry.name } : {}),
    },
    entry.sink,
  );
}

function appEntry(entry: AppEntryDraft, name: string): AppEntry {
  const { dir, configFile, cloudProvider, channels, deployers, approvers, fourEyes } = entry;
  return { name, dir, configFile, cloudProvider, channels, deployers, approvers, fourEyes };
}

/** Reads every secret; reports those that cannot be read (messages name the source, never a value). */
async function checkSecrets(
  kanaria: KanariaFile,
  doc: YamlDocument,
  env: Env,
  sink: DiagnosticSink,
): Promise<boolean> {
  let ok = true;
  for (const secret of kanaria.secrets) {
    try {
      await readSecret(secret.source, env);
    } catch (error) {
      ok = false;
      const message = error instanceof Error ? error.message : String(error);
      const note = secret.defaulted ? ` (the default, as ${formatPath(secret.path)} is not set)` : "";
      sink.error(doc, secret.path, `${message}${note}`);
    }
  }
  return ok;
}
