/**
 * Kanaria as one running bot: the engine driving deployments, the Slack app receiving commands and
 * clicks, and the Slack notifier reporting every transition into its thread. `serve`, `serve --sandbox`,
 * the demo and the end-to-end tests all start it here; they differ only in the ports (real AWS and
 * Datadog, or the sandbox's), the clock and the Slack endpoint they pass in.
 */

import { startChartThread } from "../charts/chart-thread.js";
import type { KanariaConfig } from "../config/types.js";
import type { AppConfig } from "../domain/app-config.js";
import { Engine } from "../engine/engine.js";
import type { Logger } from "../engine/logger.js";
import type { StagePorts } from "../engine/stage-executor.js";
import type { CallObserver } from "../metrics/call-observer.js";
import type { Clock } from "../ports.js";
import { chartRenderer } from "../slack/chart-renderer.js";
import { createSlackApp, type SlackApp } from "../slack/slack-app.js";
import { SlackNotifier } from "../slack/slack-notifier.js";
import { UserGroupDirectory } from "../slack/user-group-directory.js";
import { cleanStartEcs } from "../stages/clean-start.js";
import { defaultExecutors } from "../stages/default-executors.js";
import type { Store } from "../store/store.js";

export interface BotOptions {
  config: KanariaConfig;
  apps: ReadonlyMap<string, AppConfig>;
  store: Store;
  clock: Clock;
  logger: Logger;
  portsFor: (app: string) => StagePorts;
  slack: { botToken: string; signingSecret: string; appToken?: string; apiUrl?: string };
  /** Charts in analysis replies (default on). */
  charts?: boolean;
  pollIntervalMs?: number;
  /**
   * Called when the HTTP receiver gave up after its thread died (see AckThreadReceiver): the bot then
   * receives nothing from Slack any more, and the caller must stop it rather than run on half alive.
   */
  onReceiverFailure?: (error: Error) => void;
  /** Counts and times the Slack Web API calls (`serve`'s /metrics). */
  callObserver?: CallObserver;
}

export interface Bot {
  engine: Engine;
  slack: SlackApp;
  notifier: SlackNotifier;
  /** The HTTP port Slack requests are received on (0 in Socket Mode). */
  port: number;
  /** Waits until every queued Slack message is sent (the demo and tests use it). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startBot(options: BotOptions, port: number): Promise<Bot> {
  const { config, store, clock, logger } = options;
  const entries = new Map(config.apps.map((a) => [a.name, a]));
  let workspaceUrl: string | undefined;
  let engine: Engine | undefined;
  let notifier: SlackNotifier | undefined;
  const charts = options.charts === false ? undefined : startChartThread();
  const slack = createSlackApp(
    {
      botToken: options.slack.botToken,
      signingSecret: options.slack.signingSecret,
      ...(options.slack.appToken ? { appToken: options.slack.appToken } : {}),
      ...(options.slack.apiUrl ? { apiUrl: options.slack.apiUrl } : {}),
      ...(options.onReceiverFailure ? { onReceiverFailure: options.onReceiverFailure } : {}),
      ...(options.callObserver ? { callObserver: options.callObserver } : {}),
      logger,
    },
    ({ client, queue, home }) => {
      notifier = new SlackNotifier({
        store,
        client,
        queue,
        clock,
        logger,
        channelFor: (app) => entries.get(app)?.channels[0],
        workspaceUrl: () => workspaceUrl,
        ...(charts ? { renderChart: chartRenderer(logger, charts) } : {}),
        onChange: () => home.refreshSoon(),
      });
      engine = new Engine({
        store,
        registry: defaultExecutors(),
        cleanStart: cleanStartEcs,
        portsFor: options.portsFor,
        clock,
        notifier,
        logger,
        apps: {
          get: (name) => {
            const app = options.apps.get(name);
            const entry = entries.get(name);
            return app && entry
              ? { config: app, access: { approvers: entry.approvers, fourEyes: entry.fourEyes } }
              : undefined;
          },
          names: () => [...options.apps.keys()],
        },
        freezes: () => config.freezes,
        ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
      });
      return {
        engine,
        store,
        entries,
        freezes: () => config.freezes,
        groups: new UserGroupDirectory(client, clock, logger),
        clock,
        logger,
        workspaceUrl: () => workspaceUrl,
      };
    },
  );
  if (!engine || !notifier) throw new Error("the Slack app did not build its context");
  const identity = await slack.client.auth.test();
  workspaceUrl = identity.url;
  const listening = await slack.start(port);
  engine.start();
  notifier.resume();
  const started = { engine, notifier };
  return {
    engine,
    slack,
    notifier,
    port: listening,
    idle: () => slack.queue.idle(),
    async stop() {
      await started.engine.stop();
      await slack.stop();
      await charts?.close();
    },
  };
}
