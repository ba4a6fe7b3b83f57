/**
 * The whole bot on loopback for the Slack end-to-end tests: `startSandboxBot` on a `VirtualClock` with a
 * silent logger, and the moves a person makes in Slack — `/deploy`, clicks on the thread root's buttons —
 * each sent as signed HTTP to the real Bolt receiver. Waits move virtual time while the real loopback
 * HTTP runs (sandbox/cli/virtual-wait.ts); nothing here measures wall-clock time, and a real-time poll that
 * runs out only fails the test with what it was waiting for.
 */
import { setTimeout as realSleep } from "node:timers/promises";
import {
  SANDBOX_CHANNEL,
  SANDBOX_PEOPLE,
  type SandboxBot,
  type SandboxBotOptions,
  startSandboxBot,
} from "../../sandbox/cli/sandbox-bot.js";
import { advanceUntil, settleWhileAdvancing } from "../../sandbox/cli/virtual-wait.js";
import type { InteractionReply } from "../../sandbox/slack-signed-client.js";
import type { StoredMessage } from "../../sandbox/slack-workspace-types.js";
import { VirtualClock } from "../../sandbox/virtual-clock.js";
import type { Deployment } from "../../src/domain/deployment.js";
import type { DeploymentStatus } from "../../src/domain/status.js";
import { silentLogger } from "../../src/engine/logger.js";
import { ACTION_IDS } from "../../src/views/action-ids.js";

/** Real-time polls for what the bot does at once (an ephemeral answer): at most this many, 5 ms apart. */
const POLL_LIMIT = 1_000;
const POLL_PAUSE_MS = 5;

export interface CommandAnswer {
  reply: InteractionReply;
  /** The first answer posted to the command's response URL: its fallback text and its blocks' texts. */
  text: string;
  /** Whether that answer was shown only to the person who typed the command. */
  ephemeral: boolean;
}

export interface BotHarness {
  readonly sandbox: SandboxBot;
  readonly clock: VirtualClock;
  /** `/deploy <text>` typed by `user` in `channel` (default #deploys); resolves with its ephemeral answer. */
  command(user: string, text: string, channel?: string): Promise<CommandAnswer>;
  /** `/deploy <text>` that must start a deployment; resolves with the new deployment's id. */
  deploy(user: string, text: string): Promise<string>;
  /**
   * The first answer to a response URL (fallback text, then every text of its blocks), waiting (real
   * time) until there is one.
   */
  ephemeralOf(responseUrlId: string): Promise<string>;
  /** Clicks a button of the deployment's thread root as `user` (the root must be posted). */
  click(deploymentId: string, action: keyof typeof ACTION_IDS, user: string): Promise<InteractionReply>;
  /** Moves virtual time until `done()`, then lets every queued Slack message go out. */
  until(done: () => boolean, what: string, limitMs?: number): Promise<void>;
  /** Moves virtual time until `done()`, without waiting for Slack afterwards. */
  advanceUntil(done: () => boolean, what: string): Promise<void>;
  /** `until` the deployment has one of `statuses`. */
  untilStatus(deploymentId: string, ...statuses: DeploymentStatus[]): Promise<void>;
  /** Lets every queued Slack message go out, moving virtual time for channels that wait out a 429. */
  settle(): Promise<void>;
  deployment(id: string): Deployment;
  /** The thread root, then its replies, as stored in the sandbox workspace. */
  thread(deploymentId: string): StoredMessage[];
  root(deploymentId: string): StoredMessage;
  /** web's ALB forward weights, [primary, canary], read through the AWS SDK. */
  weights(): Promise<number[] | undefined>;
  /** The bot's messages in the thread of the message `ts` of `channel`, posted after it. */
  botReplies(channel: string, ts: string): StoredMessage[];
  /**
   * `user` mentions the bot in `channel` (in the thread of `threadTs` when given); resolves with the
   * bot's answer once it is posted. Virtual time moves a second per step meanwhile, as Slack's own
   * limit (about one post per second and channel) may make the answer wait.
   */
  ask(user: string, channel: string, text: string, threadTs?: string): Promise<Answer>;
  /** The App Home view published for `user` after they open the tab (waits in real time). */
  openHome(user: string): Promise<Record<string, unknown>>;
  /** Rows in the store's deployments and commands tables. */
  counts(): { deployments: number; commands: number };
  /** v1 of web deployed to SUCCESS (the first deployment: no canary); returns its id. */
  shipFirstVersion(): Promise<string>;
  close(): Promise<void>;
}

