/**
 * A rollback never gives up (DESIGN §4): AWS errors keep it ROLLING_BACK, retrying with capped backoff,
 * telling people once what blocks it and asking them by name when waiting cannot heal it or has lasted
 * too long. It ends only with traffic 100% on a live primary and none of the deployment's task sets.
 */
import { describe, expect, it } from "vitest";
import type { Deployment, EventType } from "../../src/domain/deployment.js";
import type { StageKind } from "../../src/domain/stage-kind.js";
import { type RollbackPolicy, retryDelayMs } from "../../src/engine/rollback-block.js";
import { refusalText } from "../../src/views/refusal-text.js";
import { FakeCloud } from "../fakes/fake-cloud.js";
import { accessDenied, OutagePorts, serviceUnavailable } from "../fakes/outage-ports.js";
import { TOY_CLOUD, toyAppConfig } from "../fixtures/toy-app.js";
import { type Harness, harness, noMetrics } from "./harness.js";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const POLICY: RollbackPolicy = { retryCapMs: 15 * SECOND, escalateAfterMs: 5 * MINUTE, random: () => 0.5 };

function setUp(policy: RollbackPolicy = POLICY): { h: Harness; outage: OutagePorts } {
  const cloud = new FakeCloud(TOY_CLOUD);
  const outage = new OutagePorts(cloud);
  const h = harness({
    apps: { web: toyAppConfig() },
    cloud,
    ports: { ecs: outage.ecs, loadBalancer: outage.loadBalancer, metrics: noMetrics },
    rollbackPolicy: policy,
  });
  return { h, outage };
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

function events(h: Harness, id: string, type: EventType) {
  return h.store.events.list(id).filter((e) => e.type === type);
}

function rollbackStage(h: Harness, id: string) {
  const stage = h.store.stages.list(id).find((s) => s.kind === "ROLLBACK");
  if (!stage) throw new Error("no ROLLBACK stage");
  return stage;
}

/** The end state every rollback must reach: 100% primary, v1 primary, nothing of the deployment left. */
function expectClean(h: Harness, deploymentId: string): void {
  expect(h.cloud.currentWeights().map((w) => w.weight)).toEqual([100, 0]);
  const sets = h.cloud.listTaskSets();
  expect(sets.map((t) => `${t.status}:${h.cloud.taskDefinition(t.taskDefinitionArn)?.image}`)).toEqual([
    "PRIMARY:example/web:v1",
  ]);
  expect(sets.some((t) => t.externalId?.startsWith(`${deploymentId}:`))).toBe(false);
}

describe("a blocked rollback", () => {
  it("keeps retrying through a 10-minute ALB outage, asks people once, and ends at 100% primary", async () => {
    const { h, outage } = setUp();
    const d = await canaryWaiting(h);
    outage.elbDown = serviceUnavailable;
    const effectsBefore = h.cloud.effects.length;
    h.engine.submitCommand({ deploymentId: d.id, kind: "ROLLBACK", actor: "U_BOB" });
    for (let t = 0; t < 10 * MINUTE; t += 10 * SECOND) await h.clock.advance(10 * SECOND);
    // Nothing is deleted while it carries traffic: the canary stays until the weights have moved.
    expect(h.cloud.effects.slice(effectsBefore)).toEqual([]);

    expect(status(h, d.id)).toBe("ROLLING_BACK");
    expect(rollbackStage(h, d.id).status).toBe("RUNNING");
    // Far more than the 5 attempts a pipeline stage gets: it never runs out.
    expect(outage.failed.elb).toBeGreaterThan(30);
    const blocked = events(h, d.id, "ROLLBACK_BLOCKED");
    expect(blocked).toHaveLength(1);
    expect(blocked[0]?.message).toMatch(
      /^rollback blocked: ModifyListener failed: ServiceUnavailable: try later; retrying every 15s at most; traffic as last set: primary 80% \/ canary 20%$/,
    );
    const asked = events(h, d.id, "ROLLBACK_ESCALATED");
    expect(asked).toHaveLength(1);
    expect(asked[0]?.message).toMatch(/AWS has refused the rollback for 5m/);
    expect(h.cloud.currentWeights().map((w) => w.weight)).toEqual([80, 20]);

    outage.elbDown = undefined;
    await h.settle(d.id);
    expect(status(h, d.id)).toBe("ROLLED_BACK");
    expectClean(h, d.id);
    expect(events(h, d.id, "ROLLBACK_UNBLOCKED")).toHaveLength(1);
    expect(rollbackStage(h, d.id).state.rollbackBlock).toBeUndefined();
  });

  it("rolls back when every AWS call is refused from the Approve click on, once AWS is back", async () => {
    const { h, outage } = setUp();
    const d = await canaryWaiting(h);
    outage.down(serviceUnavailable);
    h.engine.submitCommand({ deploymentId: d.id, kind: "APPROVE", actor: "U_BOB" });
    for (let t = 0; t < 3 * MINUTE; t += 10 * SECOND) await h.clock.advance(10 * SECOND);
    // The forward stage gave up after its retries and handed over to the rollback, which waits.
    expect(status(h, d.id)).toBe("ROLLING_BACK");
    expect(h.store.deployments.get(d.id)?.rollbackCause).toBe("STAGE_FAILURE");

    outage.down(undefined);
    await h.settle(d.id);
    expect(status(h, d.id)).toBe("ROLLED_BACK");
    expectClean(h, d.id);
  });

  it("asks people at once when waiting cannot heal it, naming the permission, and keeps retrying", async () => {
    const { h, outage } = setUp();
    const d = await canaryWaiting(h);
    outage.elbDown = accessDenied;
    h.engine.submitCommand({ deploymentId: d.id, kind: "ROLLBACK", actor: "U_BOB" });
    await h.clock.advance(SECOND);
    const asked = events(h, d.id, "ROLLBACK_ESCALATED");
    expect(asked).toHaveLength(1);
    expect(asked[0]?.message).toMatch(
      /waiting will not fix this: .*not authorized to perform elasticloadbalancing:ModifyListener/,
    );
    const failedBefore = outage.failed.elb;
    await h.clock.advance(2 * MINUTE);
    expect(outage.failed.elb).toBeGreaterThan(failedBefore);
    expect(events(h, d.id, "ROLLBACK_ESCALATED")).toHaveLength(1);

    // Someone grants the permission: the next attempt goes through on its own.
    outage.elbDown = undefined;
    await h.settle(d.id);
    expect(status(h, d.id)).toBe("ROLLED_BACK");
    expectClean(h, d.id);
  });

  it("tries again at once when a person asks to retry", async () => {
    const slow: RollbackPolicy = { ...POLICY, retryCapMs: 10 * MINUTE };
    const { h, outage } = setUp(slow);
    const d = await canaryWaiting(h);
    outage.elbDown = serviceUnavailable;
    h.engine.submitCommand({ deploymentId: d.id, kind: "ROLLBACK", actor: "U_BOB" });
    // Until the backoff between attempts has grown to minutes.
    for (let i = 0; i < 100 && (rollbackStage(h, d.id).state.rollbackBlock?.attempts ?? 0) < 10; i++)
      await h.clock.advance(30 * SECOND);
    const retryAt = rollbackStage(h, d.id).state.rollbackBlock?.retryAt ?? 0;
    expect(retryAt).toBeGreaterThan(h.clock.now() + MINUTE);

    outage.elbDown = undefined;
    h.engine.submitCommand({ deploymentId: d.id, kind: "RETRY_ROLLBACK", actor: "U_CAROL" });
    await h.clock.advance(SECOND);
    await h.clock.advance(SECOND);
    expect(status(h, d.id)).toBe("ROLLED_BACK");
    expect(h.clock.now()).toBeLessThan(retryAt);
    expectClean(h, d.id);
    expect(h.store.events.list(d.id).some((e) => e.message === "retry asked by U_CAROL")).toBe(true);
  });

  it("ends on a person's word when they fixed it by hand, and says so with their name", async () => {
    const { h, outage } = setUp();
    const d = await canaryWaiting(h);
    outage.elbDown = accessDenied;
    h.engine.submitCommand({ deploymentId: d.id, kind: "ROLLBACK", actor: "U_BOB" });
    await h.clock.advance(SECOND);
    expect(status(h, d.id)).toBe("ROLLING_BACK");

    h.engine.submitCommand({ deploymentId: d.id, kind: "MARK_FIXED", actor: "U_CAROL" });
    await h.settle(d.id);
    const final = h.store.deployments.get(d.id);
    expect(final?.status).toBe("ROLLED_BACK");
    expect(final?.statusReason).toMatch(/^rollback marked fixed by hand by U_CAROL/);
    expect(rollbackStage(h, d.id)).toMatchObject({
      status: "SUCCESS",
      statusReason: "marked fixed by hand by U_CAROL",
    });
    const ended = events(h, d.id, "DEPLOYMENT_ROLLED_BACK");
    expect(ended.map((e) => e.actor)).toEqual(["U_CAROL"]);
  });

  it("ignores retry and fixed-by-hand when no rollback is blocked", async () => {
    const { h } = setUp();
    const d = await canaryWaiting(h);
    h.engine.submitCommand({ deploymentId: d.id, kind: "MARK_FIXED", actor: "U_CAROL" });
    h.engine.submitCommand({ deploymentId: d.id, kind: "RETRY_ROLLBACK", actor: "U_CAROL" });
    await h.clock.advance(SECOND);
    expect(status(h, d.id)).toBe("WAITING_APPROVAL");
    const ignored = events(h, d.id, "COMMAND_IGNORED").map((e) => e.message);
    expect(ignored).toEqual([
      "MARK_FIXED by U_CAROL: no rollback is running",
      "RETRY_ROLLBACK by U_CAROL: no blocked rollback to retry",
    ]);
  });

  it("fails a forward stage at the first error that waiting cannot heal, and rolls back", async () => {
    const { h, outage } = setUp();
    const d = await canaryWaiting(h);
    outage.ecsDown = accessDenied;
    h.engine.submitCommand({ deploymentId: d.id, kind: "APPROVE", actor: "U_BOB" });
    await h.clock.advance(SECOND);
    const failed = h.store.stages.list(d.id).find((s) => s.status === "FAILURE");
    expect(failed?.statusReason).toMatch(/^ECS_PRIMARY_ROLLOUT failed: ModifyListener failed: AccessDenied/);
    // No retries of an error that waiting cannot heal.
    expect(h.store.events.list(d.id).filter((e) => /retrying \(/.test(e.message))).toEqual([]);
    expect(status(h, d.id)).toBe("ROLLING_BACK");
    outage.ecsDown = undefined;
    await h.settle(d.id);
    expect(status(h, d.id)).toBe("ROLLED_BACK");
    expectClean(h, d.id);
  });
});

describe("retryDelayMs", () => {
  it("doubles from 1 s up to the cap, with half of each wait random", () => {
    const fixed = (random: number) => ({ ...POLICY, random: () => random });
    expect([1, 2, 3, 4, 5, 6, 20].map((n) => retryDelayMs(n, fixed(0)))).toEqual([
      500, 1000, 2000, 4000, 7500, 7500, 7500,
    ]);
    expect([1, 2, 5, 20].map((n) => retryDelayMs(n, fixed(0.999999)))).toEqual([1000, 2000, 15_000, 15_000]);
  });
});

/** The same store, cloud and clock after a restart on a build without `missing`'s executor. */
async function olderBuild(h: Harness, missing: StageKind): Promise<Harness> {
  await h.engine.stop();
  return harness({
    apps: { web: toyAppConfig() },
    store: h.store,
    clock: h.clock,
    cloud: h.cloud,
    omitExecutors: [missing],
    rollbackPolicy: POLICY,
  });
}

describe("a resumed deployment on a build that lacks an executor", () => {
  it("fails the stage it cannot run (entered first) and rolls back", async () => {
    const { h } = setUp();
    const first = await deploy(h, "v1");
    await h.settle(first.id);
    const d = await deploy(h, "v2");
    for (let i = 0; i < 100 && h.store.stages.get(d.id, 2)?.status !== "RUNNING"; i++)
      await h.clock.advance(SECOND);
    // WAIT_APPROVAL (stage 3) has not started; this build cannot run it.
    const older = await olderBuild(h, "WAIT_APPROVAL");
    await older.settle(d.id);
    expect(older.store.stages.get(d.id, 3)).toMatchObject({
      status: "FAILURE",
      statusReason: "no executor for WAIT_APPROVAL in this build",
    });
    expect(status(older, d.id)).toBe("ROLLED_BACK");
    expectClean(older, d.id);
  });

  it("keeps a rollback it cannot run blocked and asks people, without spinning", async () => {
    const { h } = setUp();
    const d = await canaryWaiting(h);
    const older = await olderBuild(h, "ROLLBACK");
    older.engine.submitCommand({ deploymentId: d.id, kind: "ROLLBACK", actor: "U_BOB" });
    await older.clock.advance(MINUTE);
    expect(status(older, d.id)).toBe("ROLLING_BACK");
    const block = rollbackStage(older, d.id).state.rollbackBlock;
    expect(block?.error).toBe("no executor for ROLLBACK in this build");
    // Capped backoff: a minute holds a handful of attempts, not thousands.
    expect(block?.attempts).toBeLessThan(15);
    expect(events(older, d.id, "ROLLBACK_ESCALATED")).toHaveLength(1);
    await older.engine.stop();
  });
});
