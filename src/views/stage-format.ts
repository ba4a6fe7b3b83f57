/**
 * How statuses, stages and verdicts look in every view: one emoji and one phrase each, so the root
 * message, the replies, `/deploy status` and the App Home speak the same language.
 */
import type { Deployment, Stage } from "../domain/deployment.js";
import type { DeploymentStatus } from "../domain/status.js";
import { formatDuration, reasonText, userText } from "./mrkdwn.js";

export const DEPLOYMENT_STATUS_EMOJI: { readonly [S in DeploymentStatus]: string } = {
  PLANNED: "🕒",
  RUNNING: "🚀",
  WAITING_APPROVAL: "⏸️",
  ROLLING_BACK: "↩️",
  SUCCESS: "✅",
  FAILURE: "❌",
  ROLLED_BACK: "⏪",
  CANCELLED: "🚫",
};

export const DEPLOYMENT_STATUS_LABEL: { readonly [S in DeploymentStatus]: string } = {
  PLANNED: "Planned",
  RUNNING: "Running",
  WAITING_APPROVAL: "Waiting for approval",
  ROLLING_BACK: "Rolling back",
  SUCCESS: "Live",
  FAILURE: "Failed",
  ROLLED_BACK: "Rolled back",
  CANCELLED: "Cancelled",
};

/** ✅ done, ⏳ running, ⏸ waiting for people, ❌ failed, ⏭ skipped, ✖️ cancelled, ▫️ not started. */
export function stageEmoji(stage: Stage, waiting: boolean): string {
  switch (stage.status) {
    case "SUCCESS":
      return "✅";
    case "RUNNING":
      return waiting ? "⏸️" : "⏳";
    case "FAILURE":
      return "❌";
    case "SKIPPED":
      return "⏭️";
    case "CANCELLED":
      return "✖️";
    case "NOT_STARTED":
      return "▫️";
  }
}

export const VERDICT_EMOJI: Readonly<Record<string, string>> = {
  PASS: "✅",
  FAIL: "❌",
  NO_DATA: "⚪",
  ERROR: "⚠️",
  DATA_ERROR: "🚫",
};

/** `v1.4.1 → v1.4.2`, or `v1.4.2 (first deployment)`. Not escaped: versions are Docker tags. */
export function versionChange(d: Pick<Deployment, "version" | "previousVersion">): string {
  return d.previousVersion === undefined
    ? `${d.version} (first deployment)`
    : `${d.previousVersion} → ${d.version}`;
}

/** What the stage is configured to do, in a few words (mrkdwn-safe). */
export function stageDetail(stage: Stage): string {
  switch (stage.kind) {
    case "ECS_CANARY_ROLLOUT":
    case "ECS_BASELINE_ROLLOUT":
      return `scale ${(stage as Stage<"ECS_CANARY_ROLLOUT">).options.scale}%`;
    case "ECS_TRAFFIC_ROUTING":
      return trafficText((stage as Stage<"ECS_TRAFFIC_ROUTING">).options);
    case "WAIT":
      return formatDuration((stage as Stage<"WAIT">).options.durationMs);
    case "WAIT_APPROVAL": {
      const n = (stage as Stage<"WAIT_APPROVAL">).options.minApproverNum;
      return `${n} approval${n === 1 ? "" : "s"}`;
    }
    case "ANALYSIS": {
      const { durationMs, metrics } = (stage as Stage<"ANALYSIS">).options;
      return `${formatDuration(durationMs)}, ${metrics.length} metric${metrics.length === 1 ? "" : "s"}`;
    }
    default:
      return "";
  }
}

/** `primary 90% · canary 10%`: the non-zero weights. */
export function trafficText(split: { primary: number; canary: number; baseline: number }): string {
  const parts = (["primary", "canary", "baseline"] as const)
    .filter((k) => split[k] > 0)
    .map((k) => `${k} ${split[k]}%`);
  return parts.length > 0 ? parts.join(" · ") : "no traffic";
}

/** One checklist line: emoji, name, what it does, how long it took, and why it ended as it did. */
export function checklistLine(stage: Stage, waiting: boolean, now: number): string {
  const name = `*${stage.kind}*${stage.description.trim() ? ` ${userText(stage.description.trim(), 80)}` : ""}`;
  const detail = stageDetail(stage);
  const parts = [`${stageEmoji(stage, waiting)} ${name}`];
  if (detail) parts.push(detail);
  if (stage.startedAt !== undefined) parts.push(formatDuration((stage.finishedAt ?? now) - stage.startedAt));
  let line = parts.join(" · ");
  const showReason =
    stage.status === "FAILURE" ||
    stage.status === "SKIPPED" ||
    (stage.status === "CANCELLED" && stage.startedAt !== undefined);
  if (showReason && stage.statusReason) line += ` — ${reasonText(stage.statusReason, 200)}`;
  return line;
}
