/**
 * The fault tier over the wire (DESIGN §10, "AWS outage … at any moment, rollback included"): the real
 * AWS SDK clients, through Kanaria's adapters, against the sandbox cloud, with an outage window of each
 * kind (refused, reset, hang, 503, throttling) on ECS and ELBv2 opening exactly when a stage of each
 * kind takes its first step and lasting two virtual minutes. Whatever the stage, whatever the outage,
 * once AWS is back the run ends with traffic 100% on a live primary and no other task set.
 *
 * Deterministic by design: the window is opened, and the people's decisions (approve, or ask for the
 * rollback whose stage is under test) are made, by the stage executors themselves on their first
 * step, not by a test polling in real time.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StageKind } from "../../src/domain/stage-kind.js";
import type { StagePorts } from "../../src/engine/stage-executor.js";
import { createAwsClients } from "../../src/providers/aws/aws-clients.js";
import { AwsEcs } from "../../src/providers/aws/aws-ecs.js";
import { AwsLoadBalancer } from "../../src/providers/aws/aws-load-balancer.js";
import { FAULT_WINDOW_KINDS, type FaultWindowKind } from "../../src/sandbox/fault-windows.js";
import { type SandboxCloud, startSandboxCloud } from "../../src/sandbox/start-sandbox-cloud.js";
import { harness, noMetrics } from "../engine/harness.js";
import { hookedExecutors } from "../engine/step-hooks.js";
import { FakeClock } from "../fakes/fake-clock.js";
import { setUpAwsWorld } from "../providers/aws/aws-world-setup.js";

const OUTAGE_MS = 2 * 60_000;

/** The stage under test, in a first deployment (ECS_SYNC) or v2's canary pipeline. */
const STAGES: readonly StageKind[] = [
  "ECS_SYNC",
  "ECS_CANARY_ROLLOUT",
  "ECS_TRAFFIC_ROUTING",
  "WAIT",
  "WAIT_APPROVAL",
  "ECS_PRIMARY_ROLLOUT",
  "ECS_CANARY_CLEAN",
  "ROLLBACK",
];

let cloud: SandboxCloud | undefined;
const outcomes: string[] = [];
afterAll(async () => {
  await cloud?.close();
  console.log(`AWS outage windows: ${outcomes.join(", ")}`);
});

interface RunEnd {
  status: string | undefined;
  /** Non-draining task sets as `status:task definition`, and the listener's weights. */
  taskSets: string[];
  weights: number[] | undefined;
  /** Calls the window answered with its fault. */
  hits: number;
}

async function runWithOutage(kind: StageKind, fault: FaultWindowKind): Promise<RunEnd> {
  const clock = new FakeClock();
  await cloud?.close();
  cloud = await startSandboxCloud({
    clock,
    config: { tasks: { startDelayMs: 20_000, healthCheckDelayMs: 15_000, drainDelayMs: 10_000 } },
  });
  const sandbox = cloud;
  const clients = createAwsClients(
    {
      name: "sandbox",
      type: "ECS",
      region: "us-east-1",
      endpoints: { ecs: sandbox.ecsEndpoint, elbv2: sandbox.elbv2Endpoint },
    },
    {
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      // A held (hanging) call gives up after 150 ms of real time, as it would after 10 s on AWS; one
      // retry per call (the engine's own retries are what is tested here, in virtual time).
      timeouts: { connectMs: 150, requestMs: 150 },
      retry: { maxAttempts: 2, baseDelayMs: 0, throttlingBaseDelayMs: 0, maxDelayMs: 0 },
    },
  );
  const ports: StagePorts = {
    ecs: new AwsEcs(clients.ecs, clock),
    loadBalancer: new AwsLoadBalancer(clients.elbv2),
    metrics: noMetrics,
  };
  const world = await setUpAwsWorld(clients);
  const firstDeployment = kind === "ECS_SYNC";
  let opened = false;
  let id = "";
  const ours = (version: string) => version === "v2" || firstDeployment;
  const h = harness({
    apps: { web: world.app },
    clock,
    ports,
    replaceExecutors: hookedExecutors({
      beforeFirstStep(ctx) {
        if (!ours(ctx.deployment.version) || ctx.stage.kind !== kind || opened) return;
        opened = true;
        for (const service of ["ecs", "elbv2"] as const)
          sandbox.faults.window({ service, kind: fault, from: clock.now(), until: clock.now() + OUTAGE_MS });
      },
      // People: v2 is approved when asked, unless the ROLLBACK is under test: then it is asked for.
      afterStep(ctx, result) {
        if (!ours(ctx.deployment.version) || result.type !== "wait" || !result.approval) return;
        if (h.store.commands.list(id).length > 0) return;
        const decision = kind === "ROLLBACK" ? "ROLLBACK" : "APPROVE";
        h.engine.submitCommand({ deploymentId: id, kind: decision, actor: "U_BOB" });
      },
    }),
  });
  const deploy = async (version: string) => {
    const outcome = h.engine.requestDeployment({
      app: "web",
      version,
      requester: "U_ALICE",
      reason: "faults",
    });
    if (!outcome.ok) throw new Error(outcome.refusal.message);
    id = outcome.deployment.id;
    await h.settle(id);
    return h.store.deployments.get(id);
  };
  let final = await deploy("v1");
  if (!firstDeployment) {
    expect(final?.status).toBe("SUCCESS");
    final = await deploy("v2");
  }
  expect(opened, `the ${kind} stage ran`).toBe(true);
  outcomes.push(`${kind}/${fault}→${final?.status}`);
  // AWS is back (the window has passed); look at the world as it is.
  const service = await ports.ecs.describeService(String(world.app.serviceDefinition.cluster), "web");
  const [rule] = await ports.loadBalancer.findForwardRules([world.blue, world.green]);
  const hits = sandbox.faults.listWindows().reduce((n, w) => n + w.hits, 0);
  await h.engine.stop();
  return {
    status: final?.status,
    taskSets: (service?.taskSets ?? [])
      .filter((t) => t.status !== "DRAINING")
      .map((t) => `${t.status}:${t.taskDefinitionArn.split("/").pop()}`),
    weights: rule?.targetGroups.map((g) => g.weight),
    hits,
  };
}

describe("AWS outage windows during every stage kind, over the wire", () => {
  beforeAll(() => {
    expect(FAULT_WINDOW_KINDS).toEqual(["refuse", "reset", "hang", "503", "throttle"]);
  });

  for (const kind of STAGES) {
    it.each(FAULT_WINDOW_KINDS)(
      `${kind} during a %s window ends with all traffic on a live primary and no orphan`,
      async (fault) => {
        const end = await runWithOutage(kind, fault);
        expect(["SUCCESS", "ROLLED_BACK", "CANCELLED"]).toContain(end.status);
        expect(end.weights).toEqual([100, 0]);
        if (kind === "ECS_SYNC") {
          // A first deployment either made v1 live or removed what it created.
          expect(end.taskSets).toEqual(end.status === "SUCCESS" ? ["PRIMARY:web:1"] : []);
        } else {
          // v2 live only if it went all the way; otherwise v1, the primary it started from.
          expect(end.taskSets).toEqual([end.status === "SUCCESS" ? "PRIMARY:web:2" : "PRIMARY:web:1"]);
          if (kind === "ROLLBACK") expect(end.status).toBe("ROLLED_BACK");
        }
        // WAIT and WAIT_APPROVAL make no AWS call while the window is open; every other stage met it.
        if (kind !== "WAIT" && kind !== "WAIT_APPROVAL") expect(end.hits).toBeGreaterThan(0);
      },
    );
  }
});
