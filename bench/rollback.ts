/**
 * Benchmark, not a test (timings never go in assertions, DESIGN §9): how fast a rollback takes traffic
 * away from a canary. The real engine, executors and AWS SDK clients run against the sandbox cloud with
 * API latency injected (50–150 ms per call, real time). Each run deploys a new version through the
 * canary pipeline until it waits with 20% on the canary, then submits a ROLLBACK command and measures,
 * with `performance.now()`:
 *   - decision → canary weight 0 on the listener (DESIGN §10: one ELBv2 call, < 1 s plus AWS latency);
 *   - decision → ROLLED_BACK (one PRIMARY task set on the old task definition, no canary task set).
 * Task start, health and drain delays pass on a virtual clock; only the HTTP round trips take real time.
 * Latency is injected only from the decision on, so the set-up of each run stays fast.
 *
 *   npm run bench:rollback [-- runs]
 */
import { performance } from "node:perf_hooks";
import { setTimeout as realSleep } from "node:timers/promises";
import { startSandboxCloud } from "../sandbox/start-sandbox-cloud.js";
import { VirtualClock } from "../sandbox/virtual-clock.js";
import type { AppConfig } from "../src/domain/app-config.js";
import { Engine } from "../src/engine/engine.js";
import { silentLogger } from "../src/engine/logger.js";
import type { StagePorts } from "../src/engine/stage-executor.js";
import type { Metrics } from "../src/ports.js";
import { createAwsClients } from "../src/providers/aws/aws-clients.js";
import { AwsEcs } from "../src/providers/aws/aws-ecs.js";
import { AwsLoadBalancer } from "../src/providers/aws/aws-load-balancer.js";
import { metricsFromQuery } from "../src/providers/metrics-from-query.js";
import { cleanStartEcs } from "../src/stages/clean-start.js";
import { defaultExecutors } from "../src/stages/default-executors.js";
import { openStore } from "../src/store/store.js";
import { refusalText } from "../src/views/refusal-text.js";
import { canaryPipeline, toyAppConfig, toyApps } from "../test/fixtures/toy-app.js";

const RUNS = Math.max(1, Number(process.argv[2] ?? 50));
const API_LATENCY = { min: 50, max: 150 };
const APP = "web";
const FINAL = ["SUCCESS", "FAILURE", "ROLLED_BACK", "CANCELLED"];

const noMetrics: Metrics = metricsFromQuery(async () => ({
  kind: "error",
  reason: "no metrics in this benchmark",
  retryAfterMs: undefined,
}));

const clock = new VirtualClock();
const cloud = await startSandboxCloud({
  clock,
  config: {
    tasks: { startDelayMs: 1000, healthCheckDelayMs: 1000, drainDelayMs: 1000 },
    apiLatencyMs: { min: 0, max: 0 },
  },
});
const seeded = cloud.seedApp({ app: APP, desiredCount: 2, createService: false });
const blue = seeded.targetGroups.primary.arn;
const green = seeded.targetGroups.canary.arn;

const serviceDefinition = {
  cluster: seeded.clusterName,
  serviceName: seeded.serviceName,
  desiredCount: 2,
  deploymentController: { type: "EXTERNAL" },
  launchType: "FARGATE",
  networkConfiguration: {
    awsvpcConfiguration: {
      subnets: ["subnet-a", "subnet-b"],
      securityGroups: [],
      assignPublicIp: "DISABLED",
    },
  },
};
const app: AppConfig = toyAppConfig({
  name: APP,
  input: {
    serviceDefinitionFile: "servicedef.yaml",
    taskDefinitionFile: "taskdef.yaml",
    targetGroups: {
      primary: {
        targetGroupArn: blue,
        containerName: seeded.containerName,
        containerPort: seeded.containerPort,
      },
      canary: {
        targetGroupArn: green,
        containerName: seeded.containerName,
        containerPort: seeded.containerPort,
      },
    },
    accessType: "ELB",
  },
  serviceDefinition,
  taskDefinition: {
    family: APP,
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    cpu: "256",
    memory: "512",
    containerDefinitions: [
      {
        name: seeded.containerName,
        image: `sandbox.local/${APP}:{{ .Version }}`,
        essential: true,
        portMappings: [{ containerPort: seeded.containerPort }],
      },
    ],
  },
  pipeline: canaryPipeline({ waitMs: 3_600_000, approvalTimeoutMs: 3_600_000 }),
});

const clients = createAwsClients(
  {
    name: "sandbox",
    type: "ECS",
    region: cloud.region,
    endpoints: { ecs: cloud.ecsEndpoint, elbv2: cloud.elbv2Endpoint },
  },
  { credentials: { accessKeyId: "sandbox", secretAccessKey: "sandbox" } },
);
const ports: StagePorts = {
  ecs: new AwsEcs(clients.ecs, clock),
  loadBalancer: new AwsLoadBalancer(clients.elbv2),
  metrics: noMetrics,
};
const { store } = openStore(":memory:");
const engine = new Engine({
  store,
  registry: defaultExecutors(),
  portsFor: () => ports,
  clock,
  notifier: { publish: () => undefined, notice: () => undefined },
  cleanStart: cleanStartEcs,
  logger: silentLogger(),
  apps: toyApps({ [APP]: app }),
  pollIntervalMs: 20,
});
engine.start();

/** The canary's weight in the listener's default forward action, read from the sandbox world. */
function canaryWeight(): number | undefined {
  const listener = cloud.world.elb.listeners.get(seeded.listenerArn);
  for (const action of listener?.defaultActions ?? []) {
    if (action.type !== "forward") continue;
    const group = action.targetGroups.find((g) => g.targetGroupArn === green);
    if (group) return group.weight;
  }
  return undefined;
}

