/**
 * kanaria.yaml `freezes:`, recurring windows in which deployments are refused. Entries are validated
 * field by field; the app names they list are checked later (`checkFreezeApps`), once every app entry's
 * name is settled (a name may come from the app's own spec.name).
 */
import { closestNames } from "../domain/closest-names.js";
import type { FreezeWindow } from "../domain/freeze-window.js";
import type { DiagnosticSink } from "./diagnostic-sink.js";
import { type FieldPath, formatPath, isRecord } from "./field-path.js";
import { freezeSchema } from "./freeze-schema.js";
import { APP_NAME } from "./kanaria-schema.js";
import type { YamlDocument } from "./load-yaml-document.js";
import { parseFields } from "./zod-issues.js";

/** An app name written in a freeze's `apps:`, with where it was written. */
export interface FreezeAppRef {
  app: string;
  path: FieldPath;
}

export interface FreezeList {
  /** The entries without errors, in the order written. */
  freezes: FreezeWindow[];
  /** Every well-formed app name in `apps:` lists, even in broken entries (a typo is reported either way). */
  appRefs: FreezeAppRef[];
}

/** Reads the `freezes:` list; problems go to `sink`. */
export function readFreezes(raw: readonly unknown[], doc: YamlDocument, sink: DiagnosticSink): FreezeList {
  const list: FreezeList = { freezes: [], appRefs: [] };
  const firstByName = new Map<string, number>();
  for (const [i, entry] of raw.entries()) {
    const where: FieldPath = ["freezes", i];
    if (isRecord(entry) && typeof entry.name === "string") {
      const first = firstByName.get(entry.name);
      if (first === undefined) firstByName.set(entry.name, i);
      else {
        sink.error(
          doc,
          [...where, "name"],
          `duplicate freeze name "${entry.name}" (also freezes[${first}]); names must be unique`,
        );
      }
    }
    if (isRecord(entry) && Array.isArray(entry.apps)) {
      for (const [j, app] of entry.apps.entries()) {
        if (typeof app === "string" && APP_NAME.test(app)) {
          list.appRefs.push({ app, path: [...where, "apps", j] });
        }
      }
    }
    const { fields, ok } = parseFields(freezeSchema.shape, entry, { doc, path: where }, sink);
    const { name, cron, duration } = fields;
    if (!ok || name === undefined || cron === undefined || duration === undefined) continue;
    list.freezes.push({
      name,
      cron,
      durationMs: duration,
      timezone: fields.timezone ?? "UTC",
      apps: fields.apps,
      overriders: fields.overriders ?? [],
      reason: fields.reason ?? "",
    });
  }
  return list;
}

/**
 * Reports freeze `apps:` names that no app entry has: a typo there would silently leave an app unfrozen.
 * `known` are the settled app names; `unnamed` the paths of entries whose name could not be settled
 * (their app config has errors), mentioned so that the reader knows why a name may be missing. Returns
 * false when anything was reported.
 */
export function checkFreezeApps(
  refs: readonly FreezeAppRef[],
  known: readonly string[],
  unnamed: readonly FieldPath[],
  doc: YamlDocument,
  sink: DiagnosticSink,
): boolean {
  let ok = true;
  for (const ref of refs) {
    if (known.includes(ref.app)) continue;
    ok = false;
    const closest = closestNames(ref.app, known);
    const hint =
      closest.length > 0 ? ` (did you mean ${closest.map((name) => `"${name}"`).join(" or ")}?)` : "";
    const listed =
      known.length > 0 ? `apps in kanaria.yaml: ${known.join(", ")}` : "kanaria.yaml lists no apps";
    const note =
      unnamed.length > 0
        ? `; the name of ${unnamed.map(formatPath).join(", ")} is not known because its app config has errors`
        : "";
    sink.error(doc, ref.path, `unknown app "${ref.app}"${hint}; ${listed}${note}`);
  }
  return ok;
}
