/**
 * DESIGN §10 "100 concurrent deployments in one process, RSS < 300 MB, event-loop delay p99 < 50 ms",
 * measured on the real bot on the embedded sandbox: N apps (`web`, `web-2`, …) in one sandbox, each
 * deployed through Slack at once — first v1 (a first release: quick sync), then v2 through the canary
 * pipeline (canary rollout, 10% traffic, a 10-minute analysis against Datadog, approval, promotion).
 * Each v2 is approved by a click on its Approve button as soon as the thread shows it. Virtual time
 * moves at a fixed pace; RSS, heap and event-loop delay are sampled throughout.
 *
 * The process holds the sandbox too (ECS, ALB, Datadog and Slack servers with their worlds and call
 * logs), so the figures are the bot's plus the sandbox's; there is no cheap way to separate them. The
 * sandbox's call logs are emptied after each phase so that they do not grow with the run's length.
 */
import { performance } from "node:perf_hooks";
import { setTimeout as realSleep } from "node:timers/promises";
import {
  SANDBOX_CHANNEL,
  SANDBOX_PEOPLE,
  type SandboxBot,
  startSandboxBot,
} from "../../sandbox/cli/sandbox-bot.js";
import { findButton } from "../../sandbox/slack-payloads.js";
import { VirtualClock } from "../../sandbox/virtual-clock.js";
import type { Logger } from "../../src/engine/logger.js";
import { ACTION_IDS } from "../../src/views/action-ids.js";
import { type ResourceReport, startResourceSampler } from "./resource-sampler.js";
import { countBy } from "./stats.js";
import { driveUntil, type Pace, settleSlack } from "./time-driver.js";

export interface LoadBenchOptions {
  apps: number;
  pace: Pace;
  logger: Logger;
  /** Charts in analysis replies (the bot's default is on). */
  charts: boolean;
  /** Real ms between RSS samples. */
  sampleIntervalMs: number;
}

export interface PhaseResult {
  label: string;
  /** Deployments the bot created from the phase's commands (should be one per app). */
  created: number;
  /** Final (or last seen) status → how many deployments. */
  statuses: [string, number][];
  /** Approve clicks sent (v2 only). */
  approvals: number;
  virtualMinutes: number;
  realSeconds: number;
  /** Whether every queued Slack message was sent by the end of the phase. */
  slackDrained: boolean;
  /** Slack Web API calls the bot made in the phase, and how many of them Slack answered 429. */
  slackCalls: number;
  slackRateLimited: number;
  /** AWS API calls (ECS + ELBv2) the bot made in the phase. */
  awsCalls: number;
  problems: string[];
}

export interface LoadResult {
  apps: number;
  /** RSS before the sandbox and the bot started (modules loaded). */
  rssBeforeStartBytes: number;
  /** RSS once the sandbox (with every app seeded) and the bot were up, before any deployment. */
  rssAfterStartBytes: number;
  /** Sampled from the first command to the last phase's end; `peakCount` is deployments not yet final. */
  resources: ResourceReport;
  phases: PhaseResult[];
}

const FINAL = new Set(["SUCCESS", "FAILURE", "ROLLED_BACK", "CANCELLED"]);

export async function measureConcurrentDeployments(options: LoadBenchOptions): Promise<LoadResult> {
  const rssBeforeStartBytes = process.memoryUsage().rss;
  const clock = new VirtualClock();
  const sandbox = await startSandboxBot({
    clock,
    logger: options.logger,
    appCount: options.apps,
    charts: options.charts,
  });
  try {
    const rssAfterStartBytes = process.memoryUsage().rss;
    const apps = sandbox.stack.apps.map((a) => a.app);
    const sampler = startResourceSampler({
      intervalMs: options.sampleIntervalMs,
      resolutionMs: 10,
      count: () => sandbox.store.deployments.activeIds().length,
    });
    const phases: PhaseResult[] = [];
    try {
      phases.push(
        await runPhase(sandbox, clock, options.pace, apps, {
          label: "v1 (first release: quick sync)",
          version: "v1",
          requester: SANDBOX_PEOPLE.alice,
          approver: undefined,
        }),
      );
      phases.push(
        await runPhase(sandbox, clock, options.pace, apps, {
          label: "v2 (canary, analysis, approval)",
          version: "v2",
          requester: SANDBOX_PEOPLE.bob,
          // Alice approves Bob's deployments: four-eyes holds, and she is an approver by name.
          approver: SANDBOX_PEOPLE.alice,
        }),
      );
    } catch (error) {
      sampler.stop();
      throw error;
    }
    const resources = sampler.stop();
    return { apps: options.apps, rssBeforeStartBytes, rssAfterStartBytes, resources, phases };
  } finally {
    await sandbox.close();
  }
}

