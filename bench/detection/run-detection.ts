/**
 * One run of one `bench:detection` row: a fresh sandbox cloud (100 req/s, every version at 0.2% errors
 * except the canary's, at 2%: a 10× regression), the row's backend, the real engine and executors on a
 * virtual clock; v1 goes live, then the bad version goes through ECS_CANARY_ROLLOUT, ECS_TRAFFIC_ROUTING
 * (20% canary) and the row's ANALYSIS (10 minutes, as in the seed).
 *
 * Onset: the bad version answers 2% errors from its first request, so the regression starts when its
 * traffic does: the first moment the listener gives the canary target group a weight above 0. The run
 * measures onset → the canary's weight back at 0 (a rollback), in virtual time, to the driving step
 * (1 s). It ends there, when the deployment ends or waits for people, or an hour after the onset.
 */
import { setTimeout as realSleep } from "node:timers/promises";
import { SeededRandom } from "../../sandbox/seeded-random.js";
import { startSandboxCloud } from "../../sandbox/start-sandbox-cloud.js";
import { VirtualClock } from "../../sandbox/virtual-clock.js";
import type { StageConfig } from "../../src/domain/app-config.js";
import { Engine } from "../../src/engine/engine.js";
import { silentLogger } from "../../src/engine/logger.js";
import type { StagePorts } from "../../src/engine/stage-executor.js";
import { createAwsClients } from "../../src/providers/aws/aws-clients.js";
import { AwsEcs } from "../../src/providers/aws/aws-ecs.js";
import { AwsLoadBalancer } from "../../src/providers/aws/aws-load-balancer.js";
import { MetricsRouter } from "../../src/providers/metrics-router.js";
import { cleanStartEcs } from "../../src/stages/clean-start.js";
import { defaultExecutors } from "../../src/stages/default-executors.js";
import { openStore } from "../../src/store/store.js";
import { refusalText } from "../../src/views/refusal-text.js";
import { sandboxAppConfig } from "../../test/fixtures/sandbox-app.js";
import { stage, toyApps } from "../../test/fixtures/toy-app.js";
import { InFlight } from "./in-flight.js";
import { type DetectionRow, PROVIDER } from "./rows.js";
import type { DetectionRun } from "./table.js";

export const ONSET_DEFINITION =
  "onset = the first moment the listener gives the canary (answering 2% errors from its first request, 10× the 0.2% of the live version) a weight above 0";

const APP = "web";
const GOOD = "v1";
const BAD = "v2-bad";
const BASE_ERROR_RATE = 0.002;
const MINUTE = 60_000;
const STEP_MS = 1000;
const HORIZON_MS = 60 * MINUTE;
const FINAL = ["SUCCESS", "FAILURE", "ROLLED_BACK", "CANCELLED"];

