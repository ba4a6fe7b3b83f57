/**
 * Opens a SQLite database the way Kanaria needs it (DESIGN §7): WAL so readers (the CLI, Slack handlers)
 * never block the runner, a busy timeout so short write contention waits instead of failing, foreign
 * keys on, and full sync so a transition recorded before an external effect survives power loss too.
 *
 * The database holds who asked for what and why: a new database file is created owner-only (0600), and
 * so are its -wal and -shm files, which SQLite creates with the database file's own mode. A folder
 * Kanaria creates for it is owner-only too (0700); an existing folder or database keeps its mode, which
 * is its operator's choice.
 */
import { closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import BetterSqlite3, { type Database } from "better-sqlite3";
import { KanariaError } from "../domain/kanaria-error.js";
import { retainSqliteObjects } from "./retain-sqlite-objects.js";

const FOLDER_MODE = 0o700;
const FILE_MODE = 0o600;

export function openDatabase(path: string): Database {
  let db: Database;
  try {
    if (path !== ":memory:") createOwnerOnly(path);
    db = new BetterSqlite3(path);
  } catch (cause) {
    throw new KanariaError("STORE_OPEN_FAILED", `cannot open the database at ${path}`, { cause });
  }
  // Before any statement exists: on Node 24.19+ the GC must never finalize one (see the module).
  retainSqliteObjects(db);
  db.pragma("journal_mode = WAL");
  db.pragma("busy_timeout = 5000");
  db.pragma("foreign_keys = ON");
  db.pragma("synchronous = FULL");
  cacheStatements(db);
  return db;
}

/** Creates the missing folders (0700) and an empty database file (0600) unless it exists already. */
function createOwnerOnly(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: FOLDER_MODE });
  try {
    // SQLite would create the file 0644 (less the umask); an empty file is a valid empty database.
    closeSync(openSync(path, "wx", FILE_MODE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
}

/** More distinct SQL texts than the repositories have; past it, statements are prepared each time. */
const STATEMENT_CACHE_LIMIT = 500;

/**
 * Makes `db.prepare` return one statement per SQL text: the repositories prepare their (constant) SQL at
 * every call, and compiling it again was ~3% of the bot's CPU with 100 deployments. A better-sqlite3
 * statement is safe to reuse as long as nobody changes its mode (`pluck`, `raw`, `expand`) or runs it
 * while one of its `iterate()` loops is open; the store does neither.
 */
function cacheStatements(db: Database): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, ReturnType<Database["prepare"]>>();
  db.prepare = ((source: string) => {
    const known = cache.get(source);
    if (known) return known;
    const statement = prepare(source);
    if (cache.size < STATEMENT_CACHE_LIMIT) cache.set(source, statement);
    return statement;
  }) as Database["prepare"];
}
