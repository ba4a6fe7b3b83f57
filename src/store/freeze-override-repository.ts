import type { Database } from "better-sqlite3";

/** One deployment started during a freeze window by someone allowed to override it. */
export interface FreezeOverride {
  deploymentId: string;
  app: string;
  freezeName: string;
  actor: string;
  reason: string;
  at: number;
}

interface OverrideRow {
  deployment_id: string;
  app: string;
  freeze_name: string;
  actor: string;
  reason: string;
  at: number;
}

/** The audit trail of freeze overrides. Append-only. */
export class FreezeOverrideRepository {
  constructor(private readonly db: Database) {}

  record(o: FreezeOverride): void {
    this.db
      .prepare(
        `INSERT INTO freeze_overrides (deployment_id, app, freeze_name, actor, reason, at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(o.deploymentId, o.app, o.freezeName, o.actor, o.reason, o.at);
  }

  /** Newest first. */
  list(app: string, limit = 50): FreezeOverride[] {
    const rows = this.db
      .prepare("SELECT * FROM freeze_overrides WHERE app = ? ORDER BY at DESC, id DESC LIMIT ?")
      .all(app, limit) as OverrideRow[];
    return rows.map((r) => ({
      deploymentId: r.deployment_id,
      app: r.app,
      freezeName: r.freeze_name,
      actor: r.actor,
      reason: r.reason,
      at: r.at,
    }));
  }
}
