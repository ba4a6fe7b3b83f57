import { describe, expect, it } from "vitest";
import type { Deployment } from "../../src/domain/deployment.js";
import { refusalText } from "../../src/views/refusal-text.js";
import { canaryPipeline, toyAppConfig } from "../fixtures/toy-app.js";
import type { Harness } from "./harness.js";
import { harness } from "./harness.js";

const MINUTE = 60_000;

async function deploy(h: Harness, version: string, requester = "U_ALICE"): Promise<Deployment> {
  const outcome = h.engine.requestDeployment({ app: "web", version, requester, reason: "test" });
  if (!outcome.ok) throw new Error(refusalText(outcome.refusal));
  return outcome.deployment;
}

/** Deploys v1 (quick sync) so that later deployments run the canary pipeline. */
async function withV1(h: Harness): Promise<void> {
  const first = await deploy(h, "v1");
  await h.settle(first.id);
  expect(h.store.deployments.get(first.id)?.status).toBe("SUCCESS");
}

function status(h: Harness, id: string) {
  return h.store.deployments.get(id)?.status;
}

function images(h: Harness): string[] {
  return h.cloud
    .listTaskSets()
    .map((t) => `${t.status}:${h.cloud.taskDefinition(t.taskDefinitionArn)?.image}`);
}

/** Runs virtual time until the deployment waits for approval. */
async function untilWaitingApproval(h: Harness, id: string): Promise<void> {
  for (let i = 0; i < 200 && status(h, id) !== "WAITING_APPROVAL"; i++) await h.clock.advance(10_000);
  expect(status(h, id)).toBe("WAITING_APPROVAL");
}

