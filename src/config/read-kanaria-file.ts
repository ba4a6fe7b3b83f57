/**
 * Validates a parsed kanaria.yaml and resolves what it can on its own: defaults, paths relative to the
 * file's folder, provider types, each app entry's cloud provider. App names that default to the app
 * config's `spec.name` are settled later by loadConfig, once the app configs are read.
 */
import * as path from "node:path";
import type { DiagnosticSink } from "./diagnostic-sink.js";
import type { FieldPath } from "./field-path.js";
import { slackSchema, storeSchema, TOP_LEVEL_HINTS, topLevelSchema } from "./kanaria-schema.js";
import type { YamlDocument } from "./load-yaml-document.js";
import { type AppEntryDraft, readAppEntry } from "./read-app-entry.js";
import { type FreezeAppRef, readFreezes } from "./read-freezes.js";
import { readMetricsSettings } from "./read-metrics-settings.js";
import { readAnalysisProviders, readCloudProviders, type SecretResolver } from "./read-providers.js";
import type { KanariaConfig, SecretSource, SlackSettings } from "./types.js";
import { type Origin, parseAt, parseFields, rejectKeys } from "./zod-issues.js";

export interface KanariaFile {
  doc: YamlDocument;
  /** Folder of kanaria.yaml: relative paths are resolved against it. */
  dir: string;
  /** Everything but the apps; undefined when the shared part of the file has errors. */
  settings: Omit<KanariaConfig, "apps"> | undefined;
  /** Names of analysis providers as written, even in broken entries (so references are not double-reported). */
  analysisProviderNames: string[];
  /** Type of each valid analysis provider, so metrics can be checked against it (CLOUDWATCH queries). */
  analysisProviderTypes: Map<string, string>;
  templateFiles: Array<{ file: string; path: FieldPath }>;
  entries: AppEntryDraft[];
  /** App names written in `freezes[].apps`, checked by loadConfig once every app's name is settled. */
  freezeAppRefs: FreezeAppRef[];
  /** Every secret reference with where it was written (or would be), for `checkSecrets`. */
  secrets: Array<{ source: SecretSource; path: FieldPath; defaulted: boolean }>;
}

/** Where the Slack secrets are read from when kanaria.yaml's slack section does not say. */
export const SLACK_SECRET_ENV = {
  botToken: "SLACK_BOT_TOKEN",
  signingSecret: "SLACK_SIGNING_SECRET",
} as const;

/** Reads kanaria.yaml's content. `sink` receives the problems of the shared part (not of app entries). */
export async function readKanariaFile(doc: YamlDocument, sink: DiagnosticSink): Promise<KanariaFile> {
  const dir = path.dirname(doc.file);
  const at = (p: FieldPath): Origin => ({ doc, path: p });
  const errorsBefore = sink.errorCount;
  const secrets: KanariaFile["secrets"] = [];
  const resolveSecret: SecretResolver = (written, fallback, where) => {
    const source: SecretSource =
      written?.file !== undefined
        ? { file: path.resolve(dir, written.file) }
        : { env: written?.env ?? fallback.env };
    secrets.push({ source, path: where, defaulted: written === undefined });
    return source;
  };

  // Field by field: a typo in one section must not hide the problems of the others.
  const root = rejectKeys(doc.value ?? {}, TOP_LEVEL_HINTS, at([]), sink);
  const { fields: top } = parseFields(topLevelSchema.shape, root, at([]), sink);

  const slackRaw = parseAt(slackSchema, top.slack ?? {}, at(["slack"]), sink);
  let slack: SlackSettings | undefined;
  if (slackRaw) {
    slack = {
      botToken: resolveSecret(slackRaw.botToken, { env: SLACK_SECRET_ENV.botToken }, ["slack", "botToken"]),
      signingSecret: resolveSecret(slackRaw.signingSecret, { env: SLACK_SECRET_ENV.signingSecret }, [
        "slack",
        "signingSecret",
      ]),
      port: slackRaw.port ?? 3000,
    };
    if (slackRaw.appToken)
      slack.appToken = resolveSecret(slackRaw.appToken, { env: "" }, ["slack", "appToken"]);
    if (slackRaw.apiUrl !== undefined) slack.apiUrl = slackRaw.apiUrl;
  }

  const providerCtx = { doc, dir, sink, resolveSecret };
  const cloud = readCloudProviders(top.cloudProviders ?? [], providerCtx);
  const analysis = readAnalysisProviders(top.analysisProviders ?? [], providerCtx, cloud.providers);

  const store = parseAt(storeSchema, top.store ?? {}, at(["store"]), sink);
  const storePath =
    store?.path === undefined ? path.join(dir, "kanaria.db") : resolveStorePath(dir, store.path);

  const templateFiles = (top.analysisTemplateFiles ?? []).map((file, i) => ({
    file: path.resolve(dir, file),
    path: ["analysisTemplateFiles", i] as FieldPath,
  }));

  const freezes = readFreezes(top.freezes ?? [], doc, sink);
  const metrics = readMetricsSettings(doc, top.metrics, sink);

  const apps = top.apps ?? [];
  if (apps.length === 0) {
    sink.warning(
      doc,
      ["apps"],
      "no apps are configured; add entries under apps: so that /deploy has something to deploy",
      "key",
    );
  }
  const entries: AppEntryDraft[] = [];
  for (const [i, raw] of apps.entries()) {
    entries.push(await readAppEntry(doc, i, raw, cloud.names, (top.cloudProviders ?? []).length));
  }

  const settings =
    sink.errorCount === errorsBefore && slack
      ? {
          file: doc.file,
          slack,
          cloudProviders: cloud.providers,
          analysisProviders: analysis.providers,
          store: { path: storePath },
          freezes: freezes.freezes,
          ...(metrics?.port !== undefined ? { metrics } : {}),
        }
      : undefined;
  return {
    doc,
    dir,
    settings,
    analysisProviderNames: analysis.names,
    analysisProviderTypes: new Map(analysis.providers.map((p) => [p.name, p.type])),
    templateFiles,
    entries,
    freezeAppRefs: freezes.appRefs,
    secrets,
  };
}

/** `:memory:` is SQLite's in-memory database, not a path. */
function resolveStorePath(dir: string, value: string): string {
  return value === ":memory:" ? value : path.resolve(dir, value);
}
