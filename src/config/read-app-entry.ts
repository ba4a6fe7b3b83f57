/**
 * One `apps[i]` entry of kanaria.yaml: where the app lives, which cloud provider deploys it and who may
 * do what. Its problems go to the app's own sink, so a broken entry only takes its own app down.
 */
import { stat } from "node:fs/promises";
import * as path from "node:path";
import { DiagnosticSink } from "./diagnostic-sink.js";
import { type FieldPath, isRecord } from "./field-path.js";
import { appEntrySchema } from "./kanaria-schema.js";
import type { YamlDocument } from "./load-yaml-document.js";
import { parseFields } from "./zod-issues.js";

/** An app entry before its name is settled (it may default to the app config's spec.name). */
export interface AppEntryDraft {
  index: number;
  path: FieldPath;
  /** The name written in kanaria.yaml, if any. */
  name: string | undefined;
  dir: string;
  configFile: string;
  cloudProvider: string;
  channels: string[];
  deployers: string[];
  approvers: string[];
  fourEyes: boolean;
  /** Problems attributed to this app (in kanaria.yaml and, later, in its own files). */
  sink: DiagnosticSink;
  /** False when the entry itself has errors (bad field, unknown cloud provider, missing folder). */
  usable: boolean;
  /** Whether `dir` exists (otherwise there is no app config to read). */
  dirExists: boolean;
}

/**
 * `cloudNames` are the names of kanaria.yaml's cloud providers; `cloudEntryCount` how many entries the
 * list has (entries without a usable name were reported already and must not be reported again here).
 */
export async function readAppEntry(
  doc: YamlDocument,
  index: number,
  raw: unknown,
  cloudNames: readonly string[],
  cloudEntryCount: number,
): Promise<AppEntryDraft> {
  const where: FieldPath = ["apps", index];
  const sink = new DiagnosticSink();
  const draft: AppEntryDraft = {
    index,
    path: where,
    name: isRecord(raw) && typeof raw.name === "string" ? raw.name : undefined,
    dir: "",
    configFile: "",
    cloudProvider: "",
    channels: [],
    deployers: [],
    approvers: [],
    fourEyes: false,
    sink,
    usable: false,
    dirExists: false,
  };
  // Field by field, so the app's own files are still checked when, say, one Slack id is mistyped.
  const { fields: entry } = parseFields(appEntrySchema.shape, raw, { doc, path: where }, sink);
  if (entry.dir === undefined) return draft;
  draft.dir = path.resolve(path.dirname(doc.file), entry.dir);
  draft.configFile = path.resolve(draft.dir, entry.configFile ?? "app.pipecd.yaml");
  draft.channels = entry.channels ?? [];
  draft.deployers = entry.deployers ?? [];
  draft.approvers = entry.approvers ?? [];
  draft.fourEyes = entry.fourEyes ?? false;

  const dirStat = await stat(draft.dir).catch(() => undefined);
  draft.dirExists = dirStat?.isDirectory() === true;
  if (!draft.dirExists) {
    const problem = dirStat ? "is not a directory" : "directory does not exist";
    sink.error(doc, [...where, "dir"], `${problem}: ${draft.dir}`);
  }

  const chosen = entry.cloudProvider;
  if (chosen !== undefined) {
    if (cloudNames.includes(chosen)) draft.cloudProvider = chosen;
    else {
      const defined = cloudNames.length > 0 ? `defined: ${cloudNames.join(", ")}` : "none are defined";
      sink.error(
        doc,
        [...where, "cloudProvider"],
        `cloud provider "${chosen}" is not defined in cloudProviders (${defined})`,
      );
    }
  } else if (cloudNames.length === 1) {
    draft.cloudProvider = cloudNames[0] ?? "";
  } else if (cloudNames.length > 1) {
    sink.error(
      doc,
      where,
      `several cloudProviders are defined (${cloudNames.join(", ")}); say which one with cloudProvider:`,
    );
  } else if (cloudEntryCount === 0) {
    sink.error(
      doc,
      where,
      "no cloudProviders are defined; add one with type: ECS so Kanaria knows where to deploy",
    );
  }
  draft.usable = !sink.hasErrors();
  return draft;
}
