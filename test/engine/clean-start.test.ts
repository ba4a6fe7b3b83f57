/**
 * Clean starts: before a deployment's first stage, and for idle apps when the engine starts, leftovers
 * of earlier runs (split weights, task sets nobody owns) are repaired traffic first, or the deployment
 * is refused with the exact state and the commands that repair it.
 */
import { describe, expect, it } from "vitest";
import type { Deployment } from "../../src/domain/deployment.js";
import { KanariaError } from "../../src/domain/kanaria-error.js";
import { type CleanStart, cleanStartEcs } from "../../src/stages/clean-start.js";
import { refusalText } from "../../src/views/refusal-text.js";
import { FakeCloud } from "../fakes/fake-cloud.js";
import { accessDenied, OutagePorts } from "../fakes/outage-ports.js";
import { TOY_CLOUD, toyAppConfig } from "../fixtures/toy-app.js";
import { type Harness, harness, noMetrics } from "./harness.js";

const SECOND = 1000;

async function deploy(h: Harness, version: string): Promise<Deployment> {
  const outcome = h.engine.requestDeployment({ app: "web", version, requester: "U_ALICE", reason: "test" });
  if (!outcome.ok) throw new Error(refusalText(outcome.refusal));
  return outcome.deployment;
}

async function untilStatus(h: Harness, id: string, status: string): Promise<void> {
  for (let i = 0; i < 200 && h.store.deployments.get(id)?.status !== status; i++)
    await h.clock.advance(10 * SECOND);
  expect(h.store.deployments.get(id)?.status).toBe(status);
}

/** v1 live, then what a rollback marked fixed by hand while AWS refused it leaves: 80/20 and v2's canary. */
async function leftovers(h: Harness, outage: OutagePorts): Promise<Deployment> {
  const first = await deploy(h, "v1");
  await h.settle(first.id);
  const d = await deploy(h, "v2");
  await untilStatus(h, d.id, "WAITING_APPROVAL");
  outage.down(accessDenied);
  h.engine.submitCommand({ deploymentId: d.id, kind: "ROLLBACK", actor: "U_BOB" });
  await h.clock.advance(SECOND);
  h.engine.submitCommand({ deploymentId: d.id, kind: "MARK_FIXED", actor: "U_BOB" });
  await h.settle(d.id);
  outage.down(undefined);
  expect(h.cloud.currentWeights().map((w) => w.weight)).toEqual([80, 20]);
  expect(h.cloud.listTaskSets().map((t) => t.externalId)).toContain(`${d.id}:canary`);
  return d;
}

function setUp(cleanStart?: CleanStart): { h: Harness; outage: OutagePorts; cloud: FakeCloud } {
  const cloud = new FakeCloud(TOY_CLOUD);
  const outage = new OutagePorts(cloud);
  const h = harness({
    apps: { web: toyAppConfig() },
    cloud,
    ports: { ecs: outage.ecs, loadBalancer: outage.loadBalancer, metrics: noMetrics },
    ...(cleanStart ? { cleanStart } : {}),
  });
  return { h, outage, cloud };
}

