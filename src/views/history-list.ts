/**
 * `/deploy history <app>` and `/deploy status [app]` (also what `@kanaria history web` / "what is running
 * in web" answer): the last deployments with who, when, how long and how they ended; and, per app, the
 * version live now, the deployment under way and any lock.
 */
import type { KnownBlock } from "@slack/types";
import type { AppLock } from "../domain/app-lock.js";
import type { Deployment } from "../domain/deployment.js";
import { ACTIVE_DEPLOYMENT_STATUSES } from "../domain/status.js";
import {
  BLOCK_LIMITS,
  capBlocks,
  context,
  fallback,
  header,
  type MessagePayload,
  sectionsFromLines,
} from "./block-kit.js";
import { type DeploymentSnapshot, runningStage } from "./deployment-snapshot.js";
import { ago, escapeMrkdwn, formatDuration, link, mention, slackDate, userText } from "./mrkdwn.js";
import { DEPLOYMENT_STATUS_EMOJI, DEPLOYMENT_STATUS_LABEL } from "./stage-format.js";

/** Deployment id → permalink of its Slack thread. */
export type ThreadLinks = ReadonlyMap<string, string>;

/** How many deployments a history shows. */
export const HISTORY_LENGTH = 20;

/** One line per deployment: outcome, version, who, when, how long, thread. */
export function historyLine(d: Deployment, threadLinks: ThreadLinks, now: number): string {
  const took =
    d.startedAt !== undefined && d.finishedAt !== undefined
      ? ` · took ${formatDuration(d.finishedAt - d.startedAt)}`
      : d.finishedAt === undefined && d.startedAt !== undefined
        ? ` · running for ${formatDuration(now - d.startedAt)}`
        : "";
  const url = threadLinks.get(d.id);
  const thread = url ? ` · ${link(url, "thread")}` : "";
  const reason = d.reason.trim() ? ` — ${userText(d.reason.trim(), 120)}` : "";
  return `${DEPLOYMENT_STATUS_EMOJI[d.status]} *${d.version}* ${DEPLOYMENT_STATUS_LABEL[d.status].toLowerCase()} · ${mention(d.requester)} · ${slackDate(d.createdAt, "date_time")} (${ago(d.createdAt, now)})${took}${thread}${reason}`;
}

export function historyList(
  app: string,
  deployments: readonly Deployment[],
  threadLinks: ThreadLinks,
  now: number,
): MessagePayload {
  const recent = [...deployments]
    .filter((d) => d.app === app)
    .sort((a, b) => b.createdAt - a.createdAt)
    .slice(0, HISTORY_LENGTH);
  const title = `History of ${app}`;
  if (recent.length === 0) {
    const text = `*${userText(app, 100)}* has not been deployed yet.`;
    return { text: fallback(text), blocks: [header(title), ...sectionsFromLines([text], 1)] };
  }
  const lines = recent.map((d) => historyLine(d, threadLinks, now));
  const blocks: KnownBlock[] = [header(title), ...sectionsFromLines(lines, 5, "deployments")];
  const total = deployments.filter((d) => d.app === app).length;
  if (total > recent.length) blocks.push(context(`the last ${recent.length} of ${total} deployments`));
  const last = recent[0] as Deployment;
  const text = `${escapeMrkdwn(app)}: last deployment ${last.version} (${DEPLOYMENT_STATUS_LABEL[last.status].toLowerCase()}) by ${mention(last.requester)}`;
  return { text: fallback(text), blocks: capBlocks(blocks, BLOCK_LIMITS.messageBlocks) };
}

/** "Who deployed web last": the newest deployment of the app, or that there is none. */
export function lastDeployment(
  app: string,
  last: Deployment | undefined,
  threadLinks: ThreadLinks,
  now: number,
): MessagePayload {
  const text = last
    ? `Last deployment of *${app}*: ${historyLine(last, threadLinks, now)}`
    : `*${app}* has never been deployed by Kanaria.`;
  return { text, blocks: [{ type: "section", text: { type: "mrkdwn", text } }] };
}

/** The version serving traffic, as far as the deployments tell: newest success, else what was live before. */
export function liveVersion(deployments: readonly Deployment[]): string | undefined {
  const newestFirst = [...deployments].sort((a, b) => b.createdAt - a.createdAt);
  const success = newestFirst.find((d) => d.status === "SUCCESS");
  const newest = newestFirst[0];
  if (success && (!newest || success.createdAt >= newest.createdAt)) return success.version;
  return newest?.previousVersion ?? success?.version;
}

/** One app's status line(s): live version, deployment under way (with its stage), lock. */
export function appStatusLines(
  app: string,
  snapshots: readonly DeploymentSnapshot[],
  lock: AppLock | undefined,
  now: number,
): string[] {
  const deployments = snapshots.map((s) => s.deployment);
  const live = liveVersion(deployments);
  const lines = [`*${userText(app, 100)}* · live: ${live ? `*${live}*` : "nothing deployed yet"}`];
  const active = snapshots.find((s) => ACTIVE_DEPLOYMENT_STATUSES.includes(s.deployment.status));
  if (active) {
    const d = active.deployment;
    const stage = runningStage(active);
    const where = stage ? `, ${stage.kind}` : "";
    const thread = active.threadUrl ? ` · ${link(active.threadUrl, "thread")}` : "";
    lines.push(
      `    ${DEPLOYMENT_STATUS_EMOJI[d.status]} ${d.version} by ${mention(d.requester)} since ${slackDate(d.createdAt, "time")} (${ago(d.createdAt, now)}) — ${DEPLOYMENT_STATUS_LABEL[d.status].toLowerCase()}${where}${thread}`,
    );
  }
  if (lock) {
    lines.push(
      `    🔒 locked by ${mention(lock.owner)} ${ago(lock.createdAt, now)}: ${userText(lock.reason, 200)}`,
    );
  }
  return lines;
}

/**
 * `/deploy status [app]`: every app that has a snapshot or a lock, alphabetically. `snapshots` are the
 * apps' recent deployments (at least the active one and the last finished one of each app).
 */
export function statusSummary(
  snapshots: readonly DeploymentSnapshot[],
  locks: readonly AppLock[],
  now: number,
): MessagePayload {
  const apps = [...new Set([...snapshots.map((s) => s.deployment.app), ...locks.map((l) => l.app)])].sort();
  if (apps.length === 0) {
    const text = "No deployments and no locks yet.";
    return { text, blocks: sectionsFromLines([text], 1) };
  }
  const lines = apps.flatMap((app) =>
    appStatusLines(
      app,
      snapshots.filter((s) => s.deployment.app === app),
      locks.find((l) => l.app === app),
      now,
    ),
  );
  const activeCount = snapshots.filter((s) =>
    ACTIVE_DEPLOYMENT_STATUSES.includes(s.deployment.status),
  ).length;
  const summary = `${activeCount} deployment${activeCount === 1 ? "" : "s"} running · ${locks.length} lock${locks.length === 1 ? "" : "s"}`;
  const blocks: KnownBlock[] = [context(summary), ...sectionsFromLines(lines, 10, "lines")];
  const text = apps.length === 1 ? lines.join("\n") : summary;
  return { text: fallback(text), blocks: capBlocks(blocks, BLOCK_LIMITS.messageBlocks) };
}
