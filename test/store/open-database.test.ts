import { chmodSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/store/open-database.js";

describe("openDatabase", () => {
  it("opens with WAL, a busy timeout, foreign keys and full sync", () => {
    const db = openDatabase(join(mkdtempSync(join(tmpdir(), "kanaria-db-")), "nested", "k.db"));
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("busy_timeout", { simple: true })).toBe(5000);
    expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(db.pragma("synchronous", { simple: true })).toBe(2);
    db.close();
  });

  it("prepares each SQL text once and reuses the statement, with its parameters bound afresh", () => {
    const db = openDatabase(":memory:");
    db.exec("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)");
    const insert = "INSERT INTO t (k, v) VALUES (?, ?)";
    expect(db.prepare(insert)).toBe(db.prepare(insert));
    db.prepare(insert).run("a", 1);
    db.prepare(insert).run("b", 2);
    const select = "SELECT v FROM t WHERE k = ?";
    expect(db.prepare(select)).not.toBe(db.prepare(insert));
    expect(db.prepare(select).get("a")).toEqual({ v: 1 });
    expect(db.prepare(select).get("b")).toEqual({ v: 2 });
    db.close();
  });

  it("stops caching past 500 distinct texts instead of growing without bound", () => {
    const db = openDatabase(":memory:");
    for (let i = 0; i < 500; i++) db.prepare(`SELECT ${i}`);
    expect(db.prepare("SELECT 0")).toBe(db.prepare("SELECT 0"));
    expect(db.prepare("SELECT 500")).not.toBe(db.prepare("SELECT 500"));
    expect(db.prepare("SELECT 500").pluck().get()).toBe(500);
    db.close();
  });

  describe("file modes, under the usual umask (022)", () => {
    let umask: number;
    beforeEach(() => {
      umask = process.umask(0o022);
    });
    afterEach(() => {
      process.umask(umask);
    });
    const mode = (path: string) => statSync(path).mode & 0o777;

    it("creates the database, its -wal and -shm owner-only (0600), in a folder it creates 0700", () => {
      const parent = mkdtempSync(join(tmpdir(), "kanaria-db-"));
      const path = join(parent, "state", "nested", "kanaria.db");
      const db = openDatabase(path);
      db.exec("CREATE TABLE t (who TEXT); INSERT INTO t VALUES ('alice: hotfix for the outage')");
      expect(mode(path)).toBe(0o600);
      expect(mode(`${path}-wal`)).toBe(0o600);
      expect(mode(`${path}-shm`)).toBe(0o600);
      expect(mode(join(parent, "state"))).toBe(0o700);
      expect(mode(join(parent, "state", "nested"))).toBe(0o700);
      db.close();
    });

    it("leaves the mode of an existing folder alone", () => {
      const folder = join(mkdtempSync(join(tmpdir(), "kanaria-db-")), "shared");
      mkdirSync(folder);
      chmodSync(folder, 0o750);
      const db = openDatabase(join(folder, "kanaria.db"));
      expect(mode(folder)).toBe(0o750);
      expect(mode(join(folder, "kanaria.db"))).toBe(0o600);
      db.close();
    });

    it("opens an existing database as it is, with its rows and its mode", () => {
      const path = join(mkdtempSync(join(tmpdir(), "kanaria-db-")), "kanaria.db");
      const first = openDatabase(path);
      first.exec("CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (7)");
      first.close();
      chmodSync(path, 0o640);
      const again = openDatabase(path);
      expect(again.prepare("SELECT v FROM t").pluck().get()).toBe(7);
      expect(mode(path)).toBe(0o640);
      again.close();
    });
  });

  it("says where it could not open the database", () => {
    const file = join(mkdtempSync(join(tmpdir(), "kanaria-db-")), "a-file");
    writeFileSync(file, "");
    const path = join(file, "k.db");
    expect(() => openDatabase(path)).toThrow(`cannot open the database at ${path}`);
  });
});
