import type { Database } from "better-sqlite3";
import type { AppLock } from "../domain/app-lock.js";

interface LockRow {
  app: string;
  owner: string;
  reason: string;
  created_at: number;
}

export class LockRepository {
  constructor(private readonly db: Database) {}

  get(app: string): AppLock | undefined {
    const row = this.db.prepare("SELECT * FROM locks WHERE app = ?").get(app) as LockRow | undefined;
    return row && fromRow(row);
  }

  /** Returns the lock that holds the app: the new one, or the existing one when already locked. */
  lock(lock: AppLock): { lock: AppLock; created: boolean } {
    const result = this.db
      .prepare(
        "INSERT INTO locks (app, owner, reason, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (app) DO NOTHING",
      )
      .run(lock.app, lock.owner, lock.reason, lock.createdAt);
    const current = this.get(lock.app);
    if (!current) throw new Error(`lock of ${lock.app} vanished right after insert`);
    return { lock: current, created: result.changes === 1 };
  }

  /** Returns the removed lock, or undefined when the app was not locked. */
  unlock(app: string): AppLock | undefined {
    const current = this.get(app);
    if (current) this.db.prepare("DELETE FROM locks WHERE app = ?").run(app);
    return current;
  }

  list(): AppLock[] {
    return (this.db.prepare("SELECT * FROM locks ORDER BY app").all() as LockRow[]).map(fromRow);
  }
}

function fromRow(r: LockRow): AppLock {
  return { app: r.app, owner: r.owner, reason: r.reason, createdAt: r.created_at };
}
