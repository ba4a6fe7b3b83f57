/**
 * The process the crash tests kill. It drives a small app through two deployments on a real SQLite file
 * and a FakeCloud whose effects are journaled to a file: v1 (quick sync), then v2 (canary pipeline).
 * It exits 0 once v2 has a final status. Killed at any moment and started again, it must converge.
 *
 * argv: <database> <effects log> <scenario JSON>
 */

import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { KanariaError } from "../../src/domain/kanaria-error.js";
import { isTerminalDeploymentStatus } from "../../src/domain/status.js";
import { Engine } from "../../src/engine/engine.js";
import { silentLogger } from "../../src/engine/logger.js";
import { acquireServeLease } from "../../src/engine/serve-lease.js";
import { systemClock } from "../../src/engine/system-clock.js";
import type { LoadBalancer } from "../../src/ports.js";
import { createAwsClients } from "../../src/providers/aws/aws-clients.js";
import { AwsEcs } from "../../src/providers/aws/aws-ecs.js";
import { AwsLoadBalancer } from "../../src/providers/aws/aws-load-balancer.js";
import { metricsFromQuery } from "../../src/providers/metrics-from-query.js";
import { cleanStartEcs } from "../../src/stages/clean-start.js";
import { defaultExecutors } from "../../src/stages/default-executors.js";
import { openStore } from "../../src/store/store.js";
import { FakeCloud } from "../fakes/fake-cloud.js";
import { canaryPipeline, TOY_CLOUD, toyAppConfig, toyApps } from "../fixtures/toy-app.js";
import type { CrashScenario } from "./crash-scenario.js";

const [dbPath, logPath, scenarioJson] = process.argv.slice(2);
if (!dbPath || !logPath || !scenarioJson) throw new Error("usage: crash-child <db> <effects log> <scenario>");
const scenario = JSON.parse(scenarioJson) as CrashScenario;

const { store } = openStore(dbPath);
acquireServeLease(store, systemClock, { onLost: () => process.exit(5), heartbeatMs: 200, ttlMs: 1000 });

// Each cloud call takes a little time, so that kills land in the middle of stages too.
const cloud = new FakeCloud({ ...TOY_CLOUD, logFile: logPath });
const slow = <T extends object>(target: T): T =>
  new Proxy(target, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver) as unknown;
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        await systemClock.sleep(Math.floor(Math.random() * scenario.opDelayMs));
        return (value as (...a: unknown[]) => unknown).apply(obj, args);
      };
    },
  });
const aws =
  scenario.aws &&
  createAwsClients(
    {
      name: "sandbox",
      type: "ECS",
      region: scenario.aws.region,
      endpoints: { ecs: scenario.aws.ecs, elbv2: scenario.aws.elbv2 },
    },
    { credentials: { accessKeyId: "sandbox", secretAccessKey: "sandbox" } },
  );
const fakeLoadBalancer = slow(cloud);
const outageFile = join(dirname(dbPath), "alb-outage");
/** During the test's outage, a rollback's move back to the primary fails as a 503 would. */
const blockable: LoadBalancer = {
  findForwardRules: (groups) => fakeLoadBalancer.findForwardRules(groups),
  describeTargetHealth: () => fakeLoadBalancer.describeTargetHealth(),
  setWeights: async (rule, weights) => {
    if (scenario.blockRollback && existsSync(outageFile) && find("v2")?.status === "ROLLING_BACK") {
      throw new KanariaError(
        "AWS_ServiceUnavailable",
        "ModifyListener failed: ServiceUnavailable (test outage)",
        {
          transient: true,
        },
      );
    }
    return fakeLoadBalancer.setWeights(rule, weights);
  },
};
const ports = {
  ecs: aws ? new AwsEcs(aws.ecs, systemClock) : slow(cloud),
  loadBalancer: aws ? new AwsLoadBalancer(aws.elbv2) : blockable,
  metrics: metricsFromQuery(async () => ({ kind: "no-data" })),
};

const registry = defaultExecutors();
const pipeline = canaryPipeline({ waitMs: scenario.waitMs, approvalTimeoutMs: scenario.approvalTimeoutMs });
const engine = new Engine({
  store,
  registry,
  portsFor: () => ports,
  clock: systemClock,
  notifier: { publish: () => undefined, notice: () => undefined },
  cleanStart: cleanStartEcs,
  logger: silentLogger(),
  apps: toyApps({ web: { ...(scenario.aws?.app ?? toyAppConfig()), pipeline } }),
  pollIntervalMs: 20,
  maxStepErrors: 5,
  rollbackPolicy: { retryCapMs: 100, escalateAfterMs: 300, random: Math.random },
});
engine.start();

function find(version: string) {
  return store.deployments.history("web", 10).find((d) => d.version === version);
}

const GHOST = "ghost-0:canary";

/** What a run that ended without cleaning up leaves: a canary nobody owns, traffic at 80/20. Once. */
async function leaveLeftovers(): Promise<void> {
  if (cloud.effects.some((e) => e.op === "createTaskSet" && e.taskSet.externalId === GHOST)) return;
  const [primary] = cloud.listTaskSets();
  if (!primary) return;
  const ecs = slow(cloud);
  await ecs.createTaskSet({
    cluster: TOY_CLOUD.cluster,
    service: TOY_CLOUD.service,
    taskDefinitionArn: primary.taskDefinitionArn,
    targetGroup: { targetGroupArn: TOY_CLOUD.canaryTargetGroupArn, containerName: "web", containerPort: 80 },
    scalePercent: 30,
    externalId: GHOST,
    clientToken: GHOST,
    tags: {},
    extra: {},
  });
  const [rule] = await fakeLoadBalancer.findForwardRules([
    TOY_CLOUD.primaryTargetGroupArn,
    TOY_CLOUD.canaryTargetGroupArn,
  ]);
  if (rule) {
    await fakeLoadBalancer.setWeights(rule, [
      { targetGroupArn: TOY_CLOUD.primaryTargetGroupArn, weight: 80 },
      { targetGroupArn: TOY_CLOUD.canaryTargetGroupArn, weight: 20 },
    ]);
  }
}

for (;;) {
  const v1 = find("v1");
  if (!v1)
    engine.requestDeployment({ app: "web", version: "v1", requester: "U_ALICE", reason: "crash test" });
  else if (v1.status === "SUCCESS" && !find("v2")) {
    if (scenario.leftovers) await leaveLeftovers();
    engine.requestDeployment({ app: "web", version: "v2", requester: "U_ALICE", reason: "crash test" });
  }
  const v2 = find("v2");
  if (v2 && isTerminalDeploymentStatus(v2.status)) break;
  if (v1 && isTerminalDeploymentStatus(v1.status) && v1.status !== "SUCCESS") break;
  await systemClock.sleep(10);
}
await engine.stop();
process.exit(0);
