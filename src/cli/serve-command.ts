/**
 * `kanaria serve`: the bot — Slack receiver, engine and notifier — against real AWS and Datadog, until
 * SIGINT/SIGTERM. `--sandbox` keeps the real Slack workspace but deploys to the embedded sandbox (a
 * simulated ECS, ALB and Datadog with one app, `web`), so a team can try the bot without touching AWS.
 * Refuses to start on a config with errors, on a missing Slack secret, or when another `kanaria serve`
 * holds the database.
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { SandboxStack } from "../../sandbox/cli/sandbox-stack.js";
import { formatDiagnostic } from "../config/check-config.js";
import { readSecret } from "../config/read-secret.js";
import type {
  CloudWatchProviderConfig,
  DatadogProviderConfig,
  KanariaConfig,
  LoadResult,
  PrometheusProviderConfig,
} from "../config/types.js";
import { KanariaError } from "../domain/kanaria-error.js";
import { createLogger, type Logger } from "../engine/logger.js";
import { acquireServeLease } from "../engine/serve-lease.js";
import type { StagePorts } from "../engine/stage-executor.js";
import { systemClock } from "../engine/system-clock.js";
import type { Metrics } from "../ports.js";
import { createAwsClients } from "../providers/aws/aws-clients.js";
import { AwsEcs } from "../providers/aws/aws-ecs.js";
import { AwsLoadBalancer } from "../providers/aws/aws-load-balancer.js";
import { AlbDimensionResolver } from "../providers/cloudwatch/alb-dimensions.js";
import { createCloudWatchClients } from "../providers/cloudwatch/cloudwatch-clients.js";
import { CloudWatchMetrics } from "../providers/cloudwatch/cloudwatch-metrics.js";
import { DatadogMetrics } from "../providers/datadog/datadog-metrics.js";
import { MetricsRouter } from "../providers/metrics-router.js";
import { PrometheusMetrics } from "../providers/prometheus/prometheus-metrics.js";
import { openStore, type Store } from "../store/store.js";
import { analysisProviders } from "./analysis-providers.js";
import type { CliIo } from "./cli-io.js";
import { compactHeap } from "./compact-heap.js";
import { type Bot, startBot } from "./start-bot.js";

export interface ServeOptions {
  /** Deploy to the embedded sandbox instead of AWS; Slack stays real. */
  sandbox?: { channel: string };
}

interface SlackSecrets {
  botToken: string;
  signingSecret: string;
  appToken?: string;
}