interface PhaseSpec {
  label: string;
  version: string;
  requester: string;
  /** Who clicks Approve on each deployment that waits for it; none: they are not expected to wait. */
  approver: string | undefined;
}

async function runPhase(
  sandbox: SandboxBot,
  clock: VirtualClock,
  pace: Pace,
  apps: readonly string[],
  spec: PhaseSpec,
): Promise<PhaseResult> {
  const startedReal = performance.now();
  const startedVirtual = clock.now();
  const problems: string[] = [];
  const replies = await Promise.all(
    apps.map((app) =>
      sandbox.client.slashCommand({
        command: "/deploy",
        text: `${app} ${spec.version} bench`,
        userId: spec.requester,
        channelId: SANDBOX_CHANNEL,
      }),
    ),
  );
  for (const [i, reply] of replies.entries()) {
    if (reply.status !== 200) problems.push(`/deploy ${apps[i]} ${spec.version}: HTTP ${reply.status}`);
  }
  // The bot creates each deployment right after its ack; no virtual time is needed for that.
  const deploymentOf = (app: string) => {
    const latest = sandbox.store.deployments.history(app, 1)[0];
    return latest?.version === spec.version ? latest.id : undefined;
  };
  const deadline = performance.now() + 30_000;
  while (apps.some((app) => deploymentOf(app) === undefined) && performance.now() < deadline) {
    await realSleep(10);
  }
  const ids = apps.map(deploymentOf).filter((id): id is string => id !== undefined);
  if (ids.length < apps.length) problems.push(`${apps.length - ids.length} /deploy commands started nothing`);

  // Polled for every deployment at every step: the status column alone, not the whole parsed row.
  const status = (id: string) => sandbox.store.deployments.summary(id)?.status ?? "UNKNOWN";
  const clicked = new Set<string>();
  const clicks: Promise<void>[] = [];
  const approveWhenShown = (): void => {
    if (!spec.approver) return;
    for (const id of ids) {
      if (clicked.has(id) || status(id) !== "WAITING_APPROVAL" || !approveButtonShown(sandbox, id)) continue;
      clicked.add(id);
      clicks.push(
        approve(sandbox, id, spec.approver).catch((error: unknown) => {
          problems.push(`approving ${id}: ${(error as Error).message}`);
        }),
      );
    }
  };
  await driveUntil(
    clock,
    () => {
      approveWhenShown();
      return ids.every((id) => FINAL.has(status(id)));
    },
    pace,
    `${spec.label}: every deployment final`,
  ).catch((error: unknown) => problems.push((error as Error).message));
  await Promise.all(clicks);
  const slackDrained = await settleSlack(sandbox.bot, clock);

  const slackCalls = sandbox.slack.calls.list().filter((c) => c.method !== "respond");
  const result: PhaseResult = {
    label: spec.label,
    created: ids.length,
    statuses: countBy(ids.map(status)),
    approvals: clicked.size,
    virtualMinutes: (clock.now() - startedVirtual) / 60_000,
    realSeconds: (performance.now() - startedReal) / 1000,
    slackDrained,
    slackCalls: slackCalls.length,
    slackRateLimited: slackCalls.filter((c) => c.status === 429).length,
    awsCalls: sandbox.stack.cloud.calls.list().length,
    problems,
  };
  sandbox.slack.calls.clear();
  sandbox.stack.cloud.calls.clear();
  return result;
}

/** Whether the deployment's thread root currently shows an Approve button. */
function approveButtonShown(sandbox: SandboxBot, deploymentId: string): boolean {
  const thread = sandbox.store.slackThreads.get(deploymentId);
  if (!thread?.rootTs) return false;
  const root = sandbox.slack.workspace.message(thread.channel, thread.rootTs);
  return root !== undefined && findButton(root.blocks, ACTION_IDS.approve) !== undefined;
}

async function approve(sandbox: SandboxBot, deploymentId: string, user: string): Promise<void> {
  const thread = sandbox.store.slackThreads.get(deploymentId);
  if (!thread?.rootTs) throw new Error("no thread root to click on");
  const reply = await sandbox.client.clickButton({
    channelId: thread.channel,
    messageTs: thread.rootTs,
    actionId: ACTION_IDS.approve,
    userId: user,
  });
  if (reply.status !== 200) throw new Error(`the click was answered HTTP ${reply.status}`);
}
