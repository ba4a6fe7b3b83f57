/**
 * The seed article's pipeline (test/fixtures/seeds/seed-example) end to end on the sandbox cloud, through
 * the real config loader, engine, executors and AWS SDK clients. The seed's masked ARNs and names are
 * pointed at the sandbox, and its ANALYSIS stage is replaced by a WAIT (its Datadog query targets a
 * real ALB); everything else is the seed's file as written.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SandboxCloud } from "../../sandbox/start-sandbox-cloud.js";
import { startSandboxCloud } from "../../sandbox/start-sandbox-cloud.js";
import { loadConfig } from "../../src/config/load-config.js";
import type { AppConfig } from "../../src/domain/app-config.js";
import type { StagePorts } from "../../src/engine/stage-executor.js";
import { createAwsClients } from "../../src/providers/aws/aws-clients.js";
import { AwsEcs } from "../../src/providers/aws/aws-ecs.js";
import { AwsLoadBalancer } from "../../src/providers/aws/aws-load-balancer.js";
import { type Harness, harness, noMetrics } from "../engine/harness.js";
import { hookedExecutors } from "../engine/step-hooks.js";
import { FakeClock } from "../fakes/fake-clock.js";

const SEED = resolve(import.meta.dirname, "../fixtures/seeds/seed-example");

describe("the seed's pipeline on the sandbox cloud", () => {
  let cloud: SandboxCloud;
  let clock: FakeClock;
  let ports: StagePorts;
  let app: AppConfig;
  let dir: string;
  let groups: { blue: string; green: string };
  let serviceRef: { cluster: string; service: string };

  beforeEach(async () => {
    clock = new FakeClock();
    cloud = await startSandboxCloud({ clock, config: { region: "ap-northeast-1" } });
    const seeded = cloud.seedApp({
      app: "canary",
      cluster: "ecs-cluster",
      service: "pipecd-nginx-sample",
      containerName: "web",
      containerPort: 80,
      desiredCount: 2,
      createService: false,
    });
    groups = { blue: seeded.targetGroups.primary.arn, green: seeded.targetGroups.canary.arn };
    serviceRef = { cluster: seeded.clusterName, service: seeded.serviceName };
    dir = mkdtempSync(join(tmpdir(), "kanaria-seed-"));
    mkdirSync(join(dir, "app"));
    const appYaml = readFileSync(join(SEED, "app.pipecd.yaml"), "utf8")
      .replace(/arn:aws:elasticloadbalancing:\S+targetgroup\/blue\/\S+/, groups.blue)
      .replace(/arn:aws:elasticloadbalancing:\S+targetgroup\/green\/\S+/, groups.green)
      .replace(
        / {6}- name: ANALYSIS\n[\s\S]*?(?= {6}- name: ECS_PRIMARY_ROLLOUT)/,
        "      - name: WAIT\n        with:\n          duration: 10m\n",
      );
    expect(appYaml).not.toContain("ANALYSIS");
    writeFileSync(join(dir, "app/app.pipecd.yaml"), appYaml);
    writeFileSync(
      join(dir, "app/servicedef.yaml"),
      readFileSync(join(SEED, "servicedef.yaml"), "utf8").replace(
        /arn:aws:ecs:\S+:cluster\/ecs-cluster/,
        "ecs-cluster",
      ),
    );
    writeFileSync(join(dir, "app/taskdef.yaml"), readFileSync(join(SEED, "taskdef.yaml"), "utf8"));
    writeFileSync(
      join(dir, "kanaria.yaml"),
      `cloudProviders:\n  - name: sandbox\n    type: ECS\n    config:\n      region: ap-northeast-1\n      endpoints:\n        ecs: ${cloud.ecsEndpoint}\n        elbv2: ${cloud.elbv2Endpoint}\napps:\n  - name: canary\n    dir: ./app\n`,
    );
    const loaded = await loadConfig(join(dir, "kanaria.yaml"));
    expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const config = loaded.apps.get("canary");
    if (!config) throw new Error("the seed app did not load");
    app = config;
    const provider = loaded.config?.cloudProviders[0];
    if (!provider) throw new Error("no cloud provider");
    const clients = createAwsClients(provider, {
      credentials: { accessKeyId: "sandbox", secretAccessKey: "sandbox" },
    });
    ports = {
      ecs: new AwsEcs(clients.ecs, clock),
      loadBalancer: new AwsLoadBalancer(clients.elbv2),
      metrics: noMetrics,
    };
  });

  afterEach(async () => {
    await cloud.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function deploy(h: Harness, version: string): Promise<string> {
    const outcome = h.engine.requestDeployment({
      app: "canary",
      version,
      requester: "U_ALICE",
      reason: "seed",
    });
    if (!outcome.ok) throw new Error(outcome.refusal.message);
    return outcome.deployment.id;
  }

  async function world() {
    const service = await ports.ecs.describeService(serviceRef.cluster, serviceRef.service);
    const [rule] = await ports.loadBalancer.findForwardRules([groups.blue, groups.green]);
    return {
      taskSets: (service?.taskSets ?? [])
        .filter((t) => t.status !== "DRAINING")
        .map((t) => `${t.status}:${t.externalId?.split(":")[1]}`),
      weights: rule?.targetGroups.map((g) => g.weight),
    };
  }

  it("runs to SUCCESS: 100% primary, one PRIMARY task set on the new task definition, no canary", async () => {
    let split: Awaited<ReturnType<typeof world>> | undefined;
    const h = harness({
      apps: { canary: app },
      clock,
      ports,
      // What the world looks like as the WAIT (the seed's ANALYSIS) begins: read at that exact point.
      replaceExecutors: hookedExecutors({
        beforeFirstStep: async (ctx) => {
          if (ctx.deployment.version === "1.25-alpine" && ctx.stage.index === 2) split = await world();
        },
      }),
    });
    const v1 = await deploy(h, "1.23-alpine");
    await h.settle(v1);
    expect(h.store.deployments.get(v1)?.status).toBe("SUCCESS");
    const v2 = await deploy(h, "1.25-alpine");
    expect(h.store.stages.list(v2).map((s) => s.kind)).toEqual([
      "ECS_CANARY_ROLLOUT",
      "ECS_TRAFFIC_ROUTING",
      "WAIT",
      "ECS_PRIMARY_ROLLOUT",
      "ECS_TRAFFIC_ROUTING",
      "ECS_CANARY_CLEAN",
      "ROLLBACK",
    ]);
    await h.settle(v2);
    expect(split).toEqual({ taskSets: ["PRIMARY:primary", "ACTIVE:canary"], weights: [80, 20] });
    expect(h.store.deployments.get(v2)?.status).toBe("SUCCESS");
    expect(await world()).toEqual({ taskSets: ["PRIMARY:primary"], weights: [100, 0] });
    const primary = (await ports.ecs.describeService(serviceRef.cluster, serviceRef.service))?.taskSets.find(
      (t) => t.status === "PRIMARY",
    );
    expect(primary?.taskDefinitionArn).toBe(h.store.deployments.get(v2)?.context.taskDefinitionArn);
    await h.engine.stop();
  });

  it.each([0, 1, 2, 3, 4, 5])(
    "rolls back to the old task definition when forced during stage %i",
    async (index) => {
      const h: Harness = harness({
        apps: { canary: app },
        clock,
        ports,
        // Forced the moment the stage starts (its first step runs with the command pending), not when a
        // real-time poll happens to see it running: a one-step stage can start and end between two polls.
        replaceExecutors: hookedExecutors({
          beforeFirstStep: (ctx) => {
            if (ctx.deployment.version !== "1.25-alpine" || ctx.stage.index !== index) return;
            h.engine.submitCommand({ deploymentId: ctx.deployment.id, kind: "ROLLBACK", actor: "U_BOB" });
          },
        }),
      });
      const v1 = await deploy(h, "1.23-alpine");
      await h.settle(v1);
      const oldDefinition = h.store.deployments.get(v1)?.context.taskDefinitionArn;
      const v2 = await deploy(h, "1.25-alpine");
      await h.settle(v2);
      expect(h.store.deployments.get(v2)?.status).toBe("ROLLED_BACK");
      expect(h.store.commands.list(v2).map((c) => `${c.kind}:${c.outcome}`)).toEqual(["ROLLBACK:APPLIED"]);
      expect(h.store.stages.list(v2).filter((s) => s.index > index && s.startedAt !== undefined)).toEqual([
        expect.objectContaining({ kind: "ROLLBACK" }),
      ]);
      const state = await world();
      expect(state.weights).toEqual([100, 0]);
      expect(state.taskSets).toHaveLength(1);
      const primary = (
        await ports.ecs.describeService(serviceRef.cluster, serviceRef.service)
      )?.taskSets.find((t) => t.status === "PRIMARY");
      expect(primary?.taskDefinitionArn).toBe(oldDefinition);
      await h.engine.stop();
    },
  );
});
