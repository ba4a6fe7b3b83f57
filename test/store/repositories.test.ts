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
});
