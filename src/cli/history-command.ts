/**
 * `kanaria history <app>`: the last deployments of an app from the store, as a table or JSON.
 */
import { closestNames } from "../domain/closest-names.js";
import type { Deployment } from "../domain/deployment.js";
import type { Store } from "../store/store.js";

export interface HistoryRow {
  id: string;
  app: string;
  version: string;
  previousVersion: string | null;
  status: string;
  statusReason: string;
  requester: string;
  reason: string;
  createdAt: string;
  finishedAt: string | null;
  durationSeconds: number | null;
  stages: Array<{ kind: string; status: string }>;
}

export function historyRows(store: Store, app: string, limit: number): HistoryRow[] {
  return store.deployments.history(app, limit).map((d) => toRow(d, store));
}

function toRow(d: Deployment, store: Store): HistoryRow {
  return {
    id: d.id,
    app: d.app,
    version: d.version,
    previousVersion: d.previousVersion ?? null,
    status: d.status,
    statusReason: d.statusReason,
    requester: d.requester,
    reason: d.reason,
    createdAt: new Date(d.createdAt).toISOString(),
    finishedAt: d.finishedAt === undefined ? null : new Date(d.finishedAt).toISOString(),
    durationSeconds: d.finishedAt === undefined ? null : Math.round((d.finishedAt - d.createdAt) / 1000),
    stages: store.stages
      .list(d.id)
      .filter((s) => s.visible || s.status !== "SKIPPED")
      .map((s) => ({ kind: s.kind, status: s.status })),
  };
}

/**
 * A plain-text table, newest first; column widths fit the content. `deployedApps` (apps with deployments)
 * turns "nothing yet" for a mistyped name into a suggestion of the names that were meant.
 */
export function formatHistory(
  app: string,
  rows: readonly HistoryRow[],
  deployedApps: readonly string[] = [],
): string[] {
  if (rows.length === 0) {
    const near = closestNames(app, deployedApps);
    const hint = near.length === 0 ? "" : ` Did you mean ${near.join(" or ")}?`;
    return [`No deployments of ${app} yet.${hint}`];
  }
  const header = ["WHEN (UTC)", "VERSION", "FROM", "STATUS", "BY", "TOOK", "REASON"];
  const body = rows.map((r) => [
    r.createdAt.slice(0, 16).replace("T", " "),
    r.version,
    r.previousVersion ?? "-",
    r.status,
    r.requester,
    r.durationSeconds === null ? "running" : formatSeconds(r.durationSeconds),
    r.status === "SUCCESS" ? r.reason : [r.reason, r.statusReason].filter((x) => x !== "").join(" — "),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(header), ...body.map(line)];
}

function formatSeconds(total: number): string {
  if (total < 60) return `${total}s`;
  const m = Math.floor(total / 60);
  if (m < 60) return `${m}m${String(total % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}
