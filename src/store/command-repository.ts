import type { Database } from "better-sqlite3";
import type { Command, CommandKind, CommandOutcome } from "../domain/deployment.js";
import { parseJsonColumn } from "./json-column.js";

interface CommandRow {
  id: number;
  deployment_id: string;
  kind: CommandKind;
  actor: string;
  actor_groups: string;
  dedupe_key: string | null;
  created_at: number;
  handled_at: number | null;
  outcome: CommandOutcome | null;
  outcome_reason: string | null;
}

export interface NewCommand {
  deploymentId: string;
  kind: CommandKind;
  actor: string;
  actorGroups: readonly string[];
  dedupeKey: string | undefined;
}

/**
 * Commands from Slack and the CLI, consumed by the runner. A command is handled exactly once: the runner
 * marks it in the same transaction as the state change it causes.
 */
export class CommandRepository {
  constructor(private readonly db: Database) {}

  /** A second insert with the same dedupe key returns the first command and `duplicate: true`. */
  insert(command: NewCommand, at: number): { command: Command; duplicate: boolean } {
    const result = this.db
      .prepare(
        `INSERT INTO commands (deployment_id, kind, actor, actor_groups, dedupe_key, created_at)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING`,
      )
      .run(
        command.deploymentId,
        command.kind,
        command.actor,
        JSON.stringify(command.actorGroups),
        command.dedupeKey ?? null,
        at,
      );
    if (result.changes === 1) {
      return { command: this.mustGet(Number(result.lastInsertRowid)), duplicate: false };
    }
    const row = this.db
      .prepare("SELECT * FROM commands WHERE dedupe_key = ?")
      .get(command.dedupeKey) as CommandRow;
    return { command: fromRow(row), duplicate: true };
  }

  get(id: number): Command | undefined {
    const row = this.db.prepare("SELECT * FROM commands WHERE id = ?").get(id) as CommandRow | undefined;
    return row && fromRow(row);
  }

  /** Unhandled commands of a deployment, oldest first. */
  pending(deploymentId: string): Command[] {
    const rows = this.db
      .prepare("SELECT * FROM commands WHERE deployment_id = ? AND handled_at IS NULL ORDER BY id")
      .all(deploymentId) as CommandRow[];
    return rows.map(fromRow);
  }

  /** Deployments that have unhandled commands (commands may be written by another process). */
  deploymentsWithPending(): string[] {
    const rows = this.db
      .prepare("SELECT DISTINCT deployment_id FROM commands WHERE handled_at IS NULL")
      .all() as Array<{ deployment_id: string }>;
    return rows.map((r) => r.deployment_id);
  }

  /** Returns false when the command was already handled (so the caller must not apply it again). */
  markHandled(id: number, at: number, outcome: CommandOutcome, reason: string): boolean {
    const result = this.db
      .prepare(
        "UPDATE commands SET handled_at = ?, outcome = ?, outcome_reason = ? WHERE id = ? AND handled_at IS NULL",
      )
      .run(at, outcome, reason, id);
    return result.changes === 1;
  }

  list(deploymentId: string): Command[] {
    const rows = this.db
      .prepare("SELECT * FROM commands WHERE deployment_id = ? ORDER BY id")
      .all(deploymentId) as CommandRow[];
    return rows.map(fromRow);
  }

  private mustGet(id: number): Command {
    const command = this.get(id);
    if (!command) throw new Error(`command ${id} vanished right after insert`);
    return command;
  }
}

function fromRow(r: CommandRow): Command {
  return {
    id: r.id,
    deploymentId: r.deployment_id,
    kind: r.kind,
    actor: r.actor,
    actorGroups: parseJsonColumn(r.actor_groups, `commands.actor_groups of ${r.id}`),
    dedupeKey: r.dedupe_key ?? undefined,
    createdAt: r.created_at,
    handledAt: r.handled_at ?? undefined,
    outcome: r.outcome ?? undefined,
    outcomeReason: r.outcome_reason ?? undefined,
  };
}
