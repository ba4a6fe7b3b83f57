import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { defaultMigrationsDir, loadMigrations, migrate, schemaVersion } from "../../src/store/migrate.js";
import { openDatabase } from "../../src/store/open-database.js";
import { openStore } from "../../src/store/store.js";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "kanaria-migrate-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A migrations folder holding Kanaria's own migrations plus extra ones written by the test. */
function migrationsWith(extra: Record<string, string>): string {
  const dir = tempDir();
  for (const m of loadMigrations(defaultMigrationsDir()))
    copyFileSync(join(defaultMigrationsDir(), m.name), join(dir, m.name));
  for (const [name, sql] of Object.entries(extra)) writeFileSync(join(dir, name), sql);
  return dir;
}

const shipped = loadMigrations(defaultMigrationsDir());
const latest = shipped.length;
/** The file name a migration after the shipped ones would have (`0003_x.sql` when two ship). */
const nextName = (offset: number, name: string): string =>
  `${String(latest + offset).padStart(4, "0")}_${name}.sql`;

describe("migrations", () => {
  it("brings an empty database to the newest version, in WAL mode with foreign keys", () => {
    const path = join(tempDir(), "kanaria.db");
    const { store, migration } = openStore(path);
    expect(migration).toEqual({ from: 0, to: latest, applied: shipped.map((m) => m.name) });
    expect(migration.applied.slice(0, 2)).toEqual(["0001_init.sql", "0002_slack.sql"]);
    expect(store.db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(store.db.pragma("foreign_keys", { simple: true })).toBe(1);
    store.close();
    const again = openStore(path);
    expect(again.migration.applied).toEqual([]);
    again.store.close();
  });

  it("upgrades an older database in place and keeps its data", () => {
    const path = join(tempDir(), "kanaria.db");
    const v1 = openStore(path);
    v1.store.locks.lock({ app: "web", owner: "U_DAVE", reason: "incident", createdAt: 1 });
    v1.store.close();
    const dir = migrationsWith({
      [nextName(1, "lock_expiry")]: "ALTER TABLE locks ADD COLUMN expires_at INTEGER;",
    });
    const v2 = openStore(path, dir);
    expect(v2.migration).toEqual({ from: latest, to: latest + 1, applied: [nextName(1, "lock_expiry")] });
    expect(v2.store.locks.get("web")).toEqual({
      app: "web",
      owner: "U_DAVE",
      reason: "incident",
      createdAt: 1,
    });
    expect(v2.store.db.prepare("SELECT expires_at FROM locks").get()).toEqual({ expires_at: null });
    v2.store.close();
  });

  it("leaves the database at the previous version when a migration fails half-way", () => {
    const path = join(tempDir(), "kanaria.db");
    openStore(path).store.close();
    const dir = migrationsWith({
      [nextName(1, "broken")]: "CREATE TABLE half_done (x INTEGER); INSERT INTO no_such_table VALUES (1);",
    });
    expect(() => openStore(path, dir)).toThrow(/no such table/);
    const db = openDatabase(path);
    expect(schemaVersion(db)).toBe(latest);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half_done'").get()).toBeUndefined();
    db.close();
  });

  it("refuses a database written by a newer Kanaria", () => {
    const path = join(tempDir(), "kanaria.db");
    const db = openDatabase(path);
    db.pragma("user_version = 99");
    db.close();
    expect(() => openStore(path)).toThrow(
      expect.objectContaining({
        code: "DATABASE_TOO_NEW",
        message: expect.stringMatching(/schema version 99, but this Kanaria only knows versions up to \d+/),
      }),
    );
  });

  it("refuses a migrations folder with a gap or a badly named file", () => {
    const gap = migrationsWith({ [nextName(2, "skipped")]: "SELECT 1;" });
    expect(() => loadMigrations(gap)).toThrow(
      `expected migration ${nextName(1, "x").slice(0, 4)}, found ${nextName(2, "skipped")}`,
    );
    const badName = migrationsWith({ "2_bad.sql": "SELECT 1;" });
    expect(() => loadMigrations(badName)).toThrow(/named NNNN_name.sql/);
  });

  it("applies migrations in one transaction each (version bump included)", () => {
    const db = openDatabase(":memory:");
    const report = migrate(db, [
      { version: 1, name: "0001_a.sql", sql: "CREATE TABLE a (x);" },
      { version: 2, name: "0002_b.sql", sql: "CREATE TABLE b (x);" },
    ]);
    expect(report).toEqual({ from: 0, to: 2, applied: ["0001_a.sql", "0002_b.sql"] });
    db.close();
  });
});

describe("0003_rollback_commands", () => {
  it("keeps every command row and id, and accepts the new kinds", () => {
    const db = openDatabase(join(tempDir(), "kanaria.db"));
    migrate(db, shipped.slice(0, 2));
    db.prepare(
      `INSERT INTO deployments (id, app, version, requester, reason, status, status_reason, created_at,
         deadline_at, app_config, access, context)
       VALUES ('web-1', 'web', 'v2', 'U1', '', 'RUNNING', '', 1, 2, '{}', '{}', '{}')`,
    ).run();
    db.prepare(
      `INSERT INTO commands (id, deployment_id, kind, actor, dedupe_key, created_at, handled_at, outcome)
       VALUES (7, 'web-1', 'ROLLBACK', 'U1', 'slack:t1', 10, 11, 'APPLIED')`,
    ).run();
    expect(() =>
      db
        .prepare(
          "INSERT INTO commands (deployment_id, kind, actor, created_at) VALUES ('web-1', 'MARK_FIXED', 'U1', 1)",
        )
        .run(),
    ).toThrow(/CHECK constraint failed/);

    expect(migrate(db, shipped).applied).toContain("0003_rollback_commands.sql");
    expect(db.prepare("SELECT id, kind, dedupe_key, outcome FROM commands").all()).toEqual([
      { id: 7, kind: "ROLLBACK", dedupe_key: "slack:t1", outcome: "APPLIED" },
    ]);
    const added = db
      .prepare(
        "INSERT INTO commands (deployment_id, kind, actor, created_at) VALUES ('web-1', 'MARK_FIXED', 'U1', 1)",
      )
      .run();
    expect(added.lastInsertRowid).toBe(8);
    expect(() =>
      db
        .prepare(
          "INSERT INTO commands (deployment_id, kind, actor, created_at) VALUES ('web-1', 'NOPE', 'U1', 1)",
        )
        .run(),
    ).toThrow(/CHECK constraint failed/);
  });
});

describe("0004_slack_deliveries", () => {
  it("adds the delivery table to a database at version 3, keeping what is there", () => {
    const path = join(tempDir(), "kanaria.db");
    const db = openDatabase(path);
    migrate(db, shipped.slice(0, 3));
    db.prepare("INSERT INTO locks (app, owner, reason, created_at) VALUES ('web', 'U1', 'r', 1)").run();
    db.close();

    const { store, migration } = openStore(path);
    expect(migration).toMatchObject({ from: 3, applied: ["0004_slack_deliveries.sql"] });
    expect(store.locks.get("web")?.owner).toBe("U1");
    expect(store.slackDeliveries.first("command:t1", 10, 0)).toBe(true);
    expect(store.slackDeliveries.first("command:t1", 11, 0)).toBe(false);
    store.close();
  });
});
