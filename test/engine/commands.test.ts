import { describe, expect, it } from "vitest";
import type { Deployment } from "../../src/domain/deployment.js";
import { refusalText } from "../../src/views/refusal-text.js";
import { canaryPipeline, toyAppConfig } from "../fixtures/toy-app.js";
import type { Harness, HarnessOptions } from "./harness.js";
import { harness } from "./harness.js";

const MINUTE = 60_000;

async function waitingV2(options: Partial<HarnessOptions> & { minApproverNum?: number } = {}): Promise<{
  h: Harness;
  d: Deployment;
}> {
  const pipeline = canaryPipeline({
    waitMs: MINUTE,
    approvalTimeoutMs: 60 * MINUTE,
    minApproverNum: options.minApproverNum ?? 1,
  });
  const h = harness({ apps: { web: toyAppConfig({ pipeline }) }, ...options });
  const first = h.engine.requestDeployment({ app: "web", version: "v1", requester: "U_ALICE", reason: "" });
  if (!first.ok) throw new Error(refusalText(first.refusal));
  await h.settle(first.deployment.id);
  const second = h.engine.requestDeployment({ app: "web", version: "v2", requester: "U_ALICE", reason: "" });
  if (!second.ok) throw new Error(refusalText(second.refusal));
  const d = second.deployment;
  for (let i = 0; i < 100 && h.store.deployments.get(d.id)?.status !== "WAITING_APPROVAL"; i++) {
    await h.clock.advance(10_000);
  }
  expect(h.store.deployments.get(d.id)?.status).toBe("WAITING_APPROVAL");
  return { h, d };
}

/** Lets the driver consume pending commands without moving virtual time. */
async function drain(h: Harness): Promise<void> {
  await h.clock.advance(0);
}

function outcomes(h: Harness, id: string) {
  return h.store.commands.list(id).map((c) => [c.kind, c.actor, c.outcome, c.outcomeReason]);
}