describe("engine: deployments end to end on fakes", () => {
  it("quick-syncs the first deployment, then runs the pipeline and succeeds after approval", async () => {
    const h = harness({ apps: { web: toyAppConfig() } });
    const first = await deploy(h, "v1");
    expect(h.store.stages.list(first.id).map((s) => s.kind)).toEqual(["ECS_SYNC", "ROLLBACK"]);
    await h.settle(first.id);
    expect(status(h, first.id)).toBe("SUCCESS");
    expect(images(h)).toEqual(["PRIMARY:example/web:v1"]);

    const second = await deploy(h, "v2");
    expect(second.previousVersion).toBe("v1");
    await untilWaitingApproval(h, second.id);
    expect(h.cloud.currentWeights().map((w) => w.weight)).toEqual([80, 20]);
    h.engine.submitCommand({ deploymentId: second.id, kind: "APPROVE", actor: "U_BOB" });
    await h.settle(second.id);

    expect(status(h, second.id)).toBe("SUCCESS");
    expect(images(h)).toEqual(["PRIMARY:example/web:v2"]);
    expect(h.cloud.currentWeights().map((w) => w.weight)).toEqual([100, 0]);
    const stages = h.store.stages.list(second.id);
    expect(stages.map((s) => s.status)).toEqual([
      "SUCCESS",
      "SUCCESS",
      "SUCCESS",
      "SUCCESS",
      "SUCCESS",
      "SUCCESS",
      "SUCCESS",
      "SKIPPED",
    ]);
    const types = h.store.events.list(second.id).map((e) => e.type);
    expect(types).toContain("DEPLOYMENT_WAITING_APPROVAL");
    expect(types).toContain("APPROVAL_RECORDED");
    expect(types).toContain("DEPLOYMENT_RESUMED");
    expect(types.at(-1)).toBe("DEPLOYMENT_SUCCEEDED");
    // Every event reached the notifier, after it was committed.
    const notified = new Set(
      h.notifier.updates.filter((u) => u.deploymentId === second.id).map((u) => u.eventId),
    );
    expect(h.store.events.list(second.id).every((e) => notified.has(e.id))).toBe(true);
  });

  it("rolls back to the previous version when the approval times out", async () => {
    const pipeline = canaryPipeline({ waitMs: MINUTE, approvalTimeoutMs: 30 * MINUTE });
    const h = harness({ apps: { web: toyAppConfig({ pipeline }) } });
    await withV1(h);
    const d = await deploy(h, "v2");
    await h.settle(d.id);
    const final = h.store.deployments.get(d.id);
    expect(final?.status).toBe("ROLLED_BACK");
    expect(final?.rollbackCause).toBe("STAGE_FAILURE");
    const approval = h.store.stages.list(d.id).find((s) => s.kind === "WAIT_APPROVAL");
    expect(approval?.status).toBe("FAILURE");
    expect(approval?.statusReason).toMatch(/not approved within 30m \(0\/1 approvals\)/);
    expect(images(h)).toEqual(["PRIMARY:example/web:v1"]);
    expect(h.cloud.currentWeights().map((w) => w.weight)).toEqual([100, 0]);
  });

  it("keeps the approval deadline across a restart instead of starting it over", async () => {
    const pipeline = canaryPipeline({ waitMs: MINUTE, approvalTimeoutMs: 60 * MINUTE });
    let h = harness({ apps: { web: toyAppConfig({ pipeline }) } });
    await withV1(h);
    const d = await deploy(h, "v2");
    await untilWaitingApproval(h, d.id);
    const deadline = h.store.stages.list(d.id).find((s) => s.kind === "WAIT_APPROVAL")?.state.deadlineAt;
    expect(typeof deadline).toBe("number");
    await h.clock.advance(50 * MINUTE);
    h = await h.restart();
    // 10 more minutes reach the original deadline; a restarted wait would need 60.
    await h.clock.advance(11 * MINUTE);
    await h.settle(d.id);
    expect(status(h, d.id)).toBe("ROLLED_BACK");
    const approval = h.store.stages.list(d.id).find((s) => s.kind === "WAIT_APPROVAL");
    expect(approval?.state.deadlineAt).toBe(deadline);
    expect(approval?.finishedAt).toBeLessThanOrEqual((deadline as number) + MINUTE);
    expect(approval?.attempts).toBe(2);
    expect(h.store.events.list(d.id).map((e) => e.type)).toContain("STAGE_RESUMED");
  });

  it("keeps a WAIT deadline across a restart", async () => {
    const pipeline = canaryPipeline({ waitMs: 30 * MINUTE, approvalTimeoutMs: 60 * MINUTE });
    let h = harness({ apps: { web: toyAppConfig({ pipeline }) } });
    await withV1(h);
    const d = await deploy(h, "v2");
    for (let i = 0; i < 50 && h.store.stages.get(d.id, 2)?.status !== "RUNNING"; i++)
      await h.clock.advance(1000);
    const waitStage = h.store.stages.get(d.id, 2);
    expect(waitStage?.kind).toBe("WAIT");
    const deadline = waitStage?.state.deadlineAt as number;
    await h.clock.advance(20 * MINUTE);
    h = await h.restart();
    await untilWaitingApproval(h, d.id);
    expect(h.store.stages.get(d.id, 2)?.finishedAt).toBeLessThan(deadline + 20_000);
  });

  it("cancels a running deployment and undoes what it did", async () => {
    const h = harness({ apps: { web: toyAppConfig() } });
    await withV1(h);
    const d = await deploy(h, "v2");
    await untilWaitingApproval(h, d.id);
    h.engine.submitCommand({ deploymentId: d.id, kind: "CANCEL", actor: "U_CAROL" });
    await h.settle(d.id);
    const final = h.store.deployments.get(d.id);
    expect(final?.status).toBe("CANCELLED");
    expect(final?.statusReason).toMatch(/rolled back/);
    expect(images(h)).toEqual(["PRIMARY:example/web:v1"]);
    expect(h.cloud.currentWeights().map((w) => w.weight)).toEqual([100, 0]);
    const stages = h.store.stages.list(d.id);
    expect(stages.filter((s) => s.status === "CANCELLED").map((s) => s.kind)).toEqual([
      "WAIT_APPROVAL",
      "ECS_PRIMARY_ROLLOUT",
      "ECS_TRAFFIC_ROUTING",
      "ECS_CANARY_CLEAN",
    ]);
    expect(stages.at(-1)).toMatchObject({ kind: "ROLLBACK", status: "SUCCESS" });
  });

  it("rolls back when a person asks, even with auto-rollback off", async () => {
    const h = harness({ apps: { web: toyAppConfig({ autoRollback: false }) } });
    await withV1(h);
    const d = await deploy(h, "v2");
    expect(h.store.stages.list(d.id).some((s) => s.kind === "ROLLBACK")).toBe(false);
    await untilWaitingApproval(h, d.id);
    h.engine.submitCommand({ deploymentId: d.id, kind: "ROLLBACK", actor: "U_CAROL" });
    await h.settle(d.id);
    expect(status(h, d.id)).toBe("ROLLED_BACK");
    expect(h.store.stages.list(d.id).at(-1)).toMatchObject({ kind: "ROLLBACK", status: "SUCCESS" });
    expect(images(h)).toEqual(["PRIMARY:example/web:v1"]);
  });

  it("ends FAILURE without rolling back when a stage fails and auto-rollback is off", async () => {
    const pipeline = canaryPipeline({ waitMs: MINUTE, approvalTimeoutMs: 5 * MINUTE });
    const h = harness({ apps: { web: toyAppConfig({ pipeline, autoRollback: false }) } });
    await withV1(h);
    const d = await deploy(h, "v2");
    await h.settle(d.id);
    const final = h.store.deployments.get(d.id);
    expect(final?.status).toBe("FAILURE");
    expect(final?.statusReason).toMatch(/WAIT_APPROVAL failed: not approved within 5m.*auto-rollback is off/);
    expect(h.cloud.listTaskSets()).toHaveLength(2);
  });

  it("rolls back at the deployment timeout", async () => {
    const pipeline = canaryPipeline({ waitMs: MINUTE, approvalTimeoutMs: 10 * 60 * MINUTE });
    const h = harness({ apps: { web: toyAppConfig({ pipeline, timeoutMs: 90 * MINUTE }) } });
    await withV1(h);
    const d = await deploy(h, "v2");
    await h.settle(d.id);
    const final = h.store.deployments.get(d.id);
    expect(final?.status).toBe("ROLLED_BACK");
    expect(final?.rollbackCause).toBe("DEPLOYMENT_TIMEOUT");
    expect(h.store.events.list(d.id).some((e) => /did not finish within 90 min/.test(e.message))).toBe(true);
    expect(final?.finishedAt).toBeLessThanOrEqual(d.createdAt + 91 * MINUTE);
  });

  it("fails a stage that exceeds its own timeout", async () => {
    const pipeline = canaryPipeline({ waitMs: 2 * 60 * MINUTE, approvalTimeoutMs: MINUTE }).map((s) =>
      s.kind === "WAIT" ? { ...s, timeoutMs: 10 * MINUTE } : s,
    );
    const h = harness({ apps: { web: toyAppConfig({ pipeline }) } });
    await withV1(h);
    const d = await deploy(h, "v2");
    await h.settle(d.id);
    expect(status(h, d.id)).toBe("ROLLED_BACK");
    expect(h.store.stages.get(d.id, 2)).toMatchObject({ kind: "WAIT", status: "FAILURE" });
    expect(h.store.stages.get(d.id, 2)?.statusReason).toMatch(/timed out after 600 s/);
  });

  it("retries a step that throws, then fails the stage and rolls back", async () => {
    let calls = 0;
    const h = harness({
      apps: { web: toyAppConfig() },
      replaceExecutors: [
        {
          kind: "ECS_CANARY_ROLLOUT",
          async step() {
            calls += 1;
            throw new Error("ThrottlingException: Rate exceeded");
          },
        },
      ],
    });
    await withV1(h);
    const d = await deploy(h, "v2");
    await h.settle(d.id);
    expect(calls).toBe(5);
    expect(status(h, d.id)).toBe("ROLLED_BACK");
    expect(h.store.stages.get(d.id, 0)?.statusReason).toMatch(/failed 5 times: ThrottlingException/);
    const retries = h.store.events.list(d.id).filter((e) => /retrying \(\d\/5\)/.test(e.message));
    expect(retries).toHaveLength(4);
  });

  it("skips a stage and promotes past the remaining checks on command", async () => {
    const h = harness({ apps: { web: toyAppConfig() } });
    await withV1(h);
    const d = await deploy(h, "v2");
    for (let i = 0; i < 50 && h.store.stages.get(d.id, 2)?.status !== "RUNNING"; i++)
      await h.clock.advance(1000);
    h.engine.submitCommand({ deploymentId: d.id, kind: "SKIP_STAGE", actor: "U_BOB" });
    await untilWaitingApproval(h, d.id);
    expect(h.store.stages.get(d.id, 2)).toMatchObject({
      status: "SKIPPED",
      statusReason: "skipped by U_BOB",
    });
    h.engine.submitCommand({ deploymentId: d.id, kind: "PROMOTE", actor: "U_BOB" });
    await h.settle(d.id);
    expect(status(h, d.id)).toBe("SUCCESS");
    expect(h.store.stages.get(d.id, 3)).toMatchObject({ kind: "WAIT_APPROVAL", status: "SKIPPED" });
    expect(images(h)).toEqual(["PRIMARY:example/web:v2"]);
  });
});