const status = (id: string): string | undefined => store.deployments.get(id)?.status;

/** Real time for calls in flight, virtual time for the waits, until `done` holds. */
async function driveUntil(done: () => boolean, what: string, stepMs = 500): Promise<void> {
  for (let i = 0; i < 200_000; i++) {
    if (done()) return;
    await realSleep(0);
    await clock.advance(stepMs);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function deploy(version: string): string {
  const outcome = engine.requestDeployment({ app: APP, version, requester: "bench", reason: "bench" });
  if (!outcome.ok) throw new Error(refusalText(outcome.refusal));
  return outcome.deployment.id;
}

// The first deployment is a quick sync; it gives the later ones a primary to canary against.
const first = deploy("1.0.0");
await driveUntil(() => FINAL.includes(status(first) ?? ""), "the first deployment", 2_000);
if (status(first) !== "SUCCESS") throw new Error(`first deployment ended ${status(first)}`);
const oldDefinition = store.deployments.get(first)?.context.taskDefinitionArn;

const toZero: number[] = [];
const toComplete: number[] = [];
const elbCallsToZero: number[] = [];
const callsToZero: number[] = [];
const problems: string[] = [];

for (let run = 0; run < RUNS; run++) {
  cloud.faults.setApiLatency({ min: 0, max: 0 });
  const id = deploy(`1.1.${run}`);
  await driveUntil(
    () => store.stages.get(id, 2)?.status === "RUNNING" && canaryWeight() === 20,
    `run ${run} to wait with 20% canary`,
    2_000,
  );
  if (store.stages.get(id, 2)?.kind !== "WAIT") throw new Error("stage 2 is not the WAIT stage");

  cloud.faults.setApiLatency(API_LATENCY);
  const firstCall = cloud.calls.list().length;
  const start = performance.now();
  const submitted = engine.submitCommand({ deploymentId: id, kind: "ROLLBACK", actor: "bench" });
  if (!submitted.ok) throw new Error(refusalText(submitted.refusal));
  let zeroAt: number | undefined;
  await driveUntil(
    () => {
      if (zeroAt === undefined && canaryWeight() === 0) {
        zeroAt = performance.now() - start;
        const window = cloud.calls.list().slice(firstCall);
        callsToZero.push(window.length);
        elbCallsToZero.push(window.filter((c) => c.service === "elbv2").length);
      }
      return FINAL.includes(status(id) ?? "");
    },
    `run ${run} to roll back`,
    250,
  );
  const completeAt = performance.now() - start;
  if (zeroAt === undefined) throw new Error(`run ${run}: canary weight never reached 0`);
  toZero.push(zeroAt);
  toComplete.push(completeAt);

  // Outside the timing: is it really complete?
  cloud.faults.setApiLatency({ min: 0, max: 0 });
  const service = await ports.ecs.describeService(seeded.clusterName, seeded.serviceName);
  const live = (service?.taskSets ?? []).filter((t) => t.status !== "DRAINING");
  const primary = live.filter((t) => t.status === "PRIMARY");
  if (status(id) !== "ROLLED_BACK") problems.push(`run ${run}: ended ${status(id)}`);
  if (live.length !== 1 || primary.length !== 1 || primary[0]?.taskDefinitionArn !== oldDefinition)
    problems.push(
      `run ${run}: task sets ${live.map((t) => `${t.status}:${t.taskDefinitionArn.split("/").pop()}`).join(", ")}`,
    );
  if (canaryWeight() !== 0) problems.push(`run ${run}: canary weight ${canaryWeight()} at the end`);
}

await engine.stop();
clients.ecs.destroy();
clients.elbv2.destroy();
await cloud.close();

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

const ms = (v: number): string => `${v.toFixed(0)} ms`;
const row = (cells: string[]): string =>
  `| ${cells.map((c, i) => (i === 0 ? c.padEnd(48) : c.padStart(9))).join(" | ")} |`;

console.log(
  `Rollback latency on the sandbox cloud, API latency ${API_LATENCY.min}–${API_LATENCY.max} ms per call, ${RUNS} runs`,
);
console.log("(decision = ROLLBACK command submitted while the canary takes 20% in a WAIT stage)\n");
console.log(row(["", "median", "p99", "max"]));
console.log(row(["-".repeat(48), "-".repeat(9), "-".repeat(9), "-".repeat(9)]));
console.log(
  row([
    "decision → canary weight 0",
    ms(percentile(toZero, 50)),
    ms(percentile(toZero, 99)),
    ms(Math.max(...toZero)),
  ]),
);
console.log(
  row([
    "decision → ROLLED_BACK (old primary, no canary)",
    ms(percentile(toComplete, 50)),
    ms(percentile(toComplete, 99)),
    ms(Math.max(...toComplete)),
  ]),
);
const counts = (values: number[]): string => {
  const tally = new Map<number, number>();
  for (const v of values) tally.set(v, (tally.get(v) ?? 0) + 1);
  return [...tally.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([n, k]) => `${n} (${k} runs)`)
    .join(", ");
};
console.log(`\nELBv2 calls between decision and weight 0: ${counts(elbCallsToZero)}`);
console.log(`all API calls between decision and weight 0: ${counts(callsToZero)}`);
console.log("DESIGN §10 target: one ELBv2 call, < 1 s plus AWS latency");
if (problems.length > 0) {
  console.log(`\n${problems.length} run(s) did not end as a complete rollback:`);
  for (const p of problems) console.log(`  ${p}`);
  process.exitCode = 1;
} else {
  console.log(`all ${RUNS} runs ended ROLLED_BACK with one PRIMARY task set on the old task definition`);
}
