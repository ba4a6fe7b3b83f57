/**
 * The AWS adapter's contract, run through the real AWS SDK clients over HTTP against every available
 * implementation of ECS + ELBv2: the sandbox cloud always, and moto_server when it is on PATH (a notice is
 * printed when it is not).
 * The same suite covers the adapter's calls and every stage executor, including the rollback paths.
 */
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { type SandboxCloud, startSandboxCloud } from "../../../sandbox/start-sandbox-cloud.js";
import type { AppConfig } from "../../../src/domain/app-config.js";
import type { StagePorts } from "../../../src/engine/stage-executor.js";
import { createAwsClients } from "../../../src/providers/aws/aws-clients.js";
import { AwsEcs } from "../../../src/providers/aws/aws-ecs.js";
import { AwsLoadBalancer } from "../../../src/providers/aws/aws-load-balancer.js";
import { refusalText } from "../../../src/views/refusal-text.js";
import { type Harness, harness, noMetrics } from "../../engine/harness.js";
import { hookedExecutors, type StepHooks } from "../../engine/step-hooks.js";
import { FakeClock } from "../../fakes/fake-clock.js";
import { type AwsWorld, setUpAwsWorld } from "./aws-world-setup.js";
import { type MotoServer, motoAvailable, startMoto } from "./moto-server.js";

interface Endpoints {
  ecs: string;
  elbv2: string;
  /** For the VPC and subnets an ALB needs; undefined where any ids are accepted. */
  ec2: string | undefined;
}

interface Target {
  name: string;
  available: () => boolean;
  /** A clean world for one test, on the test's clock where the implementation can use one. */
  prepare(clock: FakeClock): Promise<Endpoints>;
  shutdown(): Promise<void>;
}

let moto: MotoServer | undefined;
let sandbox: SandboxCloud | undefined;

const TARGETS: Target[] = [
  {
    name: "the sandbox cloud",
    available: () => true,
    async prepare(clock) {
      await sandbox?.close();
      sandbox = await startSandboxCloud({
        clock,
        config: { tasks: { startDelayMs: 20_000, healthCheckDelayMs: 15_000, drainDelayMs: 10_000 } },
      });
      return { ecs: sandbox.ecsEndpoint, elbv2: sandbox.elbv2Endpoint, ec2: undefined };
    },
    async shutdown() {
      await sandbox?.close();
    },
  },
  {
    name: "moto_server",
    available: motoAvailable,
    async prepare() {
      moto ??= await startMoto();
      await moto.reset();
      return { ecs: moto.endpoint, elbv2: moto.endpoint, ec2: moto.endpoint };
    },
    async shutdown() {
      await moto?.stop();
    },
  },
];

