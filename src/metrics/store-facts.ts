/**
 * What /metrics reads from the database at each scrape: deployments by status, and the stage
 * completions and analysis ticks written since the last read (by row id, so each is counted once by
 * this process). Read-only SQL over the store's tables; the store writes them.
 */
import type { Store } from "../store/store.js";

export interface FinishedStage {
  kind: string;
  status: string;
  seconds: number;
}

export interface StoreFacts {
  deploymentsByStatus(): Map<string, number>;
  /** Stages finished (succeeded, failed or cancelled) since the previous call (at first: since `storeFacts` was called). */
  stagesFinishedSince(): FinishedStage[];
  /** Verdicts of the analysis ticks written since the previous call (at first: since `storeFacts` was called). */
  verdictsSince(): string[];
  /** The holder of the serve lease, if any holds it. */
  leaseHolder(): string | undefined;
}

const STAGE_END_EVENTS = "('STAGE_SUCCEEDED', 'STAGE_FAILED', 'STAGE_CANCELLED')";

/** Facts from `store`, counting only what is written from now on (a fresh process starts at zero). */
export function storeFacts(store: Store): StoreFacts {
  const { db } = store;
  const maxId = (table: "events" | "measurements") =>
    (db.prepare(`SELECT COALESCE(MAX(id), 0) AS id FROM ${table}`).get() as { id: number }).id;
  let lastEvent = maxId("events");
  let lastMeasurement = maxId("measurements");
  const byStatus = db.prepare("SELECT status, COUNT(*) AS n FROM deployments GROUP BY status");
  const finished = db.prepare(
    `SELECT e.id AS id, s.kind AS kind, s.status AS status, s.started_at AS startedAt, s.finished_at AS finishedAt
       FROM events e JOIN stages s ON s.deployment_id = e.deployment_id AND s.idx = e.stage_idx
      WHERE e.id > ? AND e.type IN ${STAGE_END_EVENTS} ORDER BY e.id`,
  );
  const verdicts = db.prepare("SELECT id, verdict FROM measurements WHERE id > ? ORDER BY id");
  return {
    deploymentsByStatus() {
      const rows = byStatus.all() as { status: string; n: number }[];
      return new Map(rows.map((r) => [r.status, r.n]));
    },
    stagesFinishedSince() {
      const rows = finished.all(lastEvent) as {
        id: number;
        kind: string;
        status: string;
        startedAt: number | null;
        finishedAt: number | null;
      }[];
      lastEvent = rows.at(-1)?.id ?? lastEvent;
      // A stage skipped before it started has no duration to observe.
      return rows.flatMap((r) =>
        r.startedAt !== null && r.finishedAt !== null
          ? [{ kind: r.kind, status: r.status, seconds: Math.max(0, r.finishedAt - r.startedAt) / 1000 }]
          : [],
      );
    },
    verdictsSince() {
      const rows = verdicts.all(lastMeasurement) as { id: number; verdict: string }[];
      lastMeasurement = rows.at(-1)?.id ?? lastMeasurement;
      return rows.map((r) => r.verdict);
    },
    leaseHolder: () => store.lease.current()?.holder,
  };
}
