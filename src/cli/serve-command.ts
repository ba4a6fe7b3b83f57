/**
 * `kanaria serve`: wires the engine to the real world and drives deployments until SIGINT/SIGTERM.
 * Refuses to start on a config with errors or when another `kanaria serve` holds the database.
 */
import type { LoadResult } from "../config/types.js";
import { KanariaError } from "../domain/kanaria-error.js";
import { Engine } from "../engine/engine.js";
import { createLogger } from "../engine/logger.js";
import { acquireServeLease } from "../engine/serve-lease.js";
import type { StagePorts } from "../engine/stage-executor.js";
import { systemClock } from "../engine/system-clock.js";
import type { Metrics } from "../ports.js";
import { createAwsClients } from "../providers/aws/aws-clients.js";
import { AwsEcs } from "../providers/aws/aws-ecs.js";
import { AwsLoadBalancer } from "../providers/aws/aws-load-balancer.js";
import { LogNotifier } from "../providers/log-notifier.js";
import { defaultExecutors } from "../stages/default-executors.js";
import { openStore } from "../store/store.js";
import type { CliIo } from "./cli-io.js";

/** The ANALYSIS executor (and with it the Datadog provider) is not part of this build yet. */
const noMetricsProvider: Metrics = {
  query: async () => ({
    kind: "error",
    reason: "this build has no metrics provider",
    retryAfterMs: undefined,
  }),
};

export async function serve(loaded: LoadResult, io: CliIo, until: Promise<void>): Promise<number> {
  const { config } = loaded;
  if (!config || loaded.diagnostics.some((d) => d.severity === "error")) {
    io.err("kanaria serve: the configuration has errors; run `kanaria check-config` and fix them first.");
    return 1;
  }
  const logger = createLogger();
  const { store, migration } = openStore(config.store.path);
  if (migration.applied.length > 0) logger.info({ migration }, "database migrated");
  let engine: Engine | undefined;
  let lease: ReturnType<typeof acquireServeLease>;
  try {
    lease = acquireServeLease(store, systemClock, {
      onLost: () => {
        logger.error("the serve lease was taken by another process; stopping");
        void engine?.stop();
      },
    });
  } catch (error) {
    store.close();
    if (error instanceof KanariaError) {
      io.err(`kanaria serve: ${error.message}`);
      return 1;
    }
    throw error;
  }
  const ports = new Map<string, StagePorts>();
  for (const provider of config.cloudProviders) {
    const clients = createAwsClients(provider);
    ports.set(provider.name, {
      ecs: new AwsEcs(clients.ecs, systemClock),
      loadBalancer: new AwsLoadBalancer(clients.elbv2),
      metrics: noMetricsProvider,
    });
  }
  const entries = new Map(config.apps.map((a) => [a.name, a]));
  engine = new Engine({
    store,
    registry: defaultExecutors(),
    portsFor: (app) => {
      const selected = ports.get(entries.get(app)?.cloudProvider ?? "");
      if (!selected) throw new KanariaError("NO_CLOUD_PROVIDER", `no cloud provider for app ${app}`);
      return selected;
    },
    clock: systemClock,
    notifier: new LogNotifier(store, logger.child({ component: "timeline" })),
    logger,
    apps: {
      get: (name) => {
        const app = loaded.apps.get(name);
        const entry = entries.get(name);
        return app && entry
          ? { config: app, access: { approvers: entry.approvers, fourEyes: entry.fourEyes } }
          : undefined;
      },
      names: () => [...loaded.apps.keys()],
    },
  });
  engine.start();
  const active = store.deployments.active().length;
  io.out(
    `kanaria serve: driving ${config.store.path} for ${loaded.apps.size} app(s); ${active} unfinished deployment(s) resumed. ` +
      "The Slack receiver is not part of this build yet, so new deployments cannot be requested here.",
  );
  await until;
  await engine.stop();
  lease.release();
  store.close();
  io.out("kanaria serve: stopped; unfinished deployments will resume at the next start.");
  return 0;
}
