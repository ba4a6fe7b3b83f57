/**
 * On Node 24.19+ a better-sqlite3 object that a GC finalizes outside a JS context aborts the process
 * (src/store/retain-sqlite-objects.ts). Which GC collects an object is V8's choice, so these tests check
 * what holds on every Node version: a full GC finds nothing of Kanaria's to collect. `queryObjects`
 * runs that GC from JS, inside a context, so collecting the control's objects here is safe everywhere.
 * Everything between dropping an object and counting is synchronous: no task GC can come in between.
 */
import { queryObjects } from "node:v8";
import BetterSqlite3 from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/store/open-database.js";
import { openStore } from "../../src/store/store.js";

/** better-sqlite3 does not export its Statement class; every statement's constructor is it. */
const Statement = openDatabase(":memory:").prepare("SELECT 1").constructor;
const live = () => ({
  databases: queryObjects(BetterSqlite3, { format: "count" }),
  statements: queryObjects(Statement, { format: "count" }),
});

describe("retainSqliteObjects", () => {
  it("control: the GC does collect a plain better-sqlite3 database and the statement its pragma made", () => {
    const before = live();
    (() => {
      const db = new BetterSqlite3(":memory:");
      db.pragma("foreign_keys = ON");
      db.prepare("SELECT 1").get();
      db.close();
    })();
    expect(live()).toEqual(before);
  });

  it("keeps a database from openDatabase, closed and dropped, and every statement, its pragmas' too", () => {
    const before = live();
    (() => {
      const db = openDatabase(":memory:");
      expect(db.pragma("user_version", { simple: true })).toBe(0);
      db.prepare("SELECT 1").get();
      db.prepare("SELECT 1").get();
      db.close();
    })();
    // Four pragmas when it opens, `user_version`, and one `SELECT 1` (the cache hands it out twice).
    expect(live()).toEqual({ databases: before.databases + 1, statements: before.statements + 6 });
  });

  it("lets the GC collect nothing of a store used, closed and dropped", () => {
    const inUse = (() => {
      const { store } = openStore(":memory:");
      store.deployments.get("web-1");
      store.deployments.activeForApp("web");
      const counted = live();
      store.close();
      return counted;
    })();
    expect(live()).toEqual(inUse);
  });

  it("reads pragmas as better-sqlite3 does: rows, the first column for simple, none for a setting", () => {
    const db = openDatabase(":memory:");
    db.exec("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)");
    expect(db.pragma("foreign_keys = OFF")).toEqual([]);
    expect(db.pragma("foreign_keys = ON", { simple: true })).toBeUndefined();
    expect(db.pragma("foreign_keys")).toEqual([{ foreign_keys: 1 }]);
    expect(db.pragma("table_info(t)", { simple: true })).toBe(0);
    expect(db.pragma("table_info(t)")).toHaveLength(2);
    expect(db.pragma("user_version = 7")).toEqual([]);
    expect(db.pragma("user_version", { simple: true })).toBe(7);
    db.close();
  });
});
