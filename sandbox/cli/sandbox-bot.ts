/**
 * The whole product on loopback: the sandbox Slack, ECS + ALB and Datadog, the real bot (Bolt receiver,
 * engine, notifier) against them, and a signed client that plays Slack's side. The demo runs its story
 * on it, and the end-to-end tests and `bench:slack` use it the same way.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Bot, startBot } from "../../src/cli/start-bot.js";
import type { Logger } from "../../src/engine/logger.js";
import type { Clock } from "../../src/ports.js";
import type { Store } from "../../src/store/store.js";
import { openStore } from "../../src/store/store.js";
import { type SandboxSlack, startSandboxSlack } from "../slack-server.js";
import { SlackSignedClient } from "../slack-signed-client.js";
import { type SandboxStack, startSandboxStack } from "./sandbox-stack.js";

export const SANDBOX_PEOPLE = {
  alice: "U0ALICE01",
  bob: "U0BOB0001",
  carol: "U0CAROL01",
  mallory: "U0MALLORY",
} as const;
export const SANDBOX_CHANNEL = "C0DEPLOYS";
export const SANDBOX_OTHER_CHANNEL = "C0RANDOM1";
export const SANDBOX_SRE_GROUP = "S0SRETEAM";

const BOT_TOKEN = "xoxb-sandbox-kanaria";
const APP_TOKEN = "xapp-sandbox-kanaria";
const SIGNING_SECRET = "sandbox-signing-secret";

export interface SandboxBotOptions {
  clock: Clock & { now(): number };
  logger: Logger;
  /** Working folder for the generated config and the database; a temporary one by default (removed on close). */
  dir?: string;
  charts?: boolean;
  /** Per app. */
  requestsPerSecond?: number;
  /** Apps to seed and configure, all in #deploys with the same people: `web`, `web-2`, … (default 1). */
  appCount?: number;
  /** Extra kanaria.yaml lines (e.g. a `freezes:` section), appended by the sandbox stack. */
  extraYaml?: string[];
  /** Extra lines of each app's `spec:` in app.pipecd.yaml (e.g. `notification:`), indented as written. */
  appSpecYaml?: string[];
  /** Distinct approvers each app's WAIT_APPROVAL needs (default 1). */
  minApproverNum?: number;
  /** The bot in Socket Mode (an app token) instead of the HTTP receiver; the client sends envelopes. */
  socketMode?: boolean;
}

export interface SandboxBot {
  slack: SandboxSlack;
  stack: SandboxStack;
  store: Store;
  bot: Bot;
  client: SlackSignedClient;
  dir: string;
  /**
   * Restarts the bot as a new process would: stops it and closes its database, then starts a new bot on
   * the same database file and HTTP port. The sandbox Slack, clouds and Datadog keep their state, and
   * `client` goes on sending to the same URL; `store` and `bot` are the new ones afterwards.
   */
  restartBot(): Promise<void>;
  close(): Promise<void>;
}

export async function startSandboxBot(options: SandboxBotOptions): Promise<SandboxBot> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "kanaria-sandbox-"));
  const slack = await startSandboxSlack({
    botToken: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    appToken: APP_TOKEN,
    botUserId: "U0KANARIA",
    users: [
      { id: SANDBOX_PEOPLE.alice, name: "alice", realName: "Alice (developer)" },
      { id: SANDBOX_PEOPLE.bob, name: "bob", realName: "Bob (SRE)" },
      { id: SANDBOX_PEOPLE.carol, name: "carol", realName: "Carol (SRE lead)" },
      { id: SANDBOX_PEOPLE.mallory, name: "mallory", realName: "Mallory (not on the team)" },
    ],
    usergroups: [{ id: SANDBOX_SRE_GROUP, handle: "sre", users: [SANDBOX_PEOPLE.bob, SANDBOX_PEOPLE.carol] }],
    channels: [
      { id: SANDBOX_CHANNEL, name: "deploys" },
      { id: SANDBOX_OTHER_CHANNEL, name: "random" },
    ],
    clock: options.clock,
  });
  const stack = await startSandboxStack({
    clock: options.clock,
    dir,
    channel: SANDBOX_CHANNEL,
    deployers: [SANDBOX_PEOPLE.alice, SANDBOX_PEOPLE.bob, SANDBOX_PEOPLE.carol],
    approvers: [SANDBOX_SRE_GROUP, SANDBOX_PEOPLE.alice],
    ...(options.requestsPerSecond !== undefined ? { requestsPerSecond: options.requestsPerSecond } : {}),
    ...(options.appCount !== undefined ? { appCount: options.appCount } : {}),
    ...(options.extraYaml !== undefined ? { extraYaml: options.extraYaml } : {}),
    ...(options.appSpecYaml !== undefined ? { appSpecYaml: options.appSpecYaml } : {}),
    ...(options.minApproverNum !== undefined ? { minApproverNum: options.minApproverNum } : {}),
  });
  const config = stack.loaded.config;
  const problems = stack.loaded.diagnostics.filter((d) => d.severity === "error");
  if (!config || problems.length > 0) {
    await stack.close();
    await slack.close();
    throw new Error(`the sandbox config does not load: ${problems.map((p) => p.message).join("; ")}`);
  }
  const dbPath = join(dir, "kanaria.db");
  const launch = (store: Store, port: number) =>
    startBot(
      {
        config,
        apps: stack.loaded.apps,
        store,
        clock: options.clock,
        logger: options.logger,
        portsFor: stack.portsFor,
        slack: {
          botToken: BOT_TOKEN,
          signingSecret: SIGNING_SECRET,
          apiUrl: slack.apiUrl,
          ...(options.socketMode ? { appToken: APP_TOKEN } : {}),
        },
        ...(options.charts !== undefined ? { charts: options.charts } : {}),
        pollIntervalMs: 500,
      },
      port,
    );
  let store = openStore(dbPath).store;
  let bot = await launch(store, 0);
  const client = new SlackSignedClient({
    botUrl: `http://127.0.0.1:${bot.port}/slack/events`,
    signingSecret: SIGNING_SECRET,
    slack,
    transport: options.socketMode ? "socket" : "http",
  });
  return {
    slack,
    stack,
    get store() {
      return store;
    },
    get bot() {
      return bot;
    },
    client,
    dir,
    async restartBot() {
      await bot.stop();
      store.close();
      store = openStore(dbPath).store;
      bot = await launch(store, bot.port);
    },
    async close() {
      await bot.stop();
      store.close();
      await stack.close();
      await slack.close();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
