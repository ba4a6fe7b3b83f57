import type { Database } from "better-sqlite3";
import type { Stage } from "../domain/deployment.js";
import type { StageKind } from "../domain/stage-kind.js";
import { type AnyStageState, STAGE_STATE_SCHEMAS } from "../domain/stage-state.js";
import type { StageStatus } from "../domain/status.js";
import { parseJsonColumn, readJsonColumn } from "./json-column.js";

interface StageRow {
  deployment_id: string;
  idx: number;
  kind: StageKind;
  stage_id: string;
  description: string;
  visible: number;
  options: string;
  timeout_ms: number;
  status: StageStatus;
  status_reason: string;
  state: string;
  attempts: number;
  started_at: number | null;
  finished_at: number | null;
}

export interface StageStatusChange {
  status: StageStatus;
  statusReason: string;
  startedAt?: number;
  finishedAt?: number;
}

export class StageRepository {
  constructor(private readonly db: Database) {}

  insert(stage: Stage): void {
    this.db
      .prepare(
        `INSERT INTO stages (deployment_id, idx, kind, stage_id, description, visible, options, timeout_ms,
           status, status_reason, state, attempts, started_at, finished_at)
         VALUES (@deployment_id, @idx, @kind, @stage_id, @description, @visible, @options, @timeout_ms,
           @status, @status_reason, @state, @attempts, @started_at, @finished_at)`,
      )
      .run(toRow(stage));
  }

  /** In pipeline order. */
  list(deploymentId: string): Stage[] {
    const rows = this.db
      .prepare("SELECT * FROM stages WHERE deployment_id = ? ORDER BY idx")
      .all(deploymentId) as StageRow[];
    return rows.map(fromRow);
  }

  get(deploymentId: string, index: number): Stage | undefined {
    const row = this.db
      .prepare("SELECT * FROM stages WHERE deployment_id = ? AND idx = ?")
      .get(deploymentId, index) as StageRow | undefined;
    return row && fromRow(row);
  }

  setStatus(deploymentId: string, index: number, change: StageStatusChange): void {
    this.db
      .prepare(
        `UPDATE stages SET status = @status, status_reason = @statusReason,
           started_at = COALESCE(@startedAt, started_at), finished_at = COALESCE(@finishedAt, finished_at)
         WHERE deployment_id = @deploymentId AND idx = @index`,
      )
      .run({
        deploymentId,
        index,
        status: change.status,
        statusReason: change.statusReason,
        startedAt: change.startedAt ?? null,
        finishedAt: change.finishedAt ?? null,
      });
  }

  setState(deploymentId: string, index: number, state: AnyStageState): void {
    this.db
      .prepare("UPDATE stages SET state = ? WHERE deployment_id = ? AND idx = ?")
      .run(JSON.stringify(state), deploymentId, index);
  }

  incrementAttempts(deploymentId: string, index: number): number {
    this.db
      .prepare("UPDATE stages SET attempts = attempts + 1 WHERE deployment_id = ? AND idx = ?")
      .run(deploymentId, index);
    return (
      this.db
        .prepare("SELECT attempts FROM stages WHERE deployment_id = ? AND idx = ?")
        .get(deploymentId, index) as {
        attempts: number;
      }
    ).attempts;
  }
}

function toRow(s: Stage): StageRow {
  return {
    deployment_id: s.deploymentId,
    idx: s.index,
    kind: s.kind,
    stage_id: s.stageId,
    description: s.description,
    visible: s.visible ? 1 : 0,
    options: JSON.stringify(s.options),
    timeout_ms: s.timeoutMs,
    status: s.status,
    status_reason: s.statusReason,
    state: JSON.stringify(s.state),
    attempts: s.attempts,
    started_at: s.startedAt ?? null,
    finished_at: s.finishedAt ?? null,
  };
}

/** A state that does not fit its kind's schema is reported on the stage (`stateProblem`), not thrown. */
function fromRow(r: StageRow): Stage {
  const where = `stage ${r.idx} of ${r.deployment_id}`;
  const state = readJsonColumn(STAGE_STATE_SCHEMAS[r.kind], r.state, `the state of ${where} (${r.kind})`);
  return {
    deploymentId: r.deployment_id,
    index: r.idx,
    kind: r.kind,
    stageId: r.stage_id,
    description: r.description,
    visible: r.visible === 1,
    options: parseJsonColumn(r.options, `options of ${where}`),
    timeoutMs: r.timeout_ms,
    status: r.status,
    statusReason: r.status_reason,
    state: state.ok ? state.value : {},
    ...(state.ok ? {} : { stateProblem: state.problem }),
    attempts: r.attempts,
    startedAt: r.started_at ?? undefined,
    finishedAt: r.finished_at ?? undefined,
  };
}
