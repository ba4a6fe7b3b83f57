/**
 * The App Home tab: what waits for *this* user's approval (with the buttons, so they need not find the
 * thread), what is being deployed, which apps are locked, and the recent history. Each list is capped so
 * the view stays within Slack's 100 blocks however busy the workspace is.
 */
import type { HomeView, KnownBlock } from "@slack/types";
import type { AppLock } from "../domain/app-lock.js";
import type { Deployment } from "../domain/deployment.js";
import { ACTION_IDS, encodeActionValue } from "./action-ids.js";
import {
  actions,
  BLOCK_LIMITS,
  button,
  capBlocks,
  context,
  divider,
  header,
  section,
  sectionsFromLines,
} from "./block-kit.js";
import { type DeploymentSnapshot, pendingApproval, runningStage } from "./deployment-snapshot.js";
import { historyLine, type ThreadLinks } from "./history-list.js";
import { ago, escapeMrkdwn, link, mention, slackDate, userText } from "./mrkdwn.js";
import { DEPLOYMENT_STATUS_EMOJI, DEPLOYMENT_STATUS_LABEL, versionChange } from "./stage-format.js";

export interface AppHomeInput {
  userId: string;
  active: readonly DeploymentSnapshot[];
  /** Deployments waiting for an approval this user may give (the caller checked approvers and four-eyes). */
  pendingApprovals: readonly DeploymentSnapshot[];
  locks: readonly AppLock[];
  recent: readonly Deployment[];
  threadLinks: ThreadLinks;
  now: number;
}

const MAX_PENDING = 10;
const MAX_ACTIVE = 20;
const MAX_RECENT = 15;

export function appHome(input: AppHomeInput): HomeView {
  const { now } = input;
  const blocks: KnownBlock[] = [
    header("Kanaria"),
    context(`Hello ${mention(input.userId)} · as of ${slackDate(now, "date_time")}`),
  ];

  blocks.push(header("Waiting for your approval"));
  const pending = input.pendingApprovals.slice(0, MAX_PENDING);
  if (pending.length === 0) blocks.push(context("Nothing waits for you."));
  for (const snapshot of pending) blocks.push(...pendingItem(snapshot, input.threadLinks));
  if (input.pendingApprovals.length > MAX_PENDING)
    blocks.push(context(`… and ${input.pendingApprovals.length - MAX_PENDING} more`));

  blocks.push(divider(), header("Running now"));
  const active = input.active.slice(0, MAX_ACTIVE);
  if (active.length === 0) blocks.push(context("No deployment is running."));
  for (const snapshot of active) blocks.push(section(activeLine(snapshot, input.threadLinks, now)));
  if (input.active.length > MAX_ACTIVE)
    blocks.push(context(`… and ${input.active.length - MAX_ACTIVE} more`));

  blocks.push(divider(), header("Locks"));
  if (input.locks.length === 0) blocks.push(context("No app is locked."));
  else
    blocks.push(
      ...sectionsFromLines(
        input.locks.map((l) => lockLine(l, now)),
        2,
        "locks",
      ),
    );

  blocks.push(divider(), header("Recent deployments"));
  const recent = [...input.recent].sort((a, b) => b.createdAt - a.createdAt).slice(0, MAX_RECENT);
  if (recent.length === 0) blocks.push(context("No deployments yet."));
  else
    blocks.push(
      ...sectionsFromLines(
        recent.map((d) => historyLine(d, input.threadLinks, now)),
        3,
        "deployments",
      ),
    );

  return { type: "home", blocks: capBlocks(blocks, BLOCK_LIMITS.homeBlocks) };
}

function threadOf(snapshot: DeploymentSnapshot, links: ThreadLinks): string {
  const url = snapshot.threadUrl ?? links.get(snapshot.deployment.id);
  return url ? ` · ${link(url, "thread")}` : "";
}

function pendingItem(snapshot: DeploymentSnapshot, links: ThreadLinks): KnownBlock[] {
  const d = snapshot.deployment;
  const waiting = pendingApproval(snapshot);
  const raw = waiting?.approval.request.question ?? "waiting for approval";
  const question = userText(raw, 1000);
  const blocks: KnownBlock[] = [
    section(
      `⏸️ *${escapeMrkdwn(d.app)}* ${versionChange(d)} by ${mention(d.requester)}${threadOf(snapshot, links)}\n${question}`,
    ),
  ];
  if (waiting) {
    blocks.push(
      actions(`kanaria.home.${d.id}`.slice(0, 255), [
        button({
          actionId: ACTION_IDS.approve,
          text: "Approve",
          value: encodeActionValue({ deploymentId: d.id, stageIndex: waiting.stage.index }),
          style: "primary",
          confirm: {
            title: `Approve ${d.app} ${d.version}?`,
            text: userText(raw, 280),
            confirm: "Approve",
            deny: "Not yet",
          },
        }),
        button({
          actionId: ACTION_IDS.rollback,
          text: "Roll back",
          value: encodeActionValue({ deploymentId: d.id, stageIndex: undefined }),
          style: "danger",
          confirm: {
            title: `Roll back ${d.app} ${d.version}?`,
            text: "Traffic returns to 100% primary at once and the canary is removed.",
            confirm: "Roll back",
            deny: "Keep going",
          },
        }),
      ]),
    );
  }
  return blocks;
}

function activeLine(snapshot: DeploymentSnapshot, links: ThreadLinks, now: number): string {
  const d = snapshot.deployment;
  const stage = runningStage(snapshot);
  const visible = snapshot.stages.filter((s) => s.visible);
  const where = stage
    ? ` · ${stage.kind}${stage.visible ? ` (${visible.indexOf(stage) + 1}/${visible.length})` : ""}`
    : "";
  return `${DEPLOYMENT_STATUS_EMOJI[d.status]} *${escapeMrkdwn(d.app)}* ${versionChange(d)} · ${DEPLOYMENT_STATUS_LABEL[d.status].toLowerCase()}${where} · ${mention(d.requester)} ${ago(d.createdAt, now)}${threadOf(snapshot, links)}`;
}

function lockLine(lock: AppLock, now: number): string {
  return `🔒 *${userText(lock.app, 100)}* by ${mention(lock.owner)} ${ago(lock.createdAt, now)}: ${userText(lock.reason, 300)}`;
}