export async function runDetection(row: DetectionRow, seed: number): Promise<DetectionRun> {
  const random = new SeededRandom(seed);
  const clock = new VirtualClock();
  const cloud = await startSandboxCloud({
    clock,
    config: {
      seed,
      defaultProfile: { errorRate: BASE_ERROR_RATE },
      versions: { [BAD]: { errorRate: 10 * BASE_ERROR_RATE } },
      tasks: { startDelayMs: 20_000, healthCheckDelayMs: 15_000, drainDelayMs: 10_000 },
    },
  });
  const seeded = cloud.seedApp({
    app: APP,
    desiredCount: 2,
    createService: false,
    env: "prd",
    requestsPerSecond: 100,
  });
  const backend = await row.start({
    cloud,
    clock,
    seeded,
    random: random.fork("backend"),
    versions: { primary: GOOD, canary: BAD },
  });
  const pipeline: StageConfig[] = [
    stage("ECS_CANARY_ROLLOUT", { scale: 30 }, 0),
    stage("ECS_TRAFFIC_ROUTING", { primary: 80, canary: 20, baseline: 0 }, 1),
    stage("ANALYSIS", { durationMs: 10 * MINUTE, metrics: [backend.metric], consecutiveErrorLimit: 4 }, 2),
    stage("ECS_PRIMARY_ROLLOUT", {}, 3),
    stage("ECS_TRAFFIC_ROUTING", { primary: 100, canary: 0, baseline: 0 }, 4),
    stage("ECS_CANARY_CLEAN", {}, 5),
  ];
  const app = sandboxAppConfig(seeded, { desiredCount: 2, overrides: { pipeline } });
  const clients = createAwsClients(
    {
      name: "sandbox",
      type: "ECS",
      region: cloud.region,
      endpoints: { ecs: cloud.ecsEndpoint, elbv2: cloud.elbv2Endpoint },
    },
    { credentials: { accessKeyId: "sandbox", secretAccessKey: "sandbox" } },
  );
  const inFlight = new InFlight();
  const ports: StagePorts = {
    ecs: inFlight.track(new AwsEcs(clients.ecs, clock)),
    loadBalancer: inFlight.track(new AwsLoadBalancer(clients.elbv2)),
    metrics: inFlight.track(new MetricsRouter(new Map([[PROVIDER, backend.provider]]))),
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
    pollIntervalMs: STEP_MS,
  });
  engine.start();

  const canaryWeight = (): number => {
    const listener = cloud.world.elb.listeners.get(seeded.listenerArn);
    const forward = listener?.defaultActions.find((a) => a.type === "forward");
    if (forward?.type !== "forward") return 0;
    return forward.targetGroups.find((g) => g.targetGroupArn === seeded.targetGroups.canary.arn)?.weight ?? 0;
  };
  const deploy = (version: string): string => {
    const outcome = engine.requestDeployment({ app: APP, version, requester: "bench", reason: "bench" });
    if (!outcome.ok) throw new Error(refusalText(outcome.refusal));
    return outcome.deployment.id;
  };
  const status = (id: string): string => store.deployments.get(id)?.status ?? "";

  try {
    const first = deploy(GOOD);
    for (let i = 0; i < 10_000 && !FINAL.includes(status(first)); i++) await step(clock, inFlight);
    if (status(first) !== "SUCCESS") throw new Error(`${row.key}: v1 ended ${status(first) || "unfinished"}`);
    // The onset's phase within the minute varies with the seed.
    await clock.advance(Math.floor(random.next() * MINUTE));

    const id = deploy(BAD);
    let onsetAt: number | undefined;
    for (let i = 0; i < 100_000; i++) {
      await step(clock, inFlight);
      const weight = canaryWeight();
      if (onsetAt === undefined && weight > 0) onsetAt = clock.now();
      if (onsetAt !== undefined && weight === 0) {
        const analysis = store.stages.get(id, 2);
        const started = analysis?.startedAt;
        const decided = analysis?.finishedAt;
        return {
          detectedMs: clock.now() - onsetAt,
          outcome: `${status(id)}: ${analysis?.status ?? "?"} ${gist(analysis?.statusReason)}`,
          ...(typeof started === "number" && decided !== undefined
            ? {
                phases: {
                  toAnalysisMs: started - onsetAt,
                  toDecisionMs: decided - started,
                  toZeroMs: clock.now() - decided,
                },
              }
            : {}),
        };
      }
      const now = status(id);
      if (FINAL.includes(now)) {
        return {
          detectedMs: undefined,
          outcome: `${now}: ${store.stages.get(id, 2)?.statusReason?.slice(0, 70) ?? ""}`,
        };
      }
      if (now === "WAITING_APPROVAL") {
        const reason = store.stages.get(id, 2)?.statusReason ?? "";
        return { detectedMs: undefined, outcome: `asks people (${gist(reason)})` };
      }
      if (onsetAt !== undefined && clock.now() - onsetAt > HORIZON_MS) {
        return { detectedMs: undefined, outcome: `still ${now} an hour after the onset` };
      }
    }
    throw new Error(`${row.key}: the run did not end`);
  } finally {
    await engine.stop();
    clients.ecs.destroy();
    clients.elbv2.destroy();
    await backend.close();
    await cloud.close();
  }
}

/** A stage reason without its figures (`metric: why`), so that runs ending alike tally together. */
function gist(reason: string | undefined): string {
  return (reason ?? "").split(":").slice(0, 2).join(":").trim();
}

/**
 * One step of virtual time, once every call in flight has been answered and the engine has had a few
 * turns of the event loop to start the next one (a step's calls follow one another).
 */
async function step(clock: VirtualClock, inFlight: InFlight): Promise<void> {
  for (let quiet = 0; quiet < 3; quiet = inFlight.idle ? quiet + 1 : 0) await realSleep(0);
  await clock.advance(STEP_MS);
}