describe("clean start before a deployment", () => {
  it("moves traffic back and deletes the orphaned canary before the next canary starts", async () => {
    const { h, outage, cloud } = setUp();
    const old = await leftovers(h, outage);
    const effectsBefore = cloud.effects.length;

    const next = await deploy(h, "v3");
    await untilStatus(h, next.id, "WAITING_APPROVAL");
    const clean = h.store.events.list(next.id).filter((e) => e.type === "CLEAN_START");
    expect(clean).toHaveLength(1);
    expect(clean[0]?.message).toMatch(
      new RegExp(
        `^found listener .* forwards web-blue 80% / web-green 20%; task set .*\\(from deployment ${old.id}, ACTIVE, on web-green\\) has no running deployment; repaired before starting: listener .* back to 100% primary; task set .* deleted$`,
      ),
    );
    // Traffic first, then the delete, then v3's own work.
    const ops = cloud.effects.slice(effectsBefore).map((e) => e.op);
    expect(ops.slice(0, 2)).toEqual(["setWeights", "deleteTaskSet"]);
    const canaries = cloud.listTaskSets().filter((t) => t.status !== "PRIMARY");
    expect(canaries.map((t) => t.externalId)).toEqual([`${next.id}:canary`]);
  });

  it("still reports a repair whose report was lost: found is saved before the first repair call", async () => {
    // The first repair completes, then the step dies before its report is written (a crash); the
    // second look finds the service clean, and the saved findings are reported all the same.
    let crashed = false;
    const crashAfterRepair: CleanStart = async (app, ports, running, beforeRepair) => {
      const outcome = await cleanStartEcs(app, ports, running, beforeRepair);
      if (outcome.kind === "repaired" && !crashed) {
        crashed = true;
        throw new KanariaError("KILLED", "the process died after the repair", { transient: true });
      }
      return outcome;
    };
    const { h, outage } = setUp(crashAfterRepair);
    await leftovers(h, outage);
    const next = await deploy(h, "v3");
    await untilStatus(h, next.id, "WAITING_APPROVAL");
    expect(crashed).toBe(true);
    const clean = h.store.events.list(next.id).filter((e) => e.type === "CLEAN_START");
    expect(clean).toHaveLength(1);
    expect(clean[0]?.message).toMatch(
      /^found listener .* forwards web-blue 80% \/ web-green 20%; task set .* has no running deployment; repaired before starting: repaired before Kanaria restarted$/,
    );
  });

  it("refuses to start beside a task set on the primary target group that nobody owns, saying how to repair", async () => {
    const { h, cloud } = setUp();
    const first = await deploy(h, "v1");
    await h.settle(first.id);
    const [primary] = cloud.listTaskSets();
    await cloud.createTaskSet({
      cluster: TOY_CLOUD.cluster,
      service: TOY_CLOUD.service,
      taskDefinitionArn: primary?.taskDefinitionArn ?? "",
      targetGroup: {
        targetGroupArn: TOY_CLOUD.primaryTargetGroupArn,
        containerName: "web",
        containerPort: 80,
      },
      scalePercent: 100,
      externalId: "made-by-hand",
      clientToken: "made-by-hand",
      tags: {},
      extra: {},
    });
    const effectsBefore = cloud.effects.length;

    const d = await deploy(h, "v2");
    await h.settle(d.id);
    const final = h.store.deployments.get(d.id);
    expect(final?.status).toBe("CANCELLED");
    expect(final?.statusReason).toMatch(
      /^refused: the service is not in a state to deploy on: task set .* \(not Kanaria's, ACTIVE, on web-blue\) serves beside the primary and no deployment owns it/,
    );
    const [event] = h.store.events.list(d.id).filter((e) => e.type === "CLEAN_START");
    expect(event?.message).toMatch(
      /to repair by hand: aws ecs delete-task-set --cluster test-cluster --service web --task-set arn:aws:ecs:/,
    );
    // Nothing was changed.
    expect(cloud.effects.length).toBe(effectsBefore);
    expect(h.store.stages.list(d.id).every((s) => s.status === "CANCELLED")).toBe(true);
  });

  it("refuses, and changes nothing, when AWS will not let it look", async () => {
    const { h, outage, cloud } = setUp();
    const first = await deploy(h, "v1");
    await h.settle(first.id);
    outage.down(accessDenied);
    const effectsBefore = cloud.effects.length;
    const d = await deploy(h, "v2");
    await h.settle(d.id);
    expect(h.store.deployments.get(d.id)?.statusReason).toMatch(
      /^refused: .*the service could not be checked: ModifyListener failed: AccessDenied/,
    );
    expect(cloud.effects.length).toBe(effectsBefore);
  });
});

describe("clean start when the engine starts", () => {
  it("repairs an idle app's leftovers and says so in its channel", async () => {
    const { h, outage, cloud } = setUp();
    await leftovers(h, outage);
    const restarted = await h.restart();
    await restarted.engine.idleAppsChecked();
    expect(restarted.notifier.notices).toEqual([
      {
        app: "web",
        message: expect.stringMatching(
          /^found listener .* forwards web-blue 80% \/ web-green 20%; .*; repaired: .* back to 100% primary; task set .* deleted$/,
        ),
      },
    ]);
    expect(cloud.currentWeights().map((w) => w.weight)).toEqual([100, 0]);
    expect(cloud.listTaskSets().map((t) => t.status)).toEqual(["PRIMARY"]);
  });

  it("says nothing when every app is clean", async () => {
    const { h } = setUp();
    const first = await deploy(h, "v1");
    await h.settle(first.id);
    const restarted = await h.restart();
    await restarted.engine.idleAppsChecked();
    expect(restarted.notifier.notices).toEqual([]);
  });
});

describe("a canary beside someone else's task set", () => {
  it("does not start, and the rollback leaves the stranger alone", async () => {
    const cloud = new FakeCloud(TOY_CLOUD);
    let strangerArn = "";
    const h = harness({
      apps: { web: toyAppConfig() },
      cloud,
      // A task set that appears on the canary group after the clean start looked.
      cleanStart: async (app, ports, running) => {
        const outcome = await cleanStartEcs(app, ports, running);
        const [primary] = cloud.listTaskSets();
        if (primary && !strangerArn) {
          const stranger = await cloud.createTaskSet({
            cluster: TOY_CLOUD.cluster,
            service: TOY_CLOUD.service,
            taskDefinitionArn: primary.taskDefinitionArn,
            targetGroup: {
              targetGroupArn: TOY_CLOUD.canaryTargetGroupArn,
              containerName: "web",
              containerPort: 80,
            },
            scalePercent: 10,
            externalId: "other-team",
            clientToken: "other-team",
            tags: {},
            extra: {},
          });
          strangerArn = stranger.taskSetArn;
        }
        return outcome;
      },
    });
    const first = await deploy(h, "v1");
    await h.settle(first.id);
    const d = await deploy(h, "v2");
    await h.settle(d.id);
    const failed = h.store.stages.list(d.id).find((s) => s.status === "FAILURE");
    expect(failed?.kind).toBe("ECS_CANARY_ROLLOUT");
    expect(failed?.statusReason).toMatch(
      /^the canary target group web-green already carries task set\(s\) .* \(other-team\); a canary never starts beside them$/,
    );
    expect(h.store.deployments.get(d.id)?.status).toBe("ROLLED_BACK");
    expect(cloud.listTaskSets().map((t) => t.taskSetArn)).toContain(strangerArn);
  });
});
