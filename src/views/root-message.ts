/**
 * The root message of a deployment's thread, redrawn in place after every event: what is deployed, by
 * whom and why, where each stage stands, how traffic is split, how far the analysis got, and — while
 * people can still act — the Approve and Roll back buttons. Once someone acted the buttons give way to
 * a line saying who did what and when, so a stale button is never left to click.
 */
import type { Button, KnownBlock } from "@slack/types";
import { analysisElapsed, analysisSpan } from "../domain/analysis-window.js";
import type { RollbackBlock } from "../domain/rollback-block.js";
import { ACTION_IDS, encodeActionValue } from "./action-ids.js";
import {
  actions,
  BLOCK_LIMITS,
  button,
  capBlocks,
  context,
  fallback,
  header,
  type MessagePayload,
  section,
  sectionsFromLines,
} from "./block-kit.js";
import {
  blockedRollback,
  canRollBack,
  currentAnalysis,
  currentTraffic,
  type Decision,
  type DeploymentSnapshot,
  decisions,
  metricTicks,
  type PendingApproval,
  pendingApproval,
  type TrafficSplit,
} from "./deployment-snapshot.js";
import { escapeMrkdwn, formatDuration, mention, reasonText, slackDate, userText } from "./mrkdwn.js";
import {
  checklistLine,
  DEPLOYMENT_STATUS_EMOJI,
  DEPLOYMENT_STATUS_LABEL,
  VERDICT_EMOJI,
  versionChange,
} from "./stage-format.js";

/** How many decisions the root keeps (one context block holds at most 10 elements). */
const MAX_DECISIONS = BLOCK_LIMITS.contextElements;

export function rootMessage(snapshot: DeploymentSnapshot, now: number): MessagePayload {
  const { deployment: d } = snapshot;
  const pending = pendingApproval(snapshot);
  const emoji = DEPLOYMENT_STATUS_EMOJI[d.status];
  const label = DEPLOYMENT_STATUS_LABEL[d.status];

  const blocks: KnownBlock[] = [header(`${emoji} ${d.app} ${versionChange(d)}`)];
  blocks.push(section(summaryText(snapshot)));
  blocks.push(...checklist(snapshot, pending !== undefined, now));

  const traffic = currentTraffic(snapshot);
  if (traffic) blocks.push(context(`*Traffic*  ${trafficBar(traffic)}`));

  const analysis = analysisProgress(snapshot, now);
  if (analysis) blocks.push(section(analysis));

  if (pending) blocks.push(section(pendingText(pending)));
  const blocked = blockedRollback(snapshot);
  if (blocked) blocks.push(section(blockedText(blocked.block, now)));
  const decided = decisions(snapshot).slice(-MAX_DECISIONS).map(decisionLine);
  if (decided.length > 0) blocks.push(context(...decided));

  const buttons = buttonsFor(snapshot, pending);
  if (buttons.length > 0) blocks.push(actions(`kanaria.root.${d.id}`.slice(0, 255), buttons));

  const timing =
    d.startedAt === undefined
      ? `requested ${slackDate(d.createdAt, "date_time")}`
      : `started ${slackDate(d.startedAt, "date_time")} · ${d.finishedAt === undefined ? "running for" : "took"} ${formatDuration((d.finishedAt ?? now) - d.startedAt)}`;
  blocks.push(context(`deployment \`${escapeMrkdwn(d.id)}\` · ${timing}`));

  const text = `${emoji} ${escapeMrkdwn(d.app)} ${versionChange(d)}: ${label} — requested by ${mention(d.requester)}`;
  return { text: fallback(text), blocks: capBlocks(blocks, BLOCK_LIMITS.messageBlocks) };
}

function summaryText(snapshot: DeploymentSnapshot): string {
  const d = snapshot.deployment;
  const lines = [
    `*${DEPLOYMENT_STATUS_LABEL[d.status]}*${d.statusReason ? ` — ${reasonText(d.statusReason, 600)}` : ""}`,
    `*Requested by* ${mention(d.requester)} ${slackDate(d.createdAt, "date_time")}`,
  ];
  if (d.reason.trim()) lines.push(`*Reason* ${userText(d.reason.trim(), 1000)}`);
  return lines.join("\n");
}

/** Visible stages always; hidden ones (the automatic ROLLBACK) only once they ran. */
function checklist(snapshot: DeploymentSnapshot, waiting: boolean, now: number): KnownBlock[] {
  const shown = snapshot.stages.filter((s) => s.visible || s.startedAt !== undefined);
  const lines = shown.map((s) => checklistLine(s, waiting && s.status === "RUNNING", now));
  return lines.length > 0 ? sectionsFromLines(lines, 3, "stages") : [];
}

const BAR_CELLS = 10;

/** `primary ▇▇▇▇▇▇▇▇▇ 90% · canary ▇ 10%`: one cell per 10%, at least one for any non-zero weight. */
export function trafficBar(split: TrafficSplit): string {
  const parts = (["primary", "canary", "baseline"] as const)
    .filter((k) => split[k] > 0)
    .map((k) => `${k} ${"▇".repeat(Math.max(1, Math.round((split[k] / 100) * BAR_CELLS)))} ${split[k]}%`);
  return parts.length > 0 ? parts.join(" · ") : "no traffic";
}

/** `▰▰▰▱▱▱▱▱▱▱ 30%`. */
export function progressBar(fraction: number): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(f * BAR_CELLS);
  return `${"▰".repeat(filled)}${"▱".repeat(BAR_CELLS - filled)} ${Math.round(f * 100)}%`;
}

