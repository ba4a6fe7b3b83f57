/**
 * Opens a SQLite database the way Kanaria needs it (DESIGN §7): WAL so readers (the CLI, Slack handlers)
 * never block the runner, a busy timeout so short write contention waits instead of failing, foreign
 * keys on, and full sync so a transition recorded before an external effect survives power loss too.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import BetterSqlite3, { type Database } from "better-sqlite3";
import { KanariaError } from "../domain/kanaria-error.js";

export function openDatabase(path: string): Database {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  let db: Database;
  try {
    db = new BetterSqlite3(path);
  } catch (cause) {
    throw new KanariaError("STORE_OPEN_FAILED", `cannot open the database at ${path}`, { cause });
  }
  db.pragma("journal_mode = WAL");
  db.pragma("busy_timeout = 5000");
  db.pragma("foreign_keys = ON");
  db.pragma("synchronous = FULL");
  return db;
}