export async function serve(
  loaded: LoadResult,
  io: CliIo,
  until: Promise<void>,
  options: ServeOptions = {},
): Promise<number> {
  const { config } = loaded;
  const errors = loaded.diagnostics.filter((d) => d.severity === "error");
  if (!config || errors.length > 0) {
    io.err("kanaria serve: the configuration has errors; run `kanaria check-config` and fix them first.");
    for (const d of errors.slice(0, 5)) io.err(`  ${formatDiagnostic(d, io.cwd)}`);
    return 1;
  }
  const logger = createLogger();
  const heap = compactHeap();
  let secrets: SlackSecrets;
  try {
    secrets = await slackSecrets(config);
  } catch (error) {
    if (error instanceof KanariaError) {
      io.err(`kanaria serve: ${error.message}`);
      return 1;
    }
    throw error;
  }

  let sandbox: SandboxStack | undefined;
  let world: { config: KanariaConfig; apps: LoadResult["apps"]; portsFor: (app: string) => StagePorts };
  if (options.sandbox) {
    const dir = join(io.cwd, ".kanaria-sandbox");
    // The sandbox world lives in memory, so its database starts afresh with it.
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    // Loaded only for --sandbox: the simulator is not part of the product's core (sandbox/).
    const { startSandboxStack } = await import("../../sandbox/cli/sandbox-stack.js");
    sandbox = await startSandboxStack({
      clock: systemClock,
      dir,
      channel: options.sandbox.channel,
      deployers: [],
      approvers: [],
      fourEyes: false,
    });
    if (!sandbox.loaded.config) throw new Error("the sandbox config does not load");
    world = {
      config: { ...sandbox.loaded.config, slack: config.slack },
      apps: sandbox.loaded.apps,
      portsFor: sandbox.portsFor,
    };
  } else {
    try {
      world = { config, apps: loaded.apps, portsFor: await awsPorts(config, logger) };
    } catch (error) {
      if (error instanceof KanariaError) {
        io.err(`kanaria serve: ${error.message}`);
        return 1;
      }
      throw error;
    }
  }

  const { store, migration } = openStore(world.config.store.path);
  if (migration.applied.length > 0) logger.info({ migration }, "database migrated");
  let bot: Bot | undefined;
  // A bot whose Slack receiver gave up cannot be reached; exit non-zero so an orchestrator replaces it.
  let receiverLost: (error: Error) => void = () => {};
  const lost = new Promise<Error>((resolve) => {
    receiverLost = resolve;
  });
  let lease: ReturnType<typeof acquireServeLease>;
  try {
    lease = acquireServeLease(store, systemClock, {
      onLost: () => {
        logger.error("the serve lease was taken by another process; stopping");
        void bot?.engine.stop();
      },
    });
  } catch (error) {
    store.close();
    await sandbox?.close();
    if (error instanceof KanariaError) {
      io.err(`kanaria serve: ${error.message}`);
      return 1;
    }
    throw error;
  }
  try {
    bot = await startBot(
      {
        config: world.config,
        apps: world.apps,
        store,
        clock: systemClock,
        logger,
        portsFor: world.portsFor,
        slack: {
          ...secrets,
          ...(world.config.slack.apiUrl ? { apiUrl: world.config.slack.apiUrl } : {}),
        },
        onReceiverFailure: (error) => receiverLost(error),
      },
      world.config.slack.port,
    );
  } catch (error) {
    await shutdown(store, lease, sandbox);
    io.err(`kanaria serve: could not start the Slack app: ${(error as Error).message}`);
    return 1;
  }
  const active = store.deployments.activeIds().length;
  const receiver = secrets.appToken
    ? "Socket Mode"
    : `http://0.0.0.0:${bot.port}/slack/events (health: /healthz)`;
  io.out(
    `kanaria serve: ${world.apps.size} app(s)${options.sandbox ? " on the embedded sandbox" : ""}; Slack on ${receiver}; ` +
      `${active} unfinished deployment(s) resumed. Stop with Ctrl-C.`,
  );
  io.out(
    heap === "applied"
      ? "kanaria serve: V8 heap kept compact (--optimize-for-size); start node with --no-optimize-for-size for V8's default."
      : "kanaria serve: V8 heap policy as the node command line chose.",
  );
  const failure = await Promise.race([until.then(() => undefined), lost]);
  await bot.stop();
  await shutdown(store, lease, sandbox);
  if (failure) {
    io.err(
      `kanaria serve: the Slack receiver failed (${failure.message}); stopped so that it can be restarted. ` +
        "Unfinished deployments will resume at the next start.",
    );
    return 1;
  }
  io.out("kanaria serve: stopped; unfinished deployments will resume at the next start.");
  return 0;
}

async function shutdown(
  store: Store,
  lease: ReturnType<typeof acquireServeLease>,
  sandbox: SandboxStack | undefined,
): Promise<void> {
  lease.release();
  store.close();
  await sandbox?.close();
}

/** The Slack secrets `serve` needs: a bot token, and a signing secret (HTTP) or an app token (Socket Mode). */
async function slackSecrets(config: KanariaConfig): Promise<SlackSecrets> {
  const { botToken, signingSecret, appToken } = config.slack;
  if (!botToken) {
    throw new KanariaError(
      "SLACK_NOT_CONFIGURED",
      "kanaria.yaml has no slack.botToken (e.g. `botToken: {env: SLACK_BOT_TOKEN}`); see the README's Slack section",
    );
  }
  if (!appToken && !signingSecret) {
    throw new KanariaError(
      "SLACK_NOT_CONFIGURED",
      "kanaria.yaml needs slack.signingSecret for the HTTP receiver, or slack.appToken for Socket Mode",
    );
  }
  return {
    botToken: await readSecret(botToken),
    // Socket Mode does not sign requests; Bolt still wants a value, which is never checked then.
    signingSecret: signingSecret ? await readSecret(signingSecret) : "socket-mode",
    ...(appToken ? { appToken: await readSecret(appToken) } : {}),
  };
}

/** Per cloud provider, the AWS ports; every app's metrics go through one router over the Datadog providers. */
async function awsPorts(config: KanariaConfig, logger: Logger): Promise<(app: string) => StagePorts> {
  const metrics = new MetricsRouter(await analysisProviders(config, logger));
  const ports = new Map<string, StagePorts>();
  for (const provider of config.cloudProviders) {
    const clients = createAwsClients(provider);
    ports.set(provider.name, {
      ecs: new AwsEcs(clients.ecs, systemClock),
      loadBalancer: new AwsLoadBalancer(clients.elbv2),
      metrics,
    });
  }
  const entries = new Map(config.apps.map((a) => [a.name, a]));
  return (app) => {
    const selected = ports.get(entries.get(app)?.cloudProvider ?? "");
    if (!selected) throw new KanariaError("NO_CLOUD_PROVIDER", `no cloud provider for app ${app}`);
    return selected;
  };
}