export interface Answer {
  /** The ts of the person's message. */
  ts: string;
  answer: StoredMessage;
}

export type HarnessOptions = Pick<
  SandboxBotOptions,
  "charts" | "extraYaml" | "appSpecYaml" | "minApproverNum" | "socketMode"
>;

export async function startHarness(options: HarnessOptions = {}): Promise<BotHarness> {
  const clock = new VirtualClock();
  const sandbox = await startSandboxBot({ clock, logger: silentLogger(), charts: false, ...options });
  // The store is read through `sandbox` each time: `sandbox.restartBot()` opens a new one.
  const { client, slack } = sandbox;

  const poll = async <T>(read: () => T | undefined, what: string): Promise<T> => {
    for (let i = 0; i < POLL_LIMIT; i++) {
      const value = read();
      if (value !== undefined) return value;
      await realSleep(POLL_PAUSE_MS);
    }
    throw new Error(`gave up waiting for ${what}`);
  };
  const answerOf = (id: string) =>
    poll(() => slack.workspace.responses(id)[0], `an answer on response URL ${id}`);
  const ephemeralOf = async (id: string) => {
    const answer = await answerOf(id);
    return `${answer.text}\n${blockText(answer)}`;
  };
  const settle = () => settleWhileAdvancing(clock, () => sandbox.bot.idle());
  const until = async (done: () => boolean, what: string, limitMs?: number) => {
    await advanceUntil(clock, done, { what, ...(limitMs !== undefined ? { limitMs } : {}) });
    await settle();
  };
  const deployment = (id: string) => {
    const found = sandbox.store.deployments.get(id);
    if (!found) throw new Error(`no deployment ${id}`);
    return found;
  };
  const thread = (id: string) => {
    const t = sandbox.store.slackThreads.get(id);
    return t?.rootTs ? slack.workspace.thread(t.channel, t.rootTs) : [];
  };
  const command = async (user: string, text: string, channel = SANDBOX_CHANNEL) => {
    const reply = await client.slashCommand({ command: "/deploy", text, userId: user, channelId: channel });
    if (reply.status !== 200) throw new Error(`/deploy ${text}: HTTP ${reply.status} ${reply.body}`);
    const answer = await answerOf(reply.responseUrlId);
    return {
      reply,
      text: `${answer.text}\n${blockText(answer)}`,
      ephemeral: answer.responseType === "ephemeral" && !answer.replaceOriginal,
    };
  };
  const harness: BotHarness = {
    sandbox,
    clock,
    command,
    async deploy(user, text) {
      const before = new Set(sandbox.store.deployments.recent(1000).map((d) => d.id));
      const answer = await command(user, text);
      const created = sandbox.store.deployments.recent(5).find((d) => !before.has(d.id));
      if (!created) throw new Error(`/deploy ${text} started nothing: ${answer.text}`);
      return created.id;
    },
    ephemeralOf,
    async click(deploymentId, action, user) {
      const t = await poll(() => {
        const found = sandbox.store.slackThreads.get(deploymentId);
        return found?.rootTs ? { channel: found.channel, rootTs: found.rootTs } : undefined;
      }, `the thread root of ${deploymentId}`);
      return client.clickButton({
        channelId: t.channel,
        messageTs: t.rootTs,
        actionId: ACTION_IDS[action],
        userId: user,
      });
    },
    until,
    advanceUntil: (done, what) => advanceUntil(clock, done, { what, stepMs: 1_000 }),
    untilStatus: (id, ...statuses) =>
      until(() => statuses.includes(deployment(id).status), `deployment ${id} ${statuses.join(" or ")}`),
    settle,
    deployment,
    thread,
    root(id) {
      const [root] = thread(id);
      if (!root) throw new Error(`deployment ${id} has no root message`);
      return root;
    },
    async weights() {
      const { primary, canary } = sandbox.stack.app.targetGroups;
      const [rule] = await sandbox.stack
        .portsFor("web")
        .loadBalancer.findForwardRules([primary.arn, canary.arn]);
      if (!rule) return undefined;
      const weightOf = (arn: string) => rule.targetGroups.find((g) => g.targetGroupArn === arn)?.weight ?? 0;
      return [weightOf(primary.arn), weightOf(canary.arn)];
    },
    botReplies(channel, ts) {
      const root = slack.workspace.threadRoot(channel, ts) ?? ts;
      return slack.workspace
        .thread(channel, root)
        .filter((m) => tsValue(m.ts) > tsValue(ts) && m.user === slack.workspace.botUserId);
    },
    async ask(user, channel, text, threadTs) {
      const sent = await client.mention({
        channelId: channel,
        userId: user,
        text,
        ...(threadTs !== undefined ? { threadTs } : {}),
      });
      if (sent.status !== 200 || sent.ts === undefined) throw new Error(`mention: HTTP ${sent.status}`);
      const ts = sent.ts;
      let answer = harness.botReplies(channel, ts)[0];
      for (let i = 0; i < 600 && !answer; i++) {
        await realSleep(POLL_PAUSE_MS);
        await clock.advance(1_000);
        answer = harness.botReplies(channel, ts)[0];
      }
      if (!answer) throw new Error(`no answer to "${text}" within 10 virtual minutes`);
      return { ts, answer };
    },
    async openHome(user) {
      const before = slack.workspace.homeView(user);
      const sent = await client.appHomeOpened(user);
      if (sent.status !== 200) throw new Error(`app_home_opened: HTTP ${sent.status}`);
      const view = await poll(() => {
        const now = slack.workspace.homeView(user);
        return now && now !== before ? now : undefined;
      }, `the App Home of ${user}`);
      return view.view;
    },
    counts() {
      const count = (table: string) =>
        (sandbox.store.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
      return { deployments: count("deployments"), commands: count("commands") };
    },
    async shipFirstVersion() {
      const id = await harness.deploy(SANDBOX_PEOPLE.alice, "web v1 first release");
      await harness.untilStatus(id, "SUCCESS");
      return id;
    },
    async close() {
      slack.faults.clear();
      // A channel waiting out a 429 sleeps on the virtual clock, and stopping waits for the queues.
      await clock.runUntilSettled(sandbox.close());
    },
  };
  return harness;
}

/** A message ts (`seconds.micros`) as a number that orders exactly. */
function tsValue(ts: string): bigint {
  const [seconds = "0", micros = "0"] = ts.split(".");
  return BigInt(seconds) * 1_000_000n + BigInt(micros.padEnd(6, "0"));
}

/** Every `text` of a message's blocks (sections, context elements, fields), joined by new lines. */
export function blockText(message: { blocks: unknown[] }): string {
  const texts: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n);
      return;
    }
    if (typeof node !== "object" || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === "text" && typeof value === "string") texts.push(value);
      else walk(value);
    }
  };
  walk(message.blocks);
  return texts.join("\n");
}

/** The action ids of the buttons in a message's blocks. */
export function buttonsOf(message: { blocks: unknown[] }): string[] {
  const ids: string[] = [];
  for (const block of message.blocks as Array<{ type?: string; elements?: unknown[] }>) {
    if (block.type !== "actions") continue;
    for (const element of (block.elements ?? []) as Array<{ type?: string; action_id?: string }>) {
      if (element.type === "button" && element.action_id) ids.push(element.action_id);
    }
  }
  return ids;
}
