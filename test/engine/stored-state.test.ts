/**
 * What the runner does with a stage state or deployment context it cannot read: the stage is not
 * stepped on a guess. A corrupt stage state fails the stage with what is wrong and the deployment rolls
 * back; a corrupt context (where the rollback's facts live) blocks the rollback and asks people at once.
 * And rows as the previous release wrote them resume as before.
 */
import { describe, expect, it } from "vitest";
import type { Deployment } from "../../src/domain/deployment.js";
import { refusalText } from "../../src/views/refusal-text.js";
import { FakeCloud } from "../fakes/fake-cloud.js";
import { OutagePorts, serviceUnavailable } from "../fakes/outage-ports.js";
import { TOY_CLOUD, toyAppConfig } from "../fixtures/toy-app.js";
import { type Harness, harness, noMetrics } from "./harness.js";

const SECOND = 1000;
/** Index of WAIT_APPROVAL in the toy canary pipeline. */
const APPROVAL = 3;

function setUp(): Harness {
  return harness({ apps: { web: toyAppConfig() }, cloud: new FakeCloud(TOY_CLOUD) });
}

async function deploy(h: Harness, version: string): Promise<Deployment> {
  const outcome = h.engine.requestDeployment({ app: "web", version, requester: "U_ALICE", reason: "test" });
  if (!outcome.ok) throw new Error(refusalText(outcome.refusal));
  return outcome.deployment;
}

/** v1 live, v2's canary at 80/20 waiting for approval. */
async function canaryWaiting(h: Harness): Promise<Deployment> {
  const first = await deploy(h, "v1");
  await h.settle(first.id);
  const d = await deploy(h, "v2");
  for (let i = 0; i < 200 && status(h, d.id) !== "WAITING_APPROVAL"; i++) await h.clock.advance(10 * SECOND);
  expect(h.cloud.currentWeights().map((w) => w.weight)).toEqual([80, 20]);
  return d;
}

function status(h: Harness, id: string) {
  return h.store.deployments.get(id)?.status;
}

function rawColumn(h: Harness, table: "stages" | "deployments", id: string): string {
  const row =
    table === "stages"
      ? h.store.db
          .prepare("SELECT state AS json FROM stages WHERE deployment_id = ? AND idx = ?")
          .get(id, APPROVAL)
      : h.store.db.prepare("SELECT context AS json FROM deployments WHERE id = ?").get(id);
  const json = typeof row === "object" && row !== null && "json" in row ? row.json : undefined;
  if (typeof json !== "string") throw new Error(`no ${table} row for ${id}`);
  return json;
}

/** The engine stopped, a column rewritten behind its back (raw JSON), and the engine started again. */
async function restartWith(
  h: Harness,
  id: string,
  writes: { approvalState?: string; context?: string },
): Promise<Harness> {
  await h.engine.stop();
  if (writes.approvalState !== undefined) {
    h.store.db
      .prepare("UPDATE stages SET state = ? WHERE deployment_id = ? AND idx = ?")
      .run(writes.approvalState, id, APPROVAL);
  }
  if (writes.context !== undefined) {
    h.store.db.prepare("UPDATE deployments SET context = ? WHERE id = ?").run(writes.context, id);
  }
  return h.restart();
}

/** The end state of a rollback: 100% primary, v1 primary, nothing of the deployment left. */
function expectRolledBack(h: Harness, id: string): void {
  expect(status(h, id)).toBe("ROLLED_BACK");
  expect(h.cloud.currentWeights().map((w) => w.weight)).toEqual([100, 0]);
  const sets = h.cloud.listTaskSets();
  expect(sets.map((t) => `${t.status}:${h.cloud.taskDefinition(t.taskDefinitionArn)?.image}`)).toEqual([
    "PRIMARY:example/web:v1",
  ]);
}

