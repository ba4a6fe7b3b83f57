import type { Database } from "better-sqlite3";
import type { EventType, NewTimelineEvent, TimelineEvent } from "../domain/deployment.js";
import { parseJsonColumn } from "./json-column.js";

interface EventRow {
  id: number;
  deployment_id: string;
  at: number;
  type: EventType;
  stage_idx: number | null;
  actor: string | null;
  message: string;
  data: string;
}

/** The deployment timeline (what people read in Slack and `kanaria history`). Append-only. */
export class EventRepository {
  constructor(private readonly db: Database) {}

  append(deploymentId: string, at: number, event: NewTimelineEvent): TimelineEvent {
    const result = this.db
      .prepare(
        `INSERT INTO events (deployment_id, at, type, stage_idx, actor, message, data)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        deploymentId,
        at,
        event.type,
        event.stageIndex ?? null,
        event.actor ?? null,
        event.message,
        JSON.stringify(event.data ?? {}),
      );
    return {
      id: Number(result.lastInsertRowid),
      deploymentId,
      at,
      type: event.type,
      stageIndex: event.stageIndex,
      actor: event.actor,
      message: event.message,
      data: event.data ?? {},
    };
  }

  get(id: number): TimelineEvent | undefined {
    const row = this.db.prepare("SELECT * FROM events WHERE id = ?").get(id) as EventRow | undefined;
    return row && fromRow(row);
  }

  list(deploymentId: string): TimelineEvent[] {
    const rows = this.db
      .prepare("SELECT * FROM events WHERE deployment_id = ? ORDER BY id")
      .all(deploymentId) as EventRow[];
    return rows.map(fromRow);
  }
}

function fromRow(r: EventRow): TimelineEvent {
  return {
    id: r.id,
    deploymentId: r.deployment_id,
    at: r.at,
    type: r.type,
    stageIndex: r.stage_idx ?? undefined,
    actor: r.actor ?? undefined,
    message: r.message,
    data: parseJsonColumn(r.data, `events.data of ${r.id}`),
  };
}