describe("commands and approvals", () => {
  it("records a duplicated delivery once and applies it once", async () => {
    const { h, d } = await waitingV2({ minApproverNum: 2 });
    const a = h.engine.submitCommand({
      deploymentId: d.id,
      kind: "APPROVE",
      actor: "U_BOB",
      dedupeKey: "action-1",
    });
    const b = h.engine.submitCommand({
      deploymentId: d.id,
      kind: "APPROVE",
      actor: "U_BOB",
      dedupeKey: "action-1",
    });
    expect(a).toMatchObject({ ok: true, duplicate: false });
    expect(b).toMatchObject({ ok: true, duplicate: true });
    await drain(h);
    expect(h.store.commands.list(d.id)).toHaveLength(1);
    const approvals = h.store.events.list(d.id).filter((e) => e.type === "APPROVAL_RECORDED");
    expect(approvals.map((e) => e.message)).toEqual(["approved by U_BOB (1/2)"]);
    expect(h.store.deployments.get(d.id)?.status).toBe("WAITING_APPROVAL");
  });

  it("needs minApproverNum distinct people: the same person twice does not count", async () => {
    const { h, d } = await waitingV2({ minApproverNum: 2 });
    h.engine.submitCommand({ deploymentId: d.id, kind: "APPROVE", actor: "U_BOB" });
    h.engine.submitCommand({ deploymentId: d.id, kind: "APPROVE", actor: "U_BOB" });
    await drain(h);
    expect(outcomes(h, d.id)).toEqual([
      ["APPROVE", "U_BOB", "APPLIED", "approval recorded"],
      ["APPROVE", "U_BOB", "REFUSED", "already approved by U_BOB; 1 more approval from other people needed"],
    ]);
    expect(h.store.deployments.get(d.id)?.status).toBe("WAITING_APPROVAL");
    h.engine.submitCommand({ deploymentId: d.id, kind: "APPROVE", actor: "U_CAROL" });
    await h.settle(d.id);
    expect(h.store.deployments.get(d.id)?.status).toBe("SUCCESS");
    expect(h.store.stages.get(d.id, 3)?.statusReason).toBe("approved by U_BOB, U_CAROL");
  });

  it("enforces four-eyes: the requester cannot approve their own deployment", async () => {
    const { h, d } = await waitingV2({ access: { approvers: [], fourEyes: true } });
    h.engine.submitCommand({ deploymentId: d.id, kind: "APPROVE", actor: "U_ALICE" });
    await drain(h);
    expect(outcomes(h, d.id)).toEqual([
      ["APPROVE", "U_ALICE", "REFUSED", "four-eyes rule: the requester may not approve their own deployment"],
    ]);
    expect(h.store.events.list(d.id).at(-1)).toMatchObject({ type: "COMMAND_REFUSED", actor: "U_ALICE" });
    // Nor can the requester skip or promote past the approval.
    h.engine.submitCommand({ deploymentId: d.id, kind: "SKIP_STAGE", actor: "U_ALICE" });
    h.engine.submitCommand({ deploymentId: d.id, kind: "PROMOTE", actor: "U_ALICE" });
    await drain(h);
    expect(h.store.commands.list(d.id).map((c) => c.outcome)).toEqual(["REFUSED", "REFUSED", "REFUSED"]);
    h.engine.submitCommand({ deploymentId: d.id, kind: "APPROVE", actor: "U_BOB" });
    await h.settle(d.id);
    expect(h.store.deployments.get(d.id)?.status).toBe("SUCCESS");
  });

  it("accepts approvers by user id or by user group, and refuses others", async () => {
    const { h, d } = await waitingV2({ access: { approvers: ["U_BOB", "S_SRE"], fourEyes: false } });
    h.engine.submitCommand({
      deploymentId: d.id,
      kind: "APPROVE",
      actor: "U_MALLORY",
      actorGroups: ["S_SALES"],
    });
    await drain(h);
    expect(outcomes(h, d.id)[0]).toEqual([
      "APPROVE",
      "U_MALLORY",
      "REFUSED",
      "not an approver here; approvers are U_BOB, S_SRE",
    ]);
    h.engine.submitCommand({ deploymentId: d.id, kind: "APPROVE", actor: "U_ERIN", actorGroups: ["S_SRE"] });
    await h.settle(d.id);
    expect(h.store.deployments.get(d.id)?.status).toBe("SUCCESS");
  });

  it("prefers the stage's own approvers over the app's", async () => {
    const pipeline = canaryPipeline({ waitMs: MINUTE, approvalTimeoutMs: 60 * MINUTE }).map((s) =>
      s.kind === "WAIT_APPROVAL" ? { ...s, options: { ...s.options, approvers: ["U_CAROL"] } } : s,
    );
    const h = harness({
      apps: { web: toyAppConfig({ pipeline }) },
      access: { approvers: ["U_BOB"], fourEyes: false },
    });
    const v1 = h.engine.requestDeployment({ app: "web", version: "v1", requester: "U_ALICE", reason: "" });
    if (!v1.ok) throw new Error("refused");
    await h.settle(v1.deployment.id);
    const v2 = h.engine.requestDeployment({ app: "web", version: "v2", requester: "U_ALICE", reason: "" });
    if (!v2.ok) throw new Error("refused");
    for (
      let i = 0;
      i < 100 && h.store.deployments.get(v2.deployment.id)?.status !== "WAITING_APPROVAL";
      i++
    ) {
      await h.clock.advance(10_000);
    }
    h.engine.submitCommand({ deploymentId: v2.deployment.id, kind: "APPROVE", actor: "U_BOB" });
    h.engine.submitCommand({ deploymentId: v2.deployment.id, kind: "APPROVE", actor: "U_CAROL" });
    await h.settle(v2.deployment.id);
    expect(outcomes(h, v2.deployment.id).map((o) => o[2])).toEqual(["REFUSED", "APPLIED"]);
    expect(h.store.deployments.get(v2.deployment.id)?.status).toBe("SUCCESS");
  });

  it("ignores an approval when nothing waits for one, and any command on a finished deployment", async () => {
    const h = harness({ apps: { web: toyAppConfig() } });
    const v1 = h.engine.requestDeployment({ app: "web", version: "v1", requester: "U_ALICE", reason: "" });
    if (!v1.ok) throw new Error("refused");
    h.engine.submitCommand({ deploymentId: v1.deployment.id, kind: "APPROVE", actor: "U_BOB" });
    await h.settle(v1.deployment.id);
    h.engine.submitCommand({ deploymentId: v1.deployment.id, kind: "CANCEL", actor: "U_BOB" });
    await drain(h);
    expect(outcomes(h, v1.deployment.id)).toEqual([
      ["APPROVE", "U_BOB", "IGNORED", "nothing is waiting for approval"],
      ["CANCEL", "U_BOB", "IGNORED", "the deployment already ended (SUCCESS)"],
    ]);
    expect(h.store.deployments.get(v1.deployment.id)?.status).toBe("SUCCESS");
  });

  it("applies a command written by another process (the CLI) on the next poll", async () => {
    const { h, d } = await waitingV2({ pollIntervalMs: 20 });
    // Written straight into the store, as `kanaria` in another process would: no wake-up call.
    h.store.commands.insert(
      { deploymentId: d.id, kind: "APPROVE", actor: "cli:bob", actorGroups: [], dedupeKey: undefined },
      h.clock.now(),
    );
    for (let i = 0; i < 200 && h.store.commands.list(d.id)[0]?.outcome === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await h.settle(d.id);
    expect(outcomes(h, d.id)).toEqual([["APPROVE", "cli:bob", "APPLIED", "approval recorded"]]);
    expect(h.store.deployments.get(d.id)?.status).toBe("SUCCESS");
  });
});

describe("commands left while no engine ran", () => {
  it("are answered at start, also for deployments that have ended", async () => {
    const h = harness({ apps: { web: toyAppConfig() } });
    const v1 = h.engine.requestDeployment({ app: "web", version: "v1", requester: "U_ALICE", reason: "" });
    if (!v1.ok) throw new Error("refused");
    await h.settle(v1.deployment.id);
    await h.engine.stop();
    h.store.commands.insert(
      {
        deploymentId: v1.deployment.id,
        kind: "ROLLBACK",
        actor: "cli:bob",
        actorGroups: [],
        dedupeKey: undefined,
      },
      h.clock.now(),
    );
    const restarted = await h.restart();
    expect(restarted.store.commands.list(v1.deployment.id)[0]).toMatchObject({
      outcome: "IGNORED",
      outcomeReason: "the deployment already ended (SUCCESS)",
    });
  });
});
