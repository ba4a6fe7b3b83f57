/**
 * Kanaria's baseline stages on the sandbox cloud through the AWS SDK: a canary compared with an
 * equally cold baseline of the current primary, traffic split three ways, then both cleaned up.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SeededApp } from "../../sandbox/seed-app.js";
import { type SandboxCloud, startSandboxCloud } from "../../sandbox/start-sandbox-cloud.js";
import type { StagePorts } from "../../src/engine/stage-executor.js";
import { createAwsClients } from "../../src/providers/aws/aws-clients.js";
import { AwsEcs } from "../../src/providers/aws/aws-ecs.js";
import { AwsLoadBalancer } from "../../src/providers/aws/aws-load-balancer.js";
import { refusalText } from "../../src/views/refusal-text.js";
import { harness, noMetrics } from "../engine/harness.js";
import { hookedExecutors } from "../engine/step-hooks.js";
import { FakeClock } from "../fakes/fake-clock.js";
import { sandboxAppConfig } from "../fixtures/sandbox-app.js";
import { stage } from "../fixtures/toy-app.js";

describe("baseline stages on the sandbox cloud", () => {
  let cloud: SandboxCloud;
  let clock: FakeClock;
  let ports: StagePorts;
  let seeded: SeededApp;

  beforeEach(async () => {
    clock = new FakeClock();
    cloud = await startSandboxCloud({ clock });
    seeded = cloud.seedApp({ app: "web", baseline: true, desiredCount: 4, createService: false });
    const clients = createAwsClients(
      {
        name: "sandbox",
        type: "ECS",
        region: cloud.region,
        endpoints: { ecs: cloud.ecsEndpoint, elbv2: cloud.elbv2Endpoint },
      },
      { credentials: { accessKeyId: "sandbox", secretAccessKey: "sandbox" } },
    );
    ports = {
      ecs: new AwsEcs(clients.ecs, clock),
      loadBalancer: new AwsLoadBalancer(clients.elbv2),
      metrics: noMetrics,
    };
  });
  afterEach(async () => {
    await cloud.close();
  });

  it("runs canary and baseline side by side at 10% each, then leaves one primary and 100/0/0", async () => {
    const pipeline = [
      stage("ECS_CANARY_ROLLOUT", { scale: 25 }, 0),
      stage("ECS_BASELINE_ROLLOUT", { scale: 25 }, 1),
      stage("ECS_TRAFFIC_ROUTING", { primary: 80, canary: 10, baseline: 10 }, 2),
      stage("WAIT", { durationMs: 10 * 60_000 }, 3),
      stage("ECS_PRIMARY_ROLLOUT", {}, 4),
      stage("ECS_TRAFFIC_ROUTING", { primary: 100, canary: 0, baseline: 0 }, 5),
      stage("ECS_CANARY_CLEAN", {}, 6),
      stage("ECS_BASELINE_CLEAN", {}, 7),
    ];
    const groups = [
      seeded.targetGroups.primary.arn,
      seeded.targetGroups.canary.arn,
      seeded.targetGroups.baseline.arn,
    ];
    let during: { roles: string[]; weights: number[]; baselineDefinition: string | undefined } | undefined;
    const h = harness({
      apps: { web: sandboxAppConfig(seeded, { desiredCount: 4, baseline: true, overrides: { pipeline } }) },
      clock,
      ports,
      // The three-way split, read as v2's WAIT begins (before its first step): an exact point of the run.
      replaceExecutors: hookedExecutors({
        beforeFirstStep: async (ctx) => {
          if (ctx.deployment.version !== "v2" || ctx.stage.index !== 3) return;
          const sets =
            (await ports.ecs.describeService(seeded.clusterName, seeded.serviceName))?.taskSets ?? [];
          const [rule] = await ports.loadBalancer.findForwardRules(groups);
          during = {
            roles: sets.map((t) => `${t.status}:${t.externalId?.split(":")[1] ?? "seed"}`).sort(),
            weights: rule?.targetGroups.map((g) => g.weight) ?? [],
            baselineDefinition: sets.find((t) => t.externalId?.endsWith(":baseline"))?.taskDefinitionArn,
          };
        },
      }),
    });
    const deploy = (version: string) => {
      const outcome = h.engine.requestDeployment({ app: "web", version, requester: "U_ALICE", reason: "" });
      if (!outcome.ok) throw new Error(refusalText(outcome.refusal));
      return outcome.deployment.id;
    };
    const v1 = deploy("v1");
    await h.settle(v1);
    const v1Definition = h.store.deployments.get(v1)?.context.taskDefinitionArn;
    const v2 = deploy("v2");
    await h.settle(v2);
    const failedStage = h.store.stages.list(v2).find((s) => s.status === "FAILURE");
    expect(h.store.deployments.get(v2)?.status, failedStage?.statusReason).toBe("SUCCESS");
    expect(during?.roles).toEqual(["ACTIVE:baseline", "ACTIVE:canary", "PRIMARY:primary"]);
    expect(during?.weights).toEqual([80, 10, 10]);
    // The baseline runs the primary's task definition, not the new version.
    expect(during?.baselineDefinition).toBe(v1Definition);
    const after = (await ports.ecs.describeService(seeded.clusterName, seeded.serviceName))?.taskSets ?? [];
    expect(after.filter((t) => t.status !== "DRAINING").map((t) => t.status)).toEqual(["PRIMARY"]);
    const [rule] = await ports.loadBalancer.findForwardRules(groups);
    expect(rule?.targetGroups.map((g) => g.weight)).toEqual([100, 0, 0]);
    await h.engine.stop();
  });
});
