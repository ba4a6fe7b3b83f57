/**
 * The fault tier over the wire (DESIGN §10, "AWS outage … at any moment, rollback included"): the real
 * AWS SDK clients, through Kanaria's adapters, against the sandbox cloud — and against moto_server behind
 * the test's fault proxy when it is on PATH (skipped with a notice otherwise) — with an outage window of each
 * kind (refused, reset, hang, 503, throttling) on ECS and ELBv2 opening exactly when a stage of each
 * kind takes its first step and lasting two virtual minutes. Whatever the stage, whatever the outage,
 * once AWS is back the run ends with traffic 100% on a live primary and no other task set.
 *
 * Deterministic by design: the window is opened, and the people's decisions (approve, or ask for the
 * rollback whose stage is under test) are made, by the stage executors themselves on their first
 * step, not by a test polling in real time.
 */
import { afterAll, describe, expect, it } from "vitest";
import { FAULT_WINDOW_KINDS, type FaultWindow, type FaultWindowKind } from "../../sandbox/fault-windows.js";
import { type SandboxCloud, startSandboxCloud } from "../../sandbox/start-sandbox-cloud.js";
import type { StageKind } from "../../src/domain/stage-kind.js";
import type { StagePorts } from "../../src/engine/stage-executor.js";
import { createAwsClients } from "../../src/providers/aws/aws-clients.js";
import { AwsEcs } from "../../src/providers/aws/aws-ecs.js";
import { AwsLoadBalancer } from "../../src/providers/aws/aws-load-balancer.js";
import { refusalText } from "../../src/views/refusal-text.js";
import { harness, noMetrics } from "../engine/harness.js";
import { hookedExecutors } from "../engine/step-hooks.js";
import { FakeClock } from "../fakes/fake-clock.js";
import { setUpAwsWorld } from "../providers/aws/aws-world-setup.js";
import { type FaultProxy, startFaultProxy } from "../providers/aws/fault-proxy.js";
import { type MotoServer, motoAvailable, startMoto } from "../providers/aws/moto-server.js";

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

/** An implementation of ECS + ELBv2 that outage windows can be put on. */
interface Target {
  name: string;
  available: boolean;
  /** The engine's request timeout: short, so a held call ends soon, yet above a normal answer's time. */
  requestTimeoutMs: number;
  /** The stage kinds whose first step opens a window. */
  stages: readonly StageKind[];
  /** A fresh world on `clock`: endpoints for the clients, where to open windows, how many calls they hit. */
  prepare(clock: FakeClock): Promise<{
    ecs: string;
    elbv2: string;
    ec2: string | undefined;
    window(w: FaultWindow): void;
    hits(): number;
  }>;
  shutdown(): Promise<void>;
}

let cloud: SandboxCloud | undefined;
let moto: MotoServer | undefined;
let proxy: FaultProxy | undefined;
const outcomes: string[] = [];
afterAll(() => {
  console.log(`AWS outage windows: ${outcomes.join(", ")}`);
});

const TARGETS: Target[] = [
  {
    name: "the sandbox cloud",
    available: true,
    requestTimeoutMs: 150,
    stages: STAGES,
    async prepare(clock) {
      await cloud?.close();
      const sandbox = await startSandboxCloud({
        clock,
        config: { tasks: { startDelayMs: 20_000, healthCheckDelayMs: 15_000, drainDelayMs: 10_000 } },
      });
      cloud = sandbox;
      return {
        ecs: sandbox.ecsEndpoint,
        elbv2: sandbox.elbv2Endpoint,
        ec2: undefined,
        window: (w) => sandbox.faults.window(w),
        hits: () => sandbox.faults.listWindows().reduce((n, w) => n + w.hits, 0),
      };
    },
    shutdown: async () => {
      await cloud?.close();
    },
  },
  {
    name: "moto_server behind the fault proxy",
    available: motoAvailable(),
    // moto (Python) answers in tens to hundreds of ms on a busy machine.
    requestTimeoutMs: 500,
    // Every window kind where it matters most on a second implementation: while traffic is split, and
    // during the rollback itself (each run costs real seconds on moto).
    stages: ["ECS_TRAFFIC_ROUTING", "ROLLBACK"],
    async prepare(clock) {
      moto ??= await startMoto();
      await moto.reset();
      await proxy?.close();
      const front = await startFaultProxy({ target: moto.endpoint, now: () => clock.now() });
      proxy = front;
      return {
        ecs: front.endpoint,
        elbv2: front.endpoint,
        ec2: moto.endpoint,
        window: (w) => front.windows.add(w),
        hits: () => front.windows.list().reduce((n, w) => n + w.hits, 0),
      };
    },
    shutdown: async () => {
      await proxy?.close();
      await moto?.stop();
    },
  },
];

