/**
 * DESIGN §10 "Slack ack latency p99 < 100 ms with 50 concurrent commands", measured on the real bot:
 * rounds of signed `/deploy` slash commands, all sent at once to the bot's `/slack/events` by the
 * sandbox's signed client, each timed from the moment its HTTP request starts until the response — the
 * ack — is read. The requests go out from a worker thread (remote-fetch.ts) and are timed there: timed
 * on the main thread, which the bot shares with the sandbox, an ack would count as late until the bot's
 * loop was free to read it, though Slack would have had it on the wire long before. Each round mixes real deployments
 * of apps not deployed before, `status`, `history` and commands the bot refuses.
 *
 * The bot answers each command later, on its response URL (the ephemeral reply); those answers are
 * timed too, and each ack is checked to have arrived before its answer: the ack must not wait for the
 * work. Virtual time moves in the background the whole while, so the deployments the commands start
 * run (ECS and ALB calls, Slack posts) while later commands arrive.
 */
import { performance } from "node:perf_hooks";
import { setTimeout as realSleep } from "node:timers/promises";
import {
  SANDBOX_CHANNEL,
  SANDBOX_OTHER_CHANNEL,
  SANDBOX_PEOPLE,
  startSandboxBot,
} from "../../sandbox/cli/sandbox-bot.js";
import { sandboxAppName } from "../../sandbox/cli/sandbox-stack.js";
import { SlackSignedClient } from "../../sandbox/slack-signed-client.js";
import { VirtualClock } from "../../sandbox/virtual-clock.js";
import type { Logger } from "../../src/engine/logger.js";
import { type RemoteFetch, startRemoteFetch } from "./remote-fetch.js";
import { countBy } from "./stats.js";
import { backgroundTime, type Pace } from "./time-driver.js";

export type CommandKind = "deploy" | "status" | "history" | "refused";

/** One slash command of a round, as a person would type it. */
export interface PlannedCommand {
  kind: CommandKind;
  /** What it is, for the report (e.g. "refused: not a deployer"). */
  label: string;
  text: string;
  userId: string;
  channelId: string;
}

/**
 * Round `round`'s `size` commands: per ten, four deployments (each of an app no earlier round
 * deployed: app index `round × deploysPerRound(size) + k`), two `status`, one `history` and three
 * refusals (not a deployer, unknown app, wrong channel, invalid version, bad usage, in turn). Pure.
 */
export function commandMix(round: number, size: number): PlannedCommand[] {
  const firstApp = round * deploysPerRound(size);
  const { alice, bob, carol, mallory } = SANDBOX_PEOPLE;
  const deployers = [alice, bob, carol];
  const commands: PlannedCommand[] = [];
  let deploys = 0;
  let refusals = 0;
  for (let j = 0; j < size; j++) {
    const user = deployers[j % deployers.length] as string;
    const some = sandboxAppName(firstApp + (j % Math.max(1, deploysPerRound(size))));
    const slot = j % 10;
    const command = (
      kind: CommandKind,
      label: string,
      text: string,
      userId = user,
      channelId = SANDBOX_CHANNEL,
    ) => commands.push({ kind, label, text, userId, channelId });
    if (slot < 4) {
      command(
        "deploy",
        "deploy (first release: quick sync)",
        `${sandboxAppName(firstApp + deploys)} v1 bench round ${round}`,
      );
      deploys += 1;
    } else if (slot < 6) {
      command("status", "status", slot === 4 ? "status" : `status ${some}`);
    } else if (slot === 6) {
      command("history", "history", `history ${some}`);
    } else {
      const kind = refusals % 5;
      refusals += 1;
      if (kind === 0) command("refused", "refused: not a deployer", `${some} v9 let me in`, mallory);
      else if (kind === 1) command("refused", "refused: unknown app", "wbe v1 typo");
      else if (kind === 2)
        command("refused", "refused: wrong channel", `${some} v9`, user, SANDBOX_OTHER_CHANNEL);
      else if (kind === 3) command("refused", "refused: invalid version", `${some} -v1`);
      else command("refused", "refused: bad usage", `status ${some} ${some}`);
    }
  }
  return commands;
}

/** How many of a round's `size` commands are deployments (four per ten, rounded up). */
export function deploysPerRound(size: number): number {
  return Math.floor(size / 10) * 4 + Math.min(4, size % 10);
}

export interface AckBenchOptions {
  rounds: number;
  /** Commands per round, all sent at once. */
  concurrency: number;
  pace: Pace;
  logger: Logger;
}

export interface AckResult {
  rounds: number;
  concurrency: number;
  /** Command sent → ack read, ms, one per command of every round. */
  ackMs: number[];
  /** Command sent → ephemeral answer received on the response URL, ms, for the answered ones. */
  answerMs: number[];
  /**
   * For each command whose ack the sender read after the answer reached the sandbox Slack: by how many
   * ms. Not a wait for the work (the receiver thread writes the ack before it hands the command to the
   * main thread); the sender reads its 50 responses one after another, so a quick answer can land
   * first.
   */
  ackReadAfterAnswerMs: number[];
  /** Commands answered with a status other than 200, or never answered on their response URL. */
  problems: string[];
  /** One round's commands by label, most frequent first (every round has the same mix). */
  mix: [string, number][];
  /** Deploy commands sent, and deployments the bot created from them (should be equal). */
  deploysSent: number;
  deploymentsCreated: number;
}

