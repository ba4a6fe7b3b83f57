/**
 * Keeps every better-sqlite3 object Kanaria creates reachable for the life of the process, so that the
 * garbage collector never finalizes one.
 *
 * Why: better-sqlite3 12 derives its Database and Statement from `node::ObjectWrap`, a header compiled
 * into the addon. From Node 24.19 on that header registers an Environment cleanup hook per object and
 * removes it in the destructor, which CHECKs that a JS context is entered. V8 runs the destructor from
 * the GC's weak callback, and a GC started by a platform task (a "task" scavenge, the memory reducer,
 * finalizing incremental marking) runs with no context: the process aborts with `Assertion failed:
 * (env) != nullptr` in node::RemoveEnvironmentCleanupHook (SIGABRT, exit 134), at whatever the bot was
 * doing. It is the upstream bug nodejs/node#65446. better-sqlite3 13 (Node-API, no ObjectWrap) is not
 * affected, but it requires Node 22 and crashes on Node 20, which Kanaria still supports; when Node 20
 * is dropped, move to 13 and delete this file.
 *
 * What stays: the Database (even closed: its C++ object is destroyed only by the GC or at exit), every
 * statement prepared through it, and the statements `pragma` prepares, which better-sqlite3 makes
 * inside the addon and drops at once: `pragma` is replaced here by the same read through `prepare`.
 * A process opens a handful of databases (serve and the CLI one each, a test one per harness) and the
 * store prepares a bounded set of SQL texts, so what is kept is small. Not covered: `iterate()` (its
 * iterator is an ObjectWrap too), `backup()`, `function()`, `aggregate()`, `table()`; the store uses
 * none of them.
 */
import type { Database, Statement } from "better-sqlite3";

/** Never emptied: dropping a database from here would hand it back to the GC. */
const kept = new Set<Database>();

/**
 * Must run before anything prepares on `db` (the pragmas of `openDatabase` included), and before a
 * statement cache wraps `prepare`, so that the cache's misses are kept too.
 */
export function retainSqliteObjects(db: Database): void {
  kept.add(db);
  const statements: Statement[] = [];
  const prepare = db.prepare.bind(db);
  db.prepare = ((source: string) => {
    const statement = prepare(source);
    statements.push(statement);
    return statement;
  }) as Database["prepare"];
  db.pragma = ((source: string, options?: { simple?: boolean }) =>
    readPragma(db, source, options?.simple === true)) as Database["pragma"];
}

/**
 * better-sqlite3's own `pragma`, through `db.prepare`: rows for `all`, the first column of the first
 * row for `simple`. A pragma that returns no columns (`foreign_keys = ON`) is run, and reads as no rows.
 * No statement mode (`pluck`, `raw`) is changed, since a statement cache may hand the same one out again.
 */
function readPragma(db: Database, source: string, simple: boolean): unknown {
  const statement = db.prepare(`PRAGMA ${source}`);
  if (!statement.reader) {
    statement.run();
    return simple ? undefined : [];
  }
  if (!simple) return statement.all();
  const row = statement.get() as Record<string, unknown> | undefined;
  return row === undefined ? undefined : Object.values(row)[0];
}