for (const target of TARGETS) {
  const available = target.available();
  if (!available) console.warn(`NOTICE: ${target.name} is not on PATH; its AWS contract tests are skipped.`);

  describe.skipIf(!available)(`AWS adapter contract on ${target.name}`, () => {
    let ports: StagePorts;
    let world: AwsWorld;
    let clock: FakeClock;

    afterAll(async () => {
      await target.shutdown();
    });
    beforeEach(async () => {
      clock = new FakeClock();
      const endpoints = await target.prepare(clock);
      const provider = {
        name: "test",
        type: "ECS" as const,
        region: "us-east-1",
        endpoints: { ecs: endpoints.ecs, elbv2: endpoints.elbv2 },
      };
      const clients = createAwsClients(provider, {
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
        maxAttempts: 3,
      });
      ports = {
        ecs: new AwsEcs(clients.ecs, clock),
        loadBalancer: new AwsLoadBalancer(clients.elbv2),
        metrics: noMetrics,
      };
      world = await setUpAwsWorld(clients, endpoints.ec2 ? { ec2Endpoint: endpoints.ec2 } : {});
    });

    const cluster = () => String(world.app.serviceDefinition.cluster);

    it("creates a task set once per client token, reads it back, and deletes it (not-found after)", async () => {
      const taskDefinitionArn = await ports.ecs.registerTaskDefinition({
        ...world.app.taskDefinition,
        containerDefinitions: [
          { name: "web", image: "nginx:1", memory: 256, portMappings: [{ containerPort: 80 }] },
        ],
      });
      expect(taskDefinitionArn).toMatch(/task-definition\/web:1$/);
      const request = {
        cluster: cluster(),
        service: "web",
        taskDefinitionArn,
        targetGroup: { targetGroupArn: world.green, containerName: "web", containerPort: 80 },
        scalePercent: 30,
        externalId: "d1:canary",
        clientToken: "d1:canary",
        tags: { "kanaria:deployment": "d1" },
        extra: {
          launchType: "FARGATE",
          networkConfiguration: world.app.serviceDefinition.networkConfiguration as Record<string, unknown>,
        },
      };
      const first = await ports.ecs.createTaskSet(request);
      const again = await ports.ecs.createTaskSet(request);
      expect(again.taskSetArn).toBe(first.taskSetArn);
      expect(first).toMatchObject({
        externalId: "d1:canary",
        taskDefinitionArn,
        targetGroupArns: [world.green],
        scalePercent: 30,
      });
      const service = await ports.ecs.describeService(cluster(), "web");
      expect(service?.taskSets.map((t) => t.taskSetArn)).toEqual([first.taskSetArn]);
      await ports.ecs.updatePrimaryTaskSet(cluster(), "web", first.taskSetArn);
      expect((await ports.ecs.describeService(cluster(), "web"))?.taskSets[0]?.status).toBe("PRIMARY");
      expect(await ports.ecs.deleteTaskSet(cluster(), "web", first.taskSetArn)).toBe("deleted");
      expect(await ports.ecs.deleteTaskSet(cluster(), "web", first.taskSetArn)).toBe("not-found");
      expect(await ports.ecs.describeService(cluster(), "missing")).toBeUndefined();
    });

    it("finds the listener's forward action, sets weights in one call and keeps stickiness", async () => {
      const rules = await ports.loadBalancer.findForwardRules([world.green, world.blue]);
      expect(rules).toHaveLength(1);
      const [rule] = rules;
      if (!rule) return;
      expect(rule).toMatchObject({
        listenerArn: world.listenerArn,
        ruleArn: undefined,
        stickiness: { enabled: true, durationSeconds: 300 },
      });
      expect(rule.targetGroups).toEqual([
        { targetGroupArn: world.blue, weight: 100 },
        { targetGroupArn: world.green, weight: 0 },
      ]);
      const stored = await ports.loadBalancer.setWeights(rule, [
        { targetGroupArn: world.blue, weight: 80 },
        { targetGroupArn: world.green, weight: 20 },
      ]);
      expect(stored).toEqual([
        { targetGroupArn: world.blue, weight: 80 },
        { targetGroupArn: world.green, weight: 20 },
      ]);
      const [after] = await ports.loadBalancer.findForwardRules([world.blue, world.green]);
      expect(after?.stickiness).toEqual({ enabled: true, durationSeconds: 300 });
      expect(await ports.loadBalancer.findForwardRules([world.blue])).toEqual([]);
    });

    describe("stage executors through the adapter", () => {
      // Deterministic by construction: runs are driven with `settle`, whose clock stands still while a
      // step's HTTP calls are in flight, and commands are given from step hooks at exact points of the
      // run. Polling the store in real time while steps make their calls would, now and then, miss a
      // stage that starts and ends between two polls (ECS_CANARY_CLEAN is a single step).
      function engineOn(app: AppConfig, hooks?: StepHooks): Harness {
        return harness({
          apps: { web: app },
          clock,
          ports,
          ...(hooks ? { replaceExecutors: hookedExecutors(hooks) } : {}),
        });
      }

      async function deploy(h: Harness, version: string): Promise<string> {
        const outcome = h.engine.requestDeployment({
          app: "web",
          version,
          requester: "U_ALICE",
          reason: "contract",
        });
        if (!outcome.ok) throw new Error(refusalText(outcome.refusal));
        return outcome.deployment.id;
      }

      async function state() {
        const service = await ports.ecs.describeService(cluster(), "web");
        const [rule] = await ports.loadBalancer.findForwardRules([world.blue, world.green]);
        return {
          // A deleted task set drains for a while before it disappears: it is gone, not an orphan.
          taskSets: (service?.taskSets ?? [])
            .filter((t) => t.status !== "DRAINING")
            .map((t) => `${t.status}:${t.taskDefinitionArn.split("/").pop()}`)
            .sort(),
          weights: rule?.targetGroups.map((g) => g.weight),
        };
      }

      /** Approves `version` as soon as its approval stage asks, recording what the world was then. */
      function approveWhenAsked(
        get: () => Harness,
        version: string,
        seen: Array<Awaited<ReturnType<typeof state>>>,
      ): NonNullable<StepHooks["afterStep"]> {
        return async (ctx, result) => {
          if (ctx.deployment.version !== version || result.type !== "wait" || !result.approval) return;
          const h = get();
          if (h.store.commands.list(ctx.deployment.id).some((c) => c.kind === "APPROVE")) return;
          seen.push(await state());
          h.engine.submitCommand({ deploymentId: ctx.deployment.id, kind: "APPROVE", actor: "U_BOB" });
        };
      }

      /** What the commands given to a deployment came to, e.g. ["ROLLBACK:APPLIED"]. */
      const commandOutcomes = (h: Harness, id: string) =>
        h.store.commands.list(id).map((c) => `${c.kind}:${c.outcome ?? "PENDING"}`);

      it("quick-syncs v1, then canaries v2 to success: one primary on v2, weights 100/0", async () => {
        const atApproval: Array<Awaited<ReturnType<typeof state>>> = [];
        const h: Harness = engineOn(world.app, { afterStep: approveWhenAsked(() => h, "v2", atApproval) });
        const v1 = await deploy(h, "v1");
        await h.settle(v1);
        expect(h.store.deployments.get(v1)?.status).toBe("SUCCESS");
        expect(await state()).toEqual({ taskSets: ["PRIMARY:web:1"], weights: [100, 0] });

        const v2 = await deploy(h, "v2");
        await h.settle(v2);
        // People were asked while the canary took its share of the traffic beside the primary.
        expect(atApproval).toEqual([{ taskSets: ["ACTIVE:web:2", "PRIMARY:web:1"], weights: [80, 20] }]);
        expect(h.store.events.list(v2).map((e) => e.type)).toContain("DEPLOYMENT_WAITING_APPROVAL");
        expect(commandOutcomes(h, v2)).toEqual(["APPROVE:APPLIED"]);
        expect(h.store.deployments.get(v2)?.status).toBe("SUCCESS");
        expect(await state()).toEqual({ taskSets: ["PRIMARY:web:2"], weights: [100, 0] });
        await h.engine.stop();
      });

      // A rollback forced while each stage of the pipeline runs ends where it started.
      const pipelineStages = [
        "ECS_CANARY_ROLLOUT",
        "ECS_TRAFFIC_ROUTING",
        "WAIT",
        "WAIT_APPROVAL",
        "ECS_PRIMARY_ROLLOUT",
        "ECS_TRAFFIC_ROUTING",
        "ECS_CANARY_CLEAN",
      ];
      it.each(pipelineStages.map((kind, index) => [index, kind] as const))(
        "rolls back to v1 when asked after stage %i (%s) started",
        async (index, kind) => {
          const h: Harness = engineOn(world.app, {
            // Asked the moment the stage starts: its first step runs with the command pending (the runner
            // applies commands between steps), so the rollback also undoes what that step changed.
            beforeFirstStep: (ctx) => {
              if (ctx.deployment.version !== "v2" || ctx.stage.index !== index) return;
              h.engine.submitCommand({ deploymentId: ctx.deployment.id, kind: "ROLLBACK", actor: "U_BOB" });
            },
            ...(index > 3 ? { afterStep: approveWhenAsked(() => h, "v2", []) } : {}),
          });
          const v1 = await deploy(h, "v1");
          await h.settle(v1);
          const v2 = await deploy(h, "v2");
          await h.settle(v2);
          const final = h.store.deployments.get(v2);
          expect(final?.status, final?.statusReason).toBe("ROLLED_BACK");
          expect(commandOutcomes(h, v2)).toEqual([
            ...(index > 3 ? ["APPROVE:APPLIED"] : []),
            "ROLLBACK:APPLIED",
          ]);
          // The rollback came while the asked-for stage ran: it had started, no later stage did.
          const stages = h.store.stages.list(v2);
          expect(stages[index]?.kind).toBe(kind);
          expect(stages[index]?.startedAt).toBeDefined();
          expect(
            stages.filter((s) => s.index > index && s.kind !== "ROLLBACK" && s.startedAt !== undefined),
          ).toEqual([]);
          expect(stages.find((s) => s.kind === "ROLLBACK")?.status).toBe("SUCCESS");
          expect(await state()).toEqual({ taskSets: ["PRIMARY:web:1"], weights: [100, 0] });
          await h.engine.stop();
        },
      );

      it("rolls back a first deployment by removing what it created", async () => {
        const h: Harness = engineOn(world.app, {
          beforeFirstStep: (ctx) => {
            if (ctx.stage.index !== 0) return;
            h.engine.submitCommand({ deploymentId: ctx.deployment.id, kind: "ROLLBACK", actor: "U_BOB" });
          },
        });
        const v1 = await deploy(h, "v1");
        await h.settle(v1);
        expect(h.store.stages.get(v1, 0)?.kind).toBe("ECS_SYNC");
        expect(commandOutcomes(h, v1)).toEqual(["ROLLBACK:APPLIED"]);
        expect(h.store.deployments.get(v1)?.status).toBe("ROLLED_BACK");
        expect((await state()).taskSets).toEqual([]);
        await h.engine.stop();
      });

      it("fails routing with how to wire the listener when no rule forwards to the app's groups", async () => {
        const h = engineOn(world.app);
        const v1 = await deploy(h, "v1");
        await h.settle(v1);
        const [rule] = await ports.loadBalancer.findForwardRules([world.blue, world.green]);
        if (!rule) throw new Error("no rule");
        // Rewire the listener to forward to blue only: Kanaria can no longer split traffic.
        await ports.loadBalancer.setWeights(
          {
            ...rule,
            actions: [
              {
                Type: "forward",
                ForwardConfig: { TargetGroups: [{ TargetGroupArn: world.blue, Weight: 1 }] },
              },
            ],
          },
          [{ targetGroupArn: world.blue, weight: 1 }],
        );
        const v2 = await deploy(h, "v2");
        await h.settle(v2);
        // Caught before anything is created: the canary rollout checks the wiring first.
        const canary = h.store.stages.get(v2, 0);
        expect(canary?.status).toBe("FAILURE");
        expect(canary?.statusReason).toMatch(
          /no listener rule forwards to exactly this app's target groups \(web-blue, web-green\)/,
        );
        expect(h.store.deployments.get(v2)?.status).toBe("ROLLED_BACK");
        await h.engine.stop();
      });
    });
  });
}
