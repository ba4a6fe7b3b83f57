import type { Database } from "better-sqlite3";
import type { AppConfig } from "../domain/app-config.js";
import type { Deployment, DeploymentAccess, RollbackCause } from "../domain/deployment.js";
import { type DeploymentContext, deploymentContextSchema } from "../domain/deployment-context.js";
import type { DeploymentStatus } from "../domain/status.js";
import { parseJsonColumn, readJsonColumn } from "./json-column.js";

interface DeploymentRow {
  id: string;
  app: string;
  version: string;
  previous_version: string | null;
  requester: string;
  reason: string;
  status: DeploymentStatus;
  status_reason: string;
  rollback_cause: RollbackCause | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  deadline_at: number;
  app_config: string;
  access: string;
  context: string;
}

const ACTIVE = "('PLANNED', 'RUNNING', 'WAITING_APPROVAL', 'ROLLING_BACK')";

export interface DeploymentStatusChange {
  status: DeploymentStatus;
  statusReason: string;
  rollbackCause?: RollbackCause;
  startedAt?: number;
  finishedAt?: number;
}

export class DeploymentRepository {
  constructor(private readonly db: Database) {}

  /** Throws a SQLite constraint error when the app already has an active deployment. */
  insert(d: Deployment): void {
    this.db
      .prepare(
        `INSERT INTO deployments (id, app, version, previous_version, requester, reason, status, status_reason,
           rollback_cause, created_at, started_at, finished_at, deadline_at, app_config, access, context)
         VALUES (@id, @app, @version, @previous_version, @requester, @reason, @status, @status_reason,
           @rollback_cause, @created_at, @started_at, @finished_at, @deadline_at, @app_config, @access, @context)`,
      )
      .run(toRow(d));
  }

  get(id: string): Deployment | undefined {
    const row = this.db.prepare("SELECT * FROM deployments WHERE id = ?").get(id) as
      | DeploymentRow
      | undefined;
    return row && fromRow(row);
  }

  /**
   * The status and app alone, without parsing the row's app config, access and context (JSON of
   * several KB): what the engine's poll, the journal and watchers read many times a second.
   */
  summary(id: string): { app: string; status: DeploymentStatus } | undefined {
    return this.db.prepare("SELECT app, status FROM deployments WHERE id = ?").get(id) as
      | { app: string; status: DeploymentStatus }
      | undefined;
  }

  /** Ids of the unfinished deployments, oldest first (as `active()`, without parsing the rows). */
  activeIds(): string[] {
    const rows = this.db
      .prepare(`SELECT id FROM deployments WHERE status IN ${ACTIVE} ORDER BY created_at`)
      .all() as { id: string }[];
    return rows.map((r) => r.id);
  }

  active(): Deployment[] {
    const rows = this.db
      .prepare(`SELECT * FROM deployments WHERE status IN ${ACTIVE} ORDER BY created_at`)
      .all() as DeploymentRow[];
    return rows.map(fromRow);
  }

  activeForApp(app: string): Deployment | undefined {
    const row = this.db.prepare(`SELECT * FROM deployments WHERE app = ? AND status IN ${ACTIVE}`).get(app) as
      | DeploymentRow
      | undefined;
    return row && fromRow(row);
  }

  lastSuccessful(app: string): Deployment | undefined {
    const row = this.db
      .prepare(
        "SELECT * FROM deployments WHERE app = ? AND status = 'SUCCESS' ORDER BY finished_at DESC LIMIT 1",
      )
      .get(app) as DeploymentRow | undefined;
    return row && fromRow(row);
  }

  /** Newest first. */
  history(app: string, limit: number): Deployment[] {
    const rows = this.db
      .prepare("SELECT * FROM deployments WHERE app = ? ORDER BY created_at DESC, rowid DESC LIMIT ?")
      .all(app, limit) as DeploymentRow[];
    return rows.map(fromRow);
  }

  /** Every app that has at least one deployment, by name (for `kanaria history`'s "did you mean"). */
  apps(): string[] {
    const rows = this.db.prepare("SELECT DISTINCT app FROM deployments ORDER BY app").all() as Array<{
      app: string;
    }>;
    return rows.map((row) => row.app);
  }

  /** The newest deployments of every app, newest first (App Home's recent history). */
  recent(limit: number): Deployment[] {
    const rows = this.db
      .prepare("SELECT * FROM deployments ORDER BY created_at DESC, rowid DESC LIMIT ?")
      .all(limit) as DeploymentRow[];
    return rows.map(fromRow);
  }

  setStatus(id: string, change: DeploymentStatusChange): void {
    this.db
      .prepare(
        `UPDATE deployments SET status = @status, status_reason = @statusReason,
           rollback_cause = COALESCE(@rollbackCause, rollback_cause),
           started_at = COALESCE(@startedAt, started_at), finished_at = COALESCE(@finishedAt, finished_at)
         WHERE id = @id`,
      )
      .run({
        id,
        status: change.status,
        statusReason: change.statusReason,
        rollbackCause: change.rollbackCause ?? null,
        startedAt: change.startedAt ?? null,
        finishedAt: change.finishedAt ?? null,
      });
  }

  setContext(id: string, context: DeploymentContext): void {
    this.db.prepare("UPDATE deployments SET context = ? WHERE id = ?").run(JSON.stringify(context), id);
  }
}

function toRow(d: Deployment): DeploymentRow {
  return {
    id: d.id,
    app: d.app,
    version: d.version,
    previous_version: d.previousVersion ?? null,
    requester: d.requester,
    reason: d.reason,
    status: d.status,
    status_reason: d.statusReason,
    rollback_cause: d.rollbackCause ?? null,
    created_at: d.createdAt,
    started_at: d.startedAt ?? null,
    finished_at: d.finishedAt ?? null,
    deadline_at: d.deadlineAt,
    app_config: JSON.stringify(d.appConfig),
    access: JSON.stringify(d.access),
    context: JSON.stringify(d.context),
  };
}

/** A context that does not fit its schema is reported on the deployment (`contextProblem`), not thrown. */
function fromRow(r: DeploymentRow): Deployment {
  const context = readJsonColumn(deploymentContextSchema, r.context, `the context of deployment ${r.id}`);
  return {
    id: r.id,
    app: r.app,
    version: r.version,
    previousVersion: r.previous_version ?? undefined,
    requester: r.requester,
    reason: r.reason,
    status: r.status,
    statusReason: r.status_reason,
    rollbackCause: r.rollback_cause ?? undefined,
    createdAt: r.created_at,
    startedAt: r.started_at ?? undefined,
    finishedAt: r.finished_at ?? undefined,
    deadlineAt: r.deadline_at,
    appConfig: parseJsonColumn<AppConfig>(r.app_config, `deployments.app_config of ${r.id}`),
    access: parseJsonColumn<DeploymentAccess>(r.access, `deployments.access of ${r.id}`),
    context: context.ok ? context.value : {},
    ...(context.ok ? {} : { contextProblem: context.problem }),
  };
}
