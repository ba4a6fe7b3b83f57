/**
 * Benchmark, not a test (DESIGN §9): AWS outages at random moments of canaries that are promoted or
 * rolled back. The real engine, executors and AWS SDK clients run against the sandbox cloud in virtual
 * time; each run deploys a new version through the canary pipeline, with one outage window on ECS and
 * ELBv2 together: a random kind (refused, reset, half-open = hang, 503, throttling), 30 s, 2 min or
 * 10 min long, opening at a random moment of the deployment. At the approval a person promotes (half of
 * the runs) or asks for a rollback (the other half: the release is bad). It prints, against DESIGN §10:
 *
 * - runs that end with traffic 100% on a live primary and no other task set (target 100%);
 * - wrong promotions: a release people rolled back that ended live (target 0);
 * - AWS recovery → 100% primary, for rollbacks the outage blocked while traffic was split (median
 *   < 10 s, max < 60 s), in virtual time;
 * - Slack posts per outage: thread replies the outage caused — a blocked rollback's reply (one per
 *   outage: later ones update it), the escalation that names people, and the stage failure that began
 *   a rollback (its reply and the "rolling back" reply it triggers counted as one) — target ≤ 3.
 *
 *   npm run bench:faults [-- runs [seed]]
 */
import { setTimeout as realSleep } from "node:timers/promises";
import { FAULT_WINDOW_KINDS } from "../sandbox/fault-windows.js";
import { SeededRandom } from "../sandbox/seeded-random.js";
import { startSandboxCloud } from "../sandbox/start-sandbox-cloud.js";
import { VirtualClock } from "../sandbox/virtual-clock.js";
import { Engine } from "../src/engine/engine.js";
import { ExecutorRegistry } from "../src/engine/executor-registry.js";
import { silentLogger } from "../src/engine/logger.js";
import type { StageExecutor, StagePorts } from "../src/engine/stage-executor.js";
import { createAwsClients } from "../src/providers/aws/aws-clients.js";
import { AwsEcs } from "../src/providers/aws/aws-ecs.js";
import { AwsLoadBalancer } from "../src/providers/aws/aws-load-balancer.js";
import { cleanStartEcs } from "../src/stages/clean-start.js";
import { openStore } from "../src/store/store.js";
import { refusalText } from "../src/views/refusal-text.js";
import { noMetrics } from "../test/engine/harness.js";
import { hookedExecutors } from "../test/engine/step-hooks.js";
import { sandboxAppConfig } from "../test/fixtures/sandbox-app.js";
import { canaryPipeline, toyApps } from "../test/fixtures/toy-app.js";
import { percentile } from "./slack/stats.js";

const RUNS = Math.max(1, Number(process.argv[2] ?? 60));
const SEED = Number(process.argv[3] ?? 20261206);
const APP = "web";
const MINUTE = 60_000;
const DURATIONS = [30_000, 2 * MINUTE, 10 * MINUTE];
const FINAL = ["SUCCESS", "FAILURE", "ROLLED_BACK", "CANCELLED"];

const random = new SeededRandom(SEED);
const clock = new VirtualClock();
const cloud = await startSandboxCloud({
  clock,
  config: { seed: SEED, tasks: { startDelayMs: 20_000, healthCheckDelayMs: 15_000, drainDelayMs: 10_000 } },
});
const seeded = cloud.seedApp({ app: APP, desiredCount: 2, createService: false });
const primaryArn = seeded.targetGroups.primary.arn;
const canaryArn = seeded.targetGroups.canary.arn;
const app = sandboxAppConfig(seeded, {
  desiredCount: 2,
  overrides: { pipeline: canaryPipeline({ waitMs: 3 * MINUTE, approvalTimeoutMs: 60 * MINUTE }) },
});

const clients = createAwsClients(
  {
    name: "sandbox",
    type: "ECS",
    region: cloud.region,
    endpoints: { ecs: cloud.ecsEndpoint, elbv2: cloud.elbv2Endpoint },
  },
  {
    credentials: { accessKeyId: "sandbox", secretAccessKey: "sandbox" },
    // A half-open call gives up after 200 ms of real time (10 s on AWS); the engine's retries are measured.
    timeouts: { connectMs: 200, requestMs: 200 },
    retry: { maxAttempts: 2, baseDelayMs: 0, throttlingBaseDelayMs: 0, maxDelayMs: 0 },
  },
);
const ports: StagePorts = {
  ecs: new AwsEcs(clients.ecs, clock),
  loadBalancer: new AwsLoadBalancer(clients.elbv2),
  metrics: noMetrics,
};
const { store } = openStore(":memory:");
const registryOf = (executors: StageExecutor[]): ExecutorRegistry => {
  const registry = new ExecutorRegistry();
  for (const executor of executors) registry.register(executor);
  return registry;
};
/** Per deployment: whether people will promote it or roll it back when asked. */
const decisions = new Map<string, "APPROVE" | "ROLLBACK">();
const engine = new Engine({
  store,
  registry: registryOf(
    hookedExecutors({
      afterStep(ctx, result) {
        const decision = decisions.get(ctx.deployment.id);
        if (!decision || result.type !== "wait" || !result.approval) return;
        if (store.commands.list(ctx.deployment.id).length > 0) return;
        engine.submitCommand({ deploymentId: ctx.deployment.id, kind: decision, actor: "bench" });
      },
    }),
  ),
  portsFor: () => ports,
  clock,
  notifier: { publish: () => undefined, notice: () => undefined },
  cleanStart: cleanStartEcs,
  logger: silentLogger(),
  apps: toyApps({ [APP]: app }),
  pollIntervalMs: 1000,
});
engine.start();

const status = (id: string): string | undefined => store.deployments.get(id)?.status;