/** Starts a sandbox bot with one app per deploy command of all rounds, runs the rounds, stops it. */
export async function measureAckLatency(options: AckBenchOptions): Promise<AckResult> {
  const clock = new VirtualClock();
  const sandbox = await startSandboxBot({
    clock,
    logger: options.logger,
    appCount: Math.max(1, options.rounds * deploysPerRound(options.concurrency)),
    charts: true,
  });
  const remote = startRemoteFetch();
  const client = new SlackSignedClient({
    botUrl: `http://127.0.0.1:${sandbox.bot.port}/slack/events`,
    signingSecret: sandbox.slack.signingSecret,
    slack: sandbox.slack,
    fetch: remote.fetch,
  });
  const answeredAt = new Map<string, number>();
  const unsubscribe = sandbox.slack.workspace.onChange((change) => {
    if (change.kind === "response" && !answeredAt.has(change.id)) answeredAt.set(change.id, epochMs());
  });
  const time = backgroundTime(clock, options.pace);
  const result: AckResult = {
    rounds: options.rounds,
    concurrency: options.concurrency,
    ackMs: [],
    answerMs: [],
    ackReadAfterAnswerMs: [],
    problems: [],
    mix: countBy(commandMix(0, options.concurrency).map((c) => c.label)),
    deploysSent: 0,
    deploymentsCreated: 0,
  };
  try {
    await warmUp(client, remote, answeredAt, options.concurrency);
    for (let round = 0; round < options.rounds; round++) {
      const planned = commandMix(round, options.concurrency);
      const sent = await Promise.all(planned.map((command) => send(client, remote, command)));
      await waitFor(() => sent.every((s) => answeredAt.has(s.responseUrlId)), 30_000);
      for (const [i, s] of sent.entries()) {
        const command = planned[i] as PlannedCommand;
        if (command.kind === "deploy") result.deploysSent += 1;
        result.ackMs.push(s.ackedAt - s.sentAt);
        const answered = answeredAt.get(s.responseUrlId);
        if (s.status !== 200)
          result.problems.push(`round ${round}: /deploy ${command.text} → HTTP ${s.status}`);
        if (answered === undefined) {
          result.problems.push(`round ${round}: /deploy ${command.text} was never answered`);
          continue;
        }
        result.answerMs.push(answered - s.sentAt);
        if (answered < s.ackedAt) result.ackReadAfterAnswerMs.push(s.ackedAt - answered);
      }
    }
    result.deploymentsCreated = sandbox.store.deployments.recent(100_000).length;
  } finally {
    await time.stop();
    unsubscribe();
    await remote.close();
    await sandbox.close();
  }
  return result;
}

/** Wall-clock ms with sub-ms precision, comparable between threads (unlike `performance.now()`). */
function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

interface Sent {
  responseUrlId: string;
  status: number;
  /** When the worker started the HTTP request, and read the ack (epoch ms). */
  sentAt: number;
  ackedAt: number;
}

async function send(client: SlackSignedClient, remote: RemoteFetch, command: PlannedCommand): Promise<Sent> {
  const reply = await client.slashCommand({
    command: "/deploy",
    text: command.text,
    userId: command.userId,
    channelId: command.channelId,
  });
  const timing = remote.timing(reply.request.body);
  if (!timing) throw new Error(`no timing for /deploy ${command.text}`);
  return {
    responseUrlId: reply.responseUrlId,
    status: reply.status,
    sentAt: timing.endedAtMs - timing.elapsedMs,
    ackedAt: timing.endedAtMs,
  };
}

/** The warm-up's one-by-one commands: one of each kind of answer (help, status, history, refusals). */
export const WARM_UP_TEXTS = ["help", "status", "history web", "wbe v1", "status web web"];

/**
 * Five commands one by one, then one round of `concurrency` read-only commands at once, none counted:
 * a bot that has been up for a while has its code compiled and, behind a load balancer, its
 * connections open; a cold start is not what the target is about.
 */
async function warmUp(
  client: SlackSignedClient,
  remote: RemoteFetch,
  answeredAt: ReadonlyMap<string, number>,
  concurrency: number,
): Promise<void> {
  const command = (text: string): PlannedCommand => ({
    kind: "status",
    label: "warm-up",
    text,
    userId: SANDBOX_PEOPLE.alice,
    channelId: SANDBOX_CHANNEL,
  });
  for (const text of WARM_UP_TEXTS) {
    const sent = await send(client, remote, command(text));
    await waitFor(() => answeredAt.has(sent.responseUrlId), 10_000);
  }
  const round = Array.from({ length: concurrency }, (_, i) => command(i % 2 === 0 ? "help" : "status"));
  const sent = await Promise.all(round.map((c) => send(client, remote, c)));
  await waitFor(() => sent.every((s) => answeredAt.has(s.responseUrlId)), 30_000);
}

/** Polls `done` every few ms of real time, up to `timeoutMs`; returns whether it held. */
async function waitFor(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await realSleep(5);
  }
  return true;
}