interface RunEnd {
  status: string | undefined;
  /** Non-draining task sets as `status:task definition`, and the listener's weights. */
  taskSets: string[];
  weights: number[] | undefined;
  /** Calls the window answered with its fault. */
  hits: number;
}

async function runWithOutage(target: Target, kind: StageKind, fault: FaultWindowKind): Promise<RunEnd> {
  const clock = new FakeClock();
  const place = await target.prepare(clock);
  const provider = {
    name: "faults",
    type: "ECS" as const,
    region: "us-east-1",
    endpoints: { ecs: place.ecs, elbv2: place.elbv2 },
  };
  const credentials = { accessKeyId: "test", secretAccessKey: "test" };
  const clients = createAwsClients(provider, {
    credentials,
    // A held (hanging) call gives up after a short real time (10 s on AWS); one retry per call (the
    // engine's own retries are what is tested here, in virtual time).
    timeouts: { connectMs: target.requestTimeoutMs, requestMs: target.requestTimeoutMs },
    retry: { maxAttempts: 2, baseDelayMs: 0, throttlingBaseDelayMs: 0, maxDelayMs: 0 },
  });
  // Set-up and the final look at the world are the test's own calls: default timeouts, no window.
  const inspect = createAwsClients(provider, { credentials });
  const ports: StagePorts = {
    ecs: new AwsEcs(clients.ecs, clock),
    loadBalancer: new AwsLoadBalancer(clients.elbv2),
    metrics: noMetrics,
  };
  // The world is set up before any window opens, and directly on moto (EC2 is not behind the proxy).
  const world = await setUpAwsWorld(inspect, place.ec2 ? { ec2Endpoint: place.ec2 } : {});
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
          place.window({ service, kind: fault, from: clock.now(), until: clock.now() + OUTAGE_MS });
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
    if (!outcome.ok) throw new Error(refusalText(outcome.refusal));
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
  outcomes.push(`${target.name === "the sandbox cloud" ? "" : "moto "}${kind}/${fault}→${final?.status}`);
  // AWS is back (the window has passed); look at the world as it is.
  const service = await new AwsEcs(inspect.ecs, clock).describeService(
    String(world.app.serviceDefinition.cluster),
    "web",
  );
  const [rule] = await new AwsLoadBalancer(inspect.elbv2).findForwardRules([world.blue, world.green]);
  const hits = place.hits();
  await h.engine.stop();
  for (const c of [clients, inspect]) {
    c.ecs.destroy();
    c.elbv2.destroy();
  }
  return {
    status: final?.status,
    taskSets: (service?.taskSets ?? [])
      .filter((t) => t.status !== "DRAINING")
      .map((t) => `${t.status}:${t.taskDefinitionArn.split("/").pop()}`),
    weights: rule?.targetGroups.map((g) => g.weight),
    hits,
  };
}

for (const target of TARGETS) {
  if (!target.available)
    console.warn(`NOTICE: ${target.name} is not available; its AWS outage-window tests are skipped.`);
  describe.skipIf(!target.available)(`AWS outage windows during every stage kind, on ${target.name}`, () => {
    afterAll(async () => {
      await target.shutdown();
    });

    for (const kind of target.stages) {
      it.each(FAULT_WINDOW_KINDS)(
        `${kind} during a %s window ends with all traffic on a live primary and no orphan`,
        async (fault) => {
          const end = await runWithOutage(target, kind, fault);
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
        // Held calls cost real time (the request timeout) at each attempt of a two-minute outage.
        120_000,
      );
    }
  });
}
