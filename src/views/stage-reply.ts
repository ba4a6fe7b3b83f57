/**
 * One thread reply per event worth a notification: stage transitions, approvals, refusals and the
 * deployment's end. Progress ticks only redraw the root message (`undefined` here), and so do the
 * bookkeeping transitions a rollback makes to stages that never started. Final replies mention the
 * requester, and every reply carries the Slack ids the app's PipeCD-style `notification.mentions` ask to
 * notify for it.
 */
import type { KnownBlock } from "@slack/types";
import type { NotificationMention } from "../domain/app-config.js";
import type { EventType, TimelineEvent } from "../domain/deployment.js";
import { context, fallback, type MessagePayload, section } from "./block-kit.js";
import { type DeploymentSnapshot, decisions } from "./deployment-snapshot.js";
import { escapeMrkdwn, formatDuration, mention, reasonText, userText } from "./mrkdwn.js";
import { stageDetail, versionChange } from "./stage-format.js";

export interface StageReply extends MessagePayload {
  /** Slack user / user-group ids to notify, from the app's `notification.mentions`; also in the text. */
  mentions: string[];
}

/**
 * The PipeCD notification event names a Kanaria event answers to, so a `mentions:` block written for
 * PipeCD keeps working. A rolled-back deployment is a failed one in PipeCD's terms.
 */
const PIPECD_EVENTS: Partial<Record<EventType, readonly string[]>> = {
  DEPLOYMENT_REQUESTED: ["DEPLOYMENT_TRIGGERED"],
  DEPLOYMENT_STARTED: ["DEPLOYMENT_PLANNED"],
  DEPLOYMENT_WAITING_APPROVAL: ["DEPLOYMENT_WAIT_APPROVAL"],
  APPROVAL_RECORDED: ["DEPLOYMENT_APPROVED"],
  DEPLOYMENT_ROLLING_BACK: ["DEPLOYMENT_ROLLING_BACK"],
  DEPLOYMENT_SUCCEEDED: ["DEPLOYMENT_SUCCEEDED"],
  DEPLOYMENT_FAILED: ["DEPLOYMENT_FAILED"],
  DEPLOYMENT_ROLLED_BACK: ["DEPLOYMENT_FAILED"],
  DEPLOYMENT_CANCELLED: ["DEPLOYMENT_CANCELLED"],
};

/**
 * Who to mention for `type`: entries whose `event` is the PipeCD name (with or without PipeCD's `EVENT_`
 * prefix), Kanaria's own event name, or `*`. `*` covers the deployment-level events only — a mention on
 * every stage start would train people to ignore them. Deduplicated, in config order.
 */
export function mentionsFor(mentions: readonly NotificationMention[], type: EventType): string[] {
  const pipecd = PIPECD_EVENTS[type];
  const names = new Set<string>([type, ...(pipecd ?? [])]);
  const out: string[] = [];
  for (const entry of mentions) {
    const event = entry.event
      .trim()
      .toUpperCase()
      .replace(/^EVENT_/, "");
    const matches = names.has(event) || (event === "*" && pipecd !== undefined);
    if (!matches) continue;
    for (const id of entry.slack) if (!out.includes(id)) out.push(id);
  }
  return out;
}

export function stageReply(snapshot: DeploymentSnapshot, event: TimelineEvent): StageReply | undefined {
  const body = replyBody(snapshot, event);
  if (!body) return undefined;
  const mentions = mentionsFor(snapshot.deployment.appConfig.mentions, event.type);
  const blocks: KnownBlock[] = [section(body.text)];
  if (body.context) blocks.push(context(body.context));
  if (mentions.length > 0) blocks.push(context(`cc ${mentions.slice(0, 50).map(mention).join(" ")}`));
  const cc = mentions.length > 0 ? ` (cc ${mentions.slice(0, 50).map(mention).join(" ")})` : "";
  return { text: fallback(`${body.text}${cc}`), blocks, mentions };
}

interface Body {
  text: string;
  context?: string;
}