describe("engine: refusals", () => {
  it("refuses a second deployment of a busy app, saying who runs what since when", async () => {
    const h = harness({ apps: { web: toyAppConfig() } });
    await withV1(h);
    const running = await deploy(h, "v2", "U_ALICE");
    const second = h.engine.requestDeployment({ app: "web", version: "v3", requester: "U_BOB", reason: "" });
    expect(second.ok).toBe(false);
    if (second.ok) return;
    expect(second.refusal).toMatchObject({ kind: "alreadyRunning", active: { id: running.id } });
    // Still PLANNED: its clean start (reading the service and the listener) runs before its first stage.
    expect(refusalText(second.refusal)).toBe(
      `web is already being deployed: v2 by U_ALICE since 2026-11-22 09:00 UTC (PLANNED, deployment ${running.id})`,
    );
    expect(h.store.deployments.history("web", 10)).toHaveLength(2);
  });

  it("lets the database itself refuse a racing second active deployment", async () => {
    const h = harness({ apps: { web: toyAppConfig() } });
    const d = await deploy(h, "v1");
    expect(() => h.store.deployments.insert({ ...d, id: "web-race", status: "RUNNING" })).toThrow(/UNIQUE/);
  });

  it("refuses a locked app with who locked it and why", async () => {
    const h = harness({ apps: { web: toyAppConfig() } });
    h.store.locks.lock({ app: "web", owner: "U_DAVE", reason: "incident 42", createdAt: h.clock.now() });
    const outcome = h.engine.requestDeployment({
      app: "web",
      version: "v1",
      requester: "U_ALICE",
      reason: "",
    });
    expect(outcome).toEqual({
      ok: false,
      refusal: {
        kind: "locked",
        lock: { app: "web", owner: "U_DAVE", reason: "incident 42", createdAt: h.clock.now() },
      },
    });
    expect(h.store.deployments.history("web", 10)).toHaveLength(0);
  });

  it("refuses an unknown app with the closest names, and an invalid version before creating anything", () => {
    const h = harness({ apps: { web: toyAppConfig(), worker: toyAppConfig({ name: "worker" }) } });
    expect(h.engine.requestDeployment({ app: "wbe", version: "v1", requester: "U", reason: "" })).toEqual({
      ok: false,
      refusal: { kind: "unknownApp", app: "wbe", closest: ["web"] },
    });
    const bad = h.engine.requestDeployment({ app: "web", version: "v1 beta", requester: "U", reason: "" });
    expect(bad).toMatchObject({
      ok: false,
      refusal: { kind: "invalidVersion", version: "v1 beta", problem: expect.stringMatching(/image tag/) },
    });
    expect(h.store.deployments.history("web", 10)).toHaveLength(0);
    expect(h.cloud.effects).toHaveLength(0);
  });

  it("refuses a pipeline this build has no executor for", () => {
    const h = harness({ apps: { web: toyAppConfig({ pipeline: undefined }) }, omitExecutors: ["ECS_SYNC"] });
    const outcome = h.engine.requestDeployment({ app: "web", version: "v1", requester: "U", reason: "" });
    expect(outcome).toEqual({
      ok: false,
      refusal: { kind: "noExecutor", app: "web", missing: ["ECS_SYNC"] },
    });
    expect(h.store.deployments.history("web", 10)).toHaveLength(0);
  });
});
