/**
 * Forward-only schema migrations (DESIGN §7): `migrations/NNNN_name.sql`, applied in order, each in its
 * own transaction together with the bump of `PRAGMA user_version`, so a crash mid-migration leaves the
 * database at the previous version, never in between.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Database } from "better-sqlite3";
import { KanariaError } from "../domain/kanaria-error.js";

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export interface MigrationReport {
  from: number;
  to: number;
  applied: string[];
}

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** The `migrations/` folder shipped with Kanaria, found from this module (works from src/ and dist/). */
export function defaultMigrationsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, "migrations");
    if (existsSync(join(candidate, "0001_init.sql"))) return candidate;
    dir = dirname(dir);
  }
  throw new KanariaError(
    "MIGRATIONS_NOT_FOUND",
    "cannot find Kanaria's migrations/ folder next to the program",
  );
}

export function loadMigrations(dir: string): Migration[] {
  const migrations = readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .map((file) => {
      const match = FILE_NAME.exec(file);
      if (!match?.[1] || !match[2]) {
        throw new KanariaError(
          "BAD_MIGRATION_NAME",
          `${join(dir, file)}: migration files are named NNNN_name.sql`,
        );
      }
      return { version: Number(match[1]), name: file, sql: readFileSync(join(dir, file), "utf8") };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new KanariaError(
        "MIGRATION_GAP",
        `${dir}: expected migration ${String(i + 1).padStart(4, "0")}, found ${m.name} (versions must be 1, 2, 3… without gaps)`,
      );
    }
  });
  return migrations;
}

export function schemaVersion(db: Database): number {
  return db.pragma("user_version", { simple: true }) as number;
}

/** Brings the database to the newest migration; refuses a database newer than this code. */
export function migrate(db: Database, migrations: readonly Migration[]): MigrationReport {
  const from = schemaVersion(db);
  const latest = migrations.at(-1)?.version ?? 0;
  if (from > latest) {
    throw new KanariaError(
      "DATABASE_TOO_NEW",
      `the database is at schema version ${from}, but this Kanaria only knows versions up to ${latest}: ` +
        "it was written by a newer Kanaria. Upgrade Kanaria; older code must not write to it.",
    );
  }
  const applied: string[] = [];
  for (const migration of migrations) {
    if (migration.version <= from) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
    applied.push(migration.name);
  }
  return { from, to: schemaVersion(db), applied };
}