function replyBody(snapshot: DeploymentSnapshot, event: TimelineEvent): Body | undefined {
  const d = snapshot.deployment;
  const what = `${escapeMrkdwn(d.app)} ${d.version}`;
  const reason = reasonText(event.message, 1500);
  const by = event.actor !== undefined ? ` by ${mention(event.actor)}` : "";
  const requester = mention(d.requester);
  switch (event.type) {
    case "DEPLOYMENT_REQUESTED":
    case "DEPLOYMENT_STARTED":
    case "STAGE_PROGRESS":
      // Shown by the root message, which is posted or redrawn for them.
      return undefined;
    case "DEPLOYMENT_WAITING_APPROVAL":
      return {
        text: `⏸️ *Waiting for approval*: ${reason}`,
        context: "Use the buttons on the first message of this thread.",
      };
    case "FREEZE_OVERRIDDEN":
      return { text: `⚠️ *Freeze overridden*${by}: ${reason}` };
    case "DEPLOYMENT_RESUMED":
      return { text: `▶️ *Resumed*: ${reason}` };
    case "DEPLOYMENT_ROLLING_BACK":
      return event.actor !== undefined
        ? { text: `↩️ *Rolling back*${by}: traffic is going back to the primary.`, context: reason }
        : { text: `↩️ *Rolling back automatically*: ${reason}` };
    case "DEPLOYMENT_SUCCEEDED":
      return { text: `✅ ${requester} ${what} is live (${versionChange(d)}).${duration(snapshot)}` };
    case "DEPLOYMENT_ROLLED_BACK":
      return { text: `⏪ ${requester} ${what} was ${rollbackCause(snapshot)}`, context: reason };
    case "DEPLOYMENT_CANCELLED": {
      const cancel = decisions(snapshot).find((x) => x.kind === "CANCELLED");
      const who = cancel?.kind === "CANCELLED" ? ` by ${mention(cancel.actor)}` : by;
      return { text: `🚫 ${requester} ${what} was cancelled${who}.`, context: reason };
    }
    case "DEPLOYMENT_FAILED":
      return { text: `❌ ${requester} ${what} failed: ${reason}` };
    case "APPROVAL_RECORDED":
      return { text: `👍 *Approved*${by}${approvalCount(event)}` };
    case "COMMAND_REFUSED":
      return {
        text: `🙅 ${commandName(event)}${by} was refused: ${reasonText(afterColon(event.message), 1500)}`,
      };
    case "COMMAND_IGNORED":
      return {
        text: `ℹ️ ${commandName(event)}${by} changed nothing: ${reasonText(afterColon(event.message), 1500)}`,
      };
    case "ROLLBACK_BLOCKED":
      return {
        text: `🚧 *Rollback blocked*: ${reasonText(afterPrefix(event.message, "rollback blocked: "), 1500)}`,
        context:
          "Kanaria keeps trying on its own. On the first message of this thread: *Retry now*, or *Fixed by hand* once traffic is back on the primary and the deployment's task sets are gone.",
      };
    case "ROLLBACK_UNBLOCKED":
      return { text: `🟢 *Rollback going again*: ${reason}` };
    case "ROLLBACK_ESCALATED": {
      const people = [d.requester, ...d.access.approvers.filter((a) => a !== d.requester)];
      return {
        text: `🆘 ${people.slice(0, 30).map(mention).join(" ")} *the rollback needs you*: ${reasonText(afterPrefix(event.message, "rollback needs people: "), 1500)}`,
        context: "The rollback of this deployment needs a person: traffic may still reach the new version.",
      };
    }
    case "CLEAN_START":
      return { text: `🧹 *Clean start*: ${reason}` };
    case "STAGE_STARTED":
    case "STAGE_RESUMED":
    case "STAGE_SUCCEEDED":
    case "STAGE_FAILED":
    case "STAGE_SKIPPED":
    case "STAGE_CANCELLED":
      return stageBody(snapshot, event);
  }
}

function stageBody(snapshot: DeploymentSnapshot, event: TimelineEvent): Body | undefined {
  const stage = snapshot.stages.find((s) => s.index === event.stageIndex);
  if (!stage) return undefined;
  // A rollback cancels every stage not yet run and skips an unneeded ROLLBACK: not news.
  const from = event.data.from;
  if (
    (event.type === "STAGE_CANCELLED" || event.type === "STAGE_SKIPPED") &&
    from === "NOT_STARTED" &&
    event.actor === undefined
  )
    return undefined;
  const visible = snapshot.stages.filter((s) => s.visible);
  const position = stage.visible ? ` (${visible.indexOf(stage) + 1}/${visible.length})` : "";
  const detail = stageDetail(stage);
  const name = `*${stage.kind}*${position}${detail ? ` · ${detail}` : ""}`;
  const reason = reasonText(event.message, 1500);
  const by = event.actor !== undefined ? ` by ${mention(event.actor)}` : "";
  const took =
    stage.startedAt !== undefined && stage.finishedAt !== undefined
      ? ` after ${formatDuration(stage.finishedAt - stage.startedAt)}`
      : "";
  const desc = stage.description.trim() ? userText(stage.description.trim(), 300) : undefined;
  switch (event.type) {
    case "STAGE_STARTED":
      return { text: `⏳ ${name} started`, ...(desc ? { context: desc } : {}) };
    case "STAGE_RESUMED":
      return { text: `🔄 ${name} resumed after a restart` };
    case "STAGE_SUCCEEDED":
      return {
        text: `✅ ${name} done${took}`,
        ...(event.message && event.message !== desc ? { context: reason } : {}),
      };
    case "STAGE_FAILED":
      return { text: `❌ ${name} failed${took}: ${reason}` };
    case "STAGE_SKIPPED":
      return { text: `⏭️ ${name} skipped${by}`, context: reason };
    default:
      return { text: `✖️ ${name} cancelled${by}`, context: reason };
  }
}

function duration(snapshot: DeploymentSnapshot): string {
  const { startedAt, finishedAt } = snapshot.deployment;
  return startedAt !== undefined && finishedAt !== undefined
    ? ` Took ${formatDuration(finishedAt - startedAt)}.`
    : "";
}

/** Why the rollback began (the ROLLING_BACK event), which the final event no longer says. */
function rollbackCause(snapshot: DeploymentSnapshot): string {
  const started = snapshot.events.filter((e) => e.type === "DEPLOYMENT_ROLLING_BACK").at(-1);
  if (!started) return "rolled back.";
  if (started.actor !== undefined) return `rolled back by ${mention(started.actor)}.`;
  return `rolled back automatically: ${reasonText(started.message, 1500)}`;
}

function approvalCount(event: TimelineEvent): string {
  const { approvals, needed } = event.data;
  return typeof approvals === "number" && typeof needed === "number" && needed > 1
    ? ` (${approvals}/${needed})`
    : "";
}

function commandName(event: TimelineEvent): string {
  const kind = typeof event.data.kind === "string" ? event.data.kind : "command";
  return `*${escapeMrkdwn(kind.toLowerCase().replaceAll("_", " "))}*`;
}

/** The message without the prefix the timeline gives it (the reply says it with an emoji instead). */
function afterPrefix(message: string, prefix: string): string {
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

/** Command events read `<KIND> by <actor>: <reason>`; the reason is what people need. */
function afterColon(message: string): string {
  const i = message.indexOf(": ");
  return i >= 0 ? message.slice(i + 2) : message;
}