function analysisProgress(snapshot: DeploymentSnapshot, now: number): string | undefined {
  const stage = currentAnalysis(snapshot);
  if (!stage || stage.startedAt === undefined) return undefined;
  const { durationMs, metrics } = stage.options;
  const span = analysisSpan({
    analysisStart: stage.state.analysisStart,
    analysisEnd: stage.state.analysisEnd,
    startedAt: stage.startedAt,
    durationMs,
  });
  const { elapsedMs, totalMs, fraction } = analysisElapsed(span, stage.finishedAt ?? now);
  // The analysis outlasts its duration by its providers' lag (and a window in front when it started
  // mid-minute); say so, or 12m / 32m puzzles people.
  const lagNote =
    totalMs > durationMs ? ` (${formatDuration(durationMs)} of traffic, judged as its metrics arrive)` : "";
  const lines = [
    `*Analysis* ${progressBar(fraction)} · ${formatDuration(elapsedMs)} / ${formatDuration(totalMs)}${lagNote}`,
  ];
  for (const metric of metrics.slice(0, 15)) {
    const ticks = metricTicks(snapshot, stage.index, metric.common.name);
    const last = ticks[ticks.length - 1];
    const name = `*${userText(metric.common.name, 80)}*${metric.common.dryRun ? " _(dry run)_" : ""}`;
    if (!last) {
      lines.push(`• ${name}: waiting for the first ${formatDuration(metric.common.intervalMs)} window`);
      continue;
    }
    const reason = typeof last.data.reason === "string" ? last.data.reason : last.verdict;
    const checks = `${ticks.length} check${ticks.length === 1 ? "" : "s"}`;
    lines.push(`• ${name} ${VERDICT_EMOJI[last.verdict] ?? "•"} ${checks} — ${userText(reason, 160)}`);
  }
  if (metrics.length > 15) lines.push(`… and ${metrics.length - 15} more metrics`);
  return lines.join("\n");
}

function blockedText(block: RollbackBlock, now: number): string {
  const next = Math.max(0, block.retryAt - now);
  return `🚧 *Rollback blocked* for ${formatDuration(now - block.since)} (${block.attempts} failed attempt${block.attempts === 1 ? "" : "s"}, next in ${formatDuration(next)}): ${reasonText(block.error, 800)}`;
}

function pendingText(pending: PendingApproval): string {
  const { request, approvals } = pending.approval;
  const who =
    request.approvers.length > 0
      ? ` · approvers: ${request.approvers.slice(0, 20).map(mention).join(" ")}`
      : "";
  const count =
    request.minApproverNum > 1
      ? ` (${new Set(approvals.map((a) => a.actor)).size}/${request.minApproverNum})`
      : "";
  return `⏸️ *Waiting for approval*${count}: ${userText(request.question, 1200)}${who}`;
}

export function decisionLine(decision: Decision): string {
  const at = slackDate(decision.at);
  switch (decision.kind) {
    case "APPROVED":
      return `👍 Approved by ${mention(decision.actor)} at ${at}${decision.needed > 1 ? ` (${decision.count}/${decision.needed})` : ""}`;
    case "PROMOTED":
      return `⏩ Promoted by ${mention(decision.actor)} at ${at}`;
    case "SKIPPED":
      return `⏭️ Stage skipped by ${mention(decision.actor)} at ${at}`;
    case "ROLLED_BACK":
      return `↩️ Rolled back by ${mention(decision.actor)} at ${at}`;
    case "CANCELLED":
      return `🚫 Cancelled by ${mention(decision.actor)} at ${at}`;
    case "AUTO_ROLLBACK":
      return `↩️ Rolled back automatically at ${at}: ${reasonText(decision.reason, 500)}`;
  }
}

function buttonsFor(snapshot: DeploymentSnapshot, pending: PendingApproval | undefined): Button[] {
  const d = snapshot.deployment;
  const out: Button[] = [];
  const what = `${d.app} ${d.version}`;
  if (pending) {
    const { request, approvals } = pending.approval;
    const have = new Set(approvals.map((a) => a.actor)).size;
    out.push(
      button({
        actionId: ACTION_IDS.approve,
        text: request.minApproverNum > 1 ? `Approve (${have}/${request.minApproverNum})` : "Approve",
        value: encodeActionValue({ deploymentId: d.id, stageIndex: pending.stage.index }),
        style: "primary",
        confirm: {
          title: `Approve ${what}?`,
          text: userText(request.question, 280),
          confirm: "Approve",
          deny: "Not yet",
        },
      }),
    );
  }
  const blocked = blockedRollback(snapshot);
  if (blocked) {
    const target = encodeActionValue({ deploymentId: d.id, stageIndex: blocked.stage.index });
    out.push(
      button({ actionId: ACTION_IDS.retryRollback, text: "Retry now", value: target, style: "primary" }),
      button({
        actionId: ACTION_IDS.markFixed,
        text: "Fixed by hand",
        value: target,
        style: "danger",
        confirm: {
          title: `Mark the rollback of ${what} fixed?`,
          text: "Only if traffic is 100% on the primary and this deployment's task sets are deleted: Kanaria stops retrying and records your name. The next deployment checks the listener and task sets first.",
          confirm: "It is fixed",
          deny: "Keep retrying",
        },
      }),
    );
  }
  if (canRollBack(snapshot)) {
    const back =
      d.previousVersion === undefined
        ? "removes what this deployment created"
        : `goes back to ${d.previousVersion}`;
    out.push(
      button({
        actionId: ACTION_IDS.rollback,
        text: "Roll back",
        value: encodeActionValue({ deploymentId: d.id, stageIndex: undefined }),
        style: "danger",
        confirm: {
          title: `Roll back ${what}?`,
          text: `Traffic returns to 100% primary at once, the canary is removed and ${escapeMrkdwn(d.app)} ${back}.`,
          confirm: "Roll back",
          deny: "Keep going",
        },
      }),
    );
  }
  return out;
}
