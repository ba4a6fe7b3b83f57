import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
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

  it("says where it could not open the database", () => {
    const file = join(mkdtempSync(join(tmpdir(), "kanaria-db-")), "a-file");
    writeFileSync(file, "");
    const path = join(file, "k.db");
    expect(() => openDatabase(path)).toThrow(`cannot open the database at ${path}`);
  });
});