/** Real time for calls in flight, virtual time for the waits, until `done` holds. */
async function driveUntil(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400_000; i++) {
    if (done()) return;
    await realSleep(0);
    await clock.advance(250);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function deploy(version: string): string {
  const outcome = engine.requestDeployment({ app: APP, version, requester: "bench", reason: "bench" });
  if (!outcome.ok) throw new Error(refusalText(outcome.refusal));
  return outcome.deployment.id;
}

function weights(): { primary: number; canary: number } | undefined {
  const listener = cloud.world.elb.listeners.get(seeded.listenerArn);
  const forward = listener?.defaultActions.find((a) => a.type === "forward");
  if (forward?.type !== "forward") return undefined;
  const weightOf = (arn: string) => forward.targetGroups.find((g) => g.targetGroupArn === arn)?.weight ?? 0;
  return { primary: weightOf(primaryArn), canary: weightOf(canaryArn) };
}

const first = deploy("1.0.0");
decisions.set(first, "APPROVE");
await driveUntil(() => FINAL.includes(status(first) ?? ""), "the first deployment");
if (status(first) !== "SUCCESS") throw new Error(`first deployment ended ${status(first)}`);

let consistent = 0;
let wrongPromotions = 0;
let goodRolledBack = 0;
const recoveries: number[] = [];
const posts: number[] = [];
const problems: string[] = [];
const byKind = new Map<string, number>();

for (let run = 0; run < RUNS; run++) {
  const decision = random.next() < 0.5 ? "APPROVE" : "ROLLBACK";
  const kind = FAULT_WINDOW_KINDS[random.int(FAULT_WINDOW_KINDS.length)] ?? "503";
  const length = DURATIONS[random.int(DURATIONS.length)] ?? MINUTE;
  const from = clock.now() + Math.floor(random.next() * 6 * MINUTE);
  const until = from + length;
  byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
  const removers = (["ecs", "elbv2"] as const).map((service) =>
    cloud.faults.window({ service, kind, from, until }),
  );

  const id = deploy(`1.1.${run}`);
  decisions.set(id, decision);
  await driveUntil(() => FINAL.includes(status(id) ?? "") && clock.now() >= until, `run ${run}`);
  for (const remove of removers) remove();

  const final = status(id);
  const live = (await ports.ecs.describeService(seeded.clusterName, seeded.serviceName))?.taskSets.filter(
    (t) => t.status !== "DRAINING",
  );
  const split = weights();
  const ok =
    live?.length === 1 && live[0]?.status === "PRIMARY" && split?.primary === 100 && split.canary === 0;
  if (ok) consistent += 1;
  else
    problems.push(
      `run ${run} (${kind} ${length / 1000}s): ${final}, task sets ${live?.map((t) => t.status).join(",")}, weights ${JSON.stringify(split)}`,
    );
  if (decision === "ROLLBACK" && final === "SUCCESS") wrongPromotions += 1;
  if (decision === "APPROVE" && final !== "SUCCESS") goodRolledBack += 1;

  const events = store.events.list(id);
  const blocked = events.filter((e) => e.type === "ROLLBACK_BLOCKED");
  const restored = events.find(
    (e) => e.type === "STAGE_PROGRESS" && e.message === "traffic back to 100% primary",
  );
  if (blocked.length > 0 && restored && restored.at >= until) recoveries.push(restored.at - until);
  const outageKeys = new Set(blocked.map((e) => String(e.data.since)));
  const escalations = events.filter((e) => e.type === "ROLLBACK_ESCALATED").length;
  const failures = events.filter(
    (e) => e.type === "STAGE_FAILED" && e.at >= from && e.at <= until + MINUTE,
  ).length;
  posts.push(outageKeys.size + escalations + failures);
}

await engine.stop();
clients.ecs.destroy();
clients.elbv2.destroy();
await cloud.close();

const seconds = (ms: number): string => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : "n/a");
const verdict = (met: boolean): string => (met ? "met" : "NOT MET");
const row = (cells: string[]): string =>
  `| ${cells.map((c, i) => (i === 0 ? c.padEnd(44) : c.padEnd(i === 1 ? 22 : 18))).join(" | ")} |`;

const medianRecovery = percentile(recoveries, 50);
const maxRecovery = recoveries.length > 0 ? Math.max(...recoveries) : Number.NaN;
const maxPosts = Math.max(...posts);
console.log(
  `AWS outages during canaries on the sandbox cloud: ${RUNS} runs (seed ${SEED}); windows by kind: ${[...byKind].map(([k, n]) => `${k} ${n}`).join(", ")}`,
);
console.log(`(${goodRolledBack} promoted releases were rolled back instead: safe, counted apart)\n`);
console.log(row(["", "measured", "target", ""]));
console.log(row(["-".repeat(44), "-".repeat(22), "-".repeat(18), "-".repeat(18)]));
console.log(
  row(["runs ending 100% primary, no orphan", `${consistent}/${RUNS}`, "100%", verdict(consistent === RUNS)]),
);
console.log(row(["wrong promotions", String(wrongPromotions), "0", verdict(wrongPromotions === 0)]));
console.log(
  row([
    `recovery → 100% primary (${recoveries.length} blocked)`,
    `median ${seconds(medianRecovery)}, max ${seconds(maxRecovery)}`,
    "median < 10 s, max < 60 s",
    verdict(recoveries.length === 0 || (medianRecovery < 10_000 && maxRecovery < 60_000)),
  ]),
);
console.log(
  row([
    "Slack posts per outage",
    `median ${percentile(posts, 50)}, max ${maxPosts}`,
    "≤ 3",
    verdict(maxPosts <= 3),
  ]),
);
for (const problem of problems) console.log(`  ${problem}`);
