import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Deployment } from "../../src/domain/deployment.js";
import { openStore } from "../../src/store/store.js";
import { toyAppConfig } from "../fixtures/toy-app.js";

function deployment(id: string, overrides: Partial<Deployment> = {}): Deployment {
  return {
    id,
    app: "web",
    version: "v1",
    previousVersion: undefined,
    requester: "U_ALICE",
    reason: "",
    status: "PLANNED",
    statusReason: "",
    rollbackCause: undefined,
    createdAt: 1000,
    startedAt: undefined,
    finishedAt: undefined,
    deadlineAt: 2000,
    appConfig: toyAppConfig(),
    access: { approvers: ["U_BOB"], fourEyes: true },
    context: {},
    ...overrides,
  };
}

describe("repositories", () => {
  it("round-trips a deployment with its frozen app config and access rules", () => {
    const { store } = openStore(":memory:");
    const d = deployment("web-1");
    store.deployments.insert(d);
    expect(store.deployments.get("web-1")).toEqual(d);
    expect(store.deployments.activeForApp("web")?.id).toBe("web-1");
  });

  it("lists history newest first and finds the last success", () => {
    const { store } = openStore(":memory:");
    store.deployments.insert(
      deployment("a", { status: "SUCCESS", createdAt: 1, finishedAt: 2, version: "v1" }),
    );
    store.deployments.insert(
      deployment("b", { status: "ROLLED_BACK", createdAt: 3, finishedAt: 4, version: "v2" }),
    );
    store.deployments.insert(deployment("c", { status: "RUNNING", createdAt: 5, version: "v3" }));
    expect(store.deployments.history("web", 10).map((d) => d.id)).toEqual(["c", "b", "a"]);
    expect(store.deployments.history("web", 2).map((d) => d.id)).toEqual(["c", "b"]);
    expect(store.deployments.lastSuccessful("web")?.version).toBe("v1");
    expect(store.deployments.active().map((d) => d.id)).toEqual(["c"]);
  });

  it("reads a deployment's app and status, and the unfinished ids oldest first, without the whole row", () => {
    const { store } = openStore(":memory:");
    store.deployments.insert(deployment("done", { status: "SUCCESS", createdAt: 1, finishedAt: 2 }));
    store.deployments.insert(deployment("late", { app: "api", status: "WAITING_APPROVAL", createdAt: 7 }));
    store.deployments.insert(deployment("early", { app: "web", status: "ROLLING_BACK", createdAt: 3 }));
    store.deployments.insert(deployment("new", { app: "db", status: "PLANNED", createdAt: 9 }));
    expect(store.deployments.summary("late")).toEqual({ app: "api", status: "WAITING_APPROVAL" });
    expect(store.deployments.summary("done")).toEqual({ app: "web", status: "SUCCESS" });
    expect(store.deployments.summary("nope")).toBeUndefined();
    expect(store.deployments.activeIds()).toEqual(["early", "late", "new"]);
    expect(store.deployments.activeIds()).toEqual(store.deployments.active().map((d) => d.id));
  });

  it("records a measurement once per (metric, at)", () => {
    const { store } = openStore(":memory:");
    store.deployments.insert(deployment("web-1"));
    const m = {
      deploymentId: "web-1",
      stageIndex: 2,
      metric: "errors",
      at: 60_000,
      verdict: "PASS",
      data: { p: 0.3 },
    };
    expect(store.measurements.record(m)).toBe(true);
    expect(store.measurements.record({ ...m, verdict: "FAIL" })).toBe(false);
    expect(store.measurements.list("web-1", 2)).toEqual([m]);
  });

  it("marks a command handled only once", () => {
    const { store } = openStore(":memory:");
    store.deployments.insert(deployment("web-1"));
    const { command } = store.commands.insert(
      { deploymentId: "web-1", kind: "APPROVE", actor: "U_BOB", actorGroups: ["S_SRE"], dedupeKey: "k" },
      5,
    );
    expect(command).toMatchObject({ kind: "APPROVE", actorGroups: ["S_SRE"], handledAt: undefined });
    expect(store.deployments.get("web-1")).toBeDefined();
    expect(store.commands.deploymentsWithPending()).toEqual(["web-1"]);
    expect(store.commands.markHandled(command.id, 6, "APPLIED", "ok")).toBe(true);
    expect(store.commands.markHandled(command.id, 7, "REFUSED", "again")).toBe(false);
    expect(store.commands.get(command.id)).toMatchObject({
      handledAt: 6,
      outcome: "APPLIED",
      outcomeReason: "ok",
    });
    expect(store.commands.deploymentsWithPending()).toEqual([]);
  });

  it("keeps the first lock and reports it to a second locker", () => {
    const { store } = openStore(":memory:");
    const first = store.locks.lock({ app: "web", owner: "U_DAVE", reason: "incident", createdAt: 1 });
    const second = store.locks.lock({ app: "web", owner: "U_ERIN", reason: "release freeze", createdAt: 2 });
    expect(first.created).toBe(true);
    expect(second).toEqual({
      created: false,
      lock: { app: "web", owner: "U_DAVE", reason: "incident", createdAt: 1 },
    });
    expect(store.locks.unlock("web")?.owner).toBe("U_DAVE");
    expect(store.locks.unlock("web")).toBeUndefined();
  });

  it("refuses rows that break the schema's rules", () => {
    const { store } = openStore(":memory:");
    expect(() => store.deployments.insert(deployment("x", { status: "DONE" as never }))).toThrow(
      /CHECK constraint/,
    );
    expect(() =>
      store.commands.insert(
        { deploymentId: "missing", kind: "APPROVE", actor: "U", actorGroups: [], dedupeKey: undefined },
        1,
      ),
    ).toThrow(/FOREIGN KEY/);
  });

  it("keeps a Slack thread's channel, its root and each post once", () => {
    const { store } = openStore(":memory:");
    store.deployments.insert(deployment("web-1"));
    expect(store.slackThreads.ensure("web-1", "C_DEPLOYS", 5)).toEqual({
      deploymentId: "web-1",
      channel: "C_DEPLOYS",
      rootTs: undefined,
      createdAt: 5,
    });
    // A second ensure (a CLI deploy announced elsewhere) never moves the thread.
    expect(store.slackThreads.ensure("web-1", "C_OTHER", 9).channel).toBe("C_DEPLOYS");
    store.slackThreads.setRoot("web-1", "1700000000.000100");
    expect(store.slackThreads.byRoot("C_DEPLOYS", "1700000000.000100")?.deploymentId).toBe("web-1");
    expect(store.slackThreads.byRoot("C_OTHER", "1700000000.000100")).toBeUndefined();
    expect(store.slackThreads.recordPost("web-1", "event:3", "1700000000.000200", 10)).toBe(true);
    expect(store.slackThreads.recordPost("web-1", "event:3", "1700000000.000300", 11)).toBe(false);
    expect(store.slackThreads.hasPost("web-1", "event:3")).toBe(true);
    expect(store.slackThreads.hasPost("web-1", "event:4")).toBe(false);
  });

  it("audits freeze overrides newest first, per app", () => {
    const { store } = openStore(":memory:");
    const base = { app: "web", freezeName: "weekend", actor: "U_ALICE", reason: "hotfix" };
    store.freezeOverrides.record({ ...base, deploymentId: "web-1", at: 1 });
    store.freezeOverrides.record({ ...base, deploymentId: "web-2", at: 2 });
    store.freezeOverrides.record({ ...base, app: "api", deploymentId: "api-1", at: 3 });
    expect(store.freezeOverrides.list("web").map((o) => o.deploymentId)).toEqual(["web-2", "web-1"]);
  });

  it("lists recent deployments of every app", () => {
    const { store } = openStore(":memory:");
    store.deployments.insert(deployment("a", { status: "SUCCESS", createdAt: 1 }));
    store.deployments.insert(deployment("b", { app: "api", createdAt: 3 }));
    store.deployments.insert(deployment("c", { status: "FAILURE", createdAt: 2 }));
    expect(store.deployments.recent(2).map((d) => d.id)).toEqual(["b", "c"]);
  });

  it("remembers Slack delivery keys across a reopen of the file, and forgets the old ones", () => {
    const path = join(mkdtempSync(join(tmpdir(), "kanaria-deliveries-")), "kanaria.db");
    const first = openStore(path).store;
    expect(first.slackDeliveries.first("command:t1", 1_000, 0)).toBe(true);
    expect(first.slackDeliveries.first("command:t1", 2_000, 0)).toBe(false);
    expect(first.slackDeliveries.first("event:Ev1", 3_000, 0)).toBe(true);
    first.close();

    const reopened = openStore(path).store;
    expect(reopened.slackDeliveries.first("command:t1", 4_000, 1_000)).toBe(false);
    // Keys seen before `forgetBefore` are gone: command:t1 (seen at 1 000) is taken again.
    expect(reopened.slackDeliveries.first("event:Ev2", 5_000, 2_000)).toBe(true);
    expect(reopened.slackDeliveries.count()).toBe(2);
    expect(reopened.slackDeliveries.first("command:t1", 6_000, 2_000)).toBe(true);
    reopened.close();
  });
});