describe("stored stage state and context", () => {
  it("fails a stage whose stored state is corrupt, with what is wrong, and rolls the deployment back", async () => {
    let h = setUp();
    const d = await canaryWaiting(h);
    h = await restartWith(h, d.id, { approvalState: '{"deadlineAt":"tomorrow"}' });
    await h.settle(d.id);
    const stage = h.store.stages.get(d.id, APPROVAL);
    expect(stage?.status).toBe("FAILURE");
    expect(stage?.statusReason).toBe(
      `WAIT_APPROVAL failed: the state of stage ${APPROVAL} of ${d.id} (WAIT_APPROVAL) is corrupt: deadlineAt is not a number: "tomorrow"`,
    );
    expect(h.store.deployments.get(d.id)?.rollbackCause).toBe("STAGE_FAILURE");
    expectRolledBack(h, d.id);
  });

  it("steps nothing on a corrupt context: the rollback is blocked, asks people, and ends when marked fixed", async () => {
    let h = setUp();
    const d = await canaryWaiting(h);
    h = await restartWith(h, d.id, { context: '{"forwardRules":"all of them"}' });
    const problem = `the context of deployment ${d.id} is corrupt: forwardRules is not an array: "all of them"`;
    for (let i = 0; i < 20 && status(h, d.id) !== "ROLLING_BACK"; i++) await h.clock.advance(SECOND);
    await h.clock.advance(60 * SECOND);
    expect(h.store.stages.get(d.id, APPROVAL)?.statusReason).toBe(`WAIT_APPROVAL failed: ${problem}`);
    expect(status(h, d.id)).toBe("ROLLING_BACK");
    const events = h.store.events.list(d.id);
    const blocked = events.filter((e) => e.type === "ROLLBACK_BLOCKED");
    expect(blocked).toHaveLength(1);
    expect(blocked[0]?.message).toContain(problem);
    expect(events.filter((e) => e.type === "ROLLBACK_ESCALATED")).toHaveLength(1);
    // Nothing was changed on a guess: the rollback does not know the rules, so the split stays.
    expect(h.cloud.currentWeights().map((w) => w.weight)).toEqual([80, 20]);

    h.engine.submitCommand({ deploymentId: d.id, kind: "MARK_FIXED", actor: "U_BOB" });
    await h.settle(d.id);
    expect(status(h, d.id)).toBe("ROLLED_BACK");
  });

  it("starts a blocked rollback over from the context when its own state is corrupt", async () => {
    const cloud = new FakeCloud(TOY_CLOUD);
    const outage = new OutagePorts(cloud);
    let h = harness({
      apps: { web: toyAppConfig() },
      cloud,
      ports: { ecs: outage.ecs, loadBalancer: outage.loadBalancer, metrics: noMetrics },
    });
    const d = await canaryWaiting(h);
    outage.elbDown = serviceUnavailable;
    h.engine.submitCommand({ deploymentId: d.id, kind: "ROLLBACK", actor: "U_BOB" });
    await h.clock.advance(5 * SECOND);
    const rollback = h.store.stages.list(d.id).find((s) => s.kind === "ROLLBACK");
    expect(rollback?.state.rollbackBlock?.attempts).toBeGreaterThan(0);

    await h.engine.stop();
    h.store.db
      .prepare("UPDATE stages SET state = ? WHERE deployment_id = ? AND idx = ?")
      .run('{"trafficRestored":"yes"}', d.id, rollback?.index);
    outage.elbDown = undefined;
    h = await h.restart();
    await h.settle(d.id);
    expectRolledBack(h, d.id);
    const blocked = h.store.events.list(d.id).filter((e) => e.type === "ROLLBACK_BLOCKED");
    expect(blocked.at(-1)?.message).toContain(
      '(ROLLBACK) is corrupt: trafficRestored is not a boolean: "yes"',
    );
  });

  it("resumes from rows as the previous release wrote them, and rolls back with their facts", async () => {
    let h = setUp();
    const d = await canaryWaiting(h);
    const state = JSON.parse(rawColumn(h, "stages", d.id));
    const context = JSON.parse(rawColumn(h, "deployments", d.id));
    // The shapes the previous release wrote: undefined fields absent, no key of this release.
    expect(Object.keys(state).sort()).toEqual(["approval", "deadlineAt"]);
    expect(Object.keys(context).sort()).toEqual([
      "forwardRules",
      "previousPrimaryTaskSetArn",
      "previousTaskDefinitionArn",
      "serviceExisted",
      "taskDefinitionArn",
    ]);
    const oldContext = {
      previousTaskDefinitionArn: context.previousTaskDefinitionArn,
      previousPrimaryTaskSetArn: context.previousPrimaryTaskSetArn,
      serviceExisted: true,
      taskDefinitionArn: context.taskDefinitionArn,
      forwardRules: context.forwardRules.map((rule: Record<string, unknown>) => ({
        listenerArn: rule.listenerArn,
        targetGroups: rule.targetGroups,
        actions: rule.actions,
      })),
    };
    h = await restartWith(h, d.id, {
      approvalState: JSON.stringify({ deadlineAt: state.deadlineAt, approval: state.approval }),
      context: JSON.stringify(oldContext),
    });
    await h.clock.advance(SECOND);
    expect(status(h, d.id)).toBe("WAITING_APPROVAL");
    h.engine.submitCommand({ deploymentId: d.id, kind: "ROLLBACK", actor: "U_BOB" });
    await h.settle(d.id);
    expectRolledBack(h, d.id);
    expect(h.store.stages.list(d.id).find((s) => s.kind === "ROLLBACK")?.state.trafficRestored).toBe(true);
  });
});
