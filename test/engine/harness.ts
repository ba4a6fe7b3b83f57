/** Wires a real engine and store to the in-memory fakes, in virtual time. */
import type { AppConfig } from "../../src/domain/app-config.js";
import type { DeploymentAccess } from "../../src/domain/deployment.js";
import type { FreezeWindow } from "../../src/domain/freeze-window.js";
import type { StageKind } from "../../src/domain/stage-kind.js";
import { Engine } from "../../src/engine/engine.js";
import { ExecutorRegistry } from "../../src/engine/executor-registry.js";
import { silentLogger } from "../../src/engine/logger.js";
import type { RollbackPolicy } from "../../src/engine/rollback-block.js";
import type { StageExecutor, StagePorts } from "../../src/engine/stage-executor.js";
import type { Metrics } from "../../src/ports.js";
import { metricsFromQuery } from "../../src/providers/metrics-from-query.js";
import { type CleanStart, cleanStartEcs } from "../../src/stages/clean-start.js";
import { defaultExecutors } from "../../src/stages/default-executors.js";
import type { Store } from "../../src/store/store.js";
import { openStore } from "../../src/store/store.js";
import { FakeClock } from "../fakes/fake-clock.js";
import { FakeCloud } from "../fakes/fake-cloud.js";
import { RecordingNotifier } from "../fakes/recording-notifier.js";
import { TOY_CLOUD, toyApps } from "../fixtures/toy-app.js";

export const noMetrics: Metrics = metricsFromQuery(async () => ({
  kind: "error",
  reason: "no metrics in this test",
  retryAfterMs: undefined,
}));

export interface Harness {
  engine: Engine;
  store: Store;
  clock: FakeClock;
  cloud: FakeCloud;
  notifier: RecordingNotifier;
  /** Runs virtual time until the deployment's driver stops. */
  settle(deploymentId: string): Promise<void>;
  /** A new engine on the same store, cloud and clock: what a restart after a crash sees. */
  restart(): Promise<Harness>;
}

export interface HarnessOptions {
  apps: Record<string, AppConfig>;
  access?: DeploymentAccess;
  store?: Store;
  clock?: FakeClock;
  cloud?: FakeCloud;
  extraExecutors?: StageExecutor[];
  replaceExecutors?: StageExecutor[];
  omitExecutors?: StageKind[];
  pollIntervalMs?: number;
  /** Real adapters instead of the in-memory cloud. */
  ports?: StagePorts;
  freezes?: FreezeWindow[];
  rollbackPolicy?: RollbackPolicy;
  /** Instead of the real clean start (to set up what it would not see). */
  cleanStart?: CleanStart;
}

export function harness(options: HarnessOptions): Harness {
  const store = options.store ?? openStore(":memory:").store;
  const clock = options.clock ?? new FakeClock();
  const cloud = options.cloud ?? new FakeCloud(TOY_CLOUD);
  const notifier = new RecordingNotifier();
  const registry = new ExecutorRegistry();
  const replaced = new Set([
    ...(options.replaceExecutors ?? []).map((e) => e.kind),
    ...(options.omitExecutors ?? []),
  ]);
  const base = defaultExecutors().all();
  for (const executor of [
    ...base.filter((e) => !replaced.has(e.kind)),
    ...(options.replaceExecutors ?? []),
  ]) {
    registry.register(executor);
  }
  for (const executor of options.extraExecutors ?? []) registry.register(executor);
  const engine = new Engine({
    store,
    registry,
    cleanStart: options.cleanStart ?? cleanStartEcs,
    portsFor: () => options.ports ?? { ecs: cloud, loadBalancer: cloud, metrics: noMetrics },
    clock,
    notifier,
    logger: silentLogger(),
    apps: toyApps(options.apps, options.access),
    freezes: () => options.freezes ?? [],
    pollIntervalMs: options.pollIntervalMs ?? 60_000,
    ...(options.rollbackPolicy ? { rollbackPolicy: options.rollbackPolicy } : {}),
  });
  engine.start();
  const self: Harness = {
    engine,
    store,
    clock,
    cloud,
    notifier,
    settle: (id) => clock.runUntilSettled(engine.settled(id)),
    restart: async () => {
      await engine.stop();
      return harness({ ...options, store, clock, cloud });
    },
  };
  return self;
}

/**
 * Drives a deployment to a final status when real I/O (HTTP to a sandbox or moto) is involved:
 * a little real time for calls in flight, then virtual time for the waits. `when` reacts to the
 * store's state, polled every 2 ms of real time while steps make their calls: use it only for states
 * that last (an analysis running, an approval pending). A stage can start and end between two polls, so
 * to act at an exact point (a rollback forced as a stage starts) use `hookedExecutors` (step-hooks.ts)
 * and `Harness.settle` instead.
 */
export async function driveToEnd(h: Harness, id: string, when?: () => void): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    const status = h.store.deployments.get(id)?.status;
    if (status && ["SUCCESS", "FAILURE", "ROLLED_BACK", "CANCELLED"].includes(status)) return;
    when?.();
    await new Promise((resolve) => setTimeout(resolve, 2));
    await h.clock.advance(2_000);
  }
  throw new Error(`deployment ${id} did not finish`);
}
