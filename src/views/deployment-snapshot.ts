/**
 * What every deployment view is drawn from: one deployment with its stages, timeline and analysis ticks,
 * read by the caller in one go. The selectors here answer the questions several views ask (which stage
 * runs, is anyone asked to approve, who decided what) so that the root message, the replies and the
 * App Home never disagree.
 */

import type { ApprovalState } from "../domain/approval-state.js";
import type { Deployment, Stage, TimelineEvent } from "../domain/deployment.js";
import type { Measurement } from "../domain/measurement.js";
import type { RollbackBlock } from "../domain/rollback-block.js";
import { lastSetTraffic, type TrafficSplit } from "../domain/traffic-split.js";

export interface DeploymentSnapshot {
  deployment: Deployment;
  /** In index order. */
  stages: Stage[];
  /** The timeline, in id (= time) order. */
  events: TimelineEvent[];
  /** Ticks of the deployment's analysis stages, all of them. */
  measurements: Measurement[];
  /** Permalink of the deployment's Slack thread, when it has one. */
  threadUrl?: string;
}

/** The stage being executed now, if any (the ROLLBACK stage while rolling back). */
export function runningStage(snapshot: DeploymentSnapshot): Stage | undefined {
  return snapshot.stages.find((s) => s.status === "RUNNING");
}

export interface PendingApproval {
  stage: Stage;
  approval: ApprovalState;
}

/**
 * The stage that waits for people right now: a WAIT_APPROVAL stage, or an ANALYSIS paused because it
 * cannot decide. Undefined while rolling back or once the deployment ended, whatever the stage state says.
 */
export function pendingApproval(snapshot: DeploymentSnapshot): PendingApproval | undefined {
  const { status } = snapshot.deployment;
  if (status !== "RUNNING" && status !== "WAITING_APPROVAL") return undefined;
  const stage = runningStage(snapshot);
  if (!stage || (stage.kind !== "WAIT_APPROVAL" && stage.kind !== "ANALYSIS")) return undefined;
  const approval = stage.state.approval;
  return approval ? { stage, approval } : undefined;
}

/** Whether the Roll back button makes sense: the deployment still runs and no rollback has begun. */
export function canRollBack(snapshot: DeploymentSnapshot): boolean {
  const { status } = snapshot.deployment;
  return status === "PLANNED" || status === "RUNNING" || status === "WAITING_APPROVAL";
}

/** The ROLLBACK stage while AWS refuses it, with what blocks it (see `domain/rollback-block.ts`). */
export function blockedRollback(
  snapshot: DeploymentSnapshot,
): { stage: Stage; block: RollbackBlock } | undefined {
  if (snapshot.deployment.status !== "ROLLING_BACK") return undefined;
  const stage = snapshot.stages.find((s) => s.kind === "ROLLBACK" && s.status === "RUNNING");
  const block = stage?.state.rollbackBlock;
  return stage && block ? { stage, block } : undefined;
}

/** Something people (or Kanaria on its own) decided, as the timeline recorded it. */
export type Decision =
  | {
      kind: "APPROVED";
      actor: string;
      at: number;
      stageIndex: number | undefined;
      count: number;
      needed: number;
    }
  | { kind: "PROMOTED" | "SKIPPED"; actor: string; at: number; stageIndex: number | undefined }
  | { kind: "ROLLED_BACK" | "CANCELLED"; actor: string; at: number }
  | { kind: "AUTO_ROLLBACK"; reason: string; at: number };

/** Every decision in time order. */
export function decisions(snapshot: DeploymentSnapshot): Decision[] {
  const out: Decision[] = [];
  for (const e of snapshot.events) {
    const decision = decisionOf(snapshot.deployment, e);
    // A promotion skips several stages at once: one decision, not one per stage.
    const last = out[out.length - 1];
    if (decision?.kind === "PROMOTED" && last?.kind === "PROMOTED" && last.actor === decision.actor) continue;
    if (decision) out.push(decision);
  }
  return out;
}

function decisionOf(deployment: Deployment, e: TimelineEvent): Decision | undefined {
  switch (e.type) {
    case "APPROVAL_RECORDED":
      return e.actor === undefined
        ? undefined
        : {
            kind: "APPROVED",
            actor: e.actor,
            at: e.at,
            stageIndex: e.stageIndex,
            count: numberOr(e.data.approvals, 1),
            needed: numberOr(e.data.needed, 1),
          };
    case "STAGE_SKIPPED":
      if (e.actor === undefined) return undefined;
      return {
        kind: e.message.startsWith("promoted") ? "PROMOTED" : "SKIPPED",
        actor: e.actor,
        at: e.at,
        stageIndex: e.stageIndex,
      };
    case "DEPLOYMENT_ROLLING_BACK":
      if (e.actor === undefined) return { kind: "AUTO_ROLLBACK", reason: e.message, at: e.at };
      return {
        kind: deployment.rollbackCause === "CANCEL" ? "CANCELLED" : "ROLLED_BACK",
        actor: e.actor,
        at: e.at,
      };
    case "DEPLOYMENT_CANCELLED":
      // A cancel after changes went through ROLLING_BACK (recorded above); this is the one before any.
      return e.actor === undefined ? undefined : { kind: "CANCELLED", actor: e.actor, at: e.at };
    default:
      return undefined;
  }
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

export type { TrafficSplit };

/** The listener weights as the pipeline last set them (see `lastSetTraffic`). */
export function currentTraffic(snapshot: DeploymentSnapshot): TrafficSplit | undefined {
  return lastSetTraffic(snapshot.stages);
}

/** The analysis stage to show: the running one, else the last one that started. */
export function currentAnalysis(snapshot: DeploymentSnapshot): Stage<"ANALYSIS"> | undefined {
  const started = snapshot.stages.filter((s) => s.kind === "ANALYSIS" && s.startedAt !== undefined);
  const running = started.find((s) => s.status === "RUNNING");
  return (running ?? started[started.length - 1]) as Stage<"ANALYSIS"> | undefined;
}

/** The stage's ticks of one metric, in time order. */
export function metricTicks(snapshot: DeploymentSnapshot, stageIndex: number, metric: string): Measurement[] {
  return snapshot.measurements
    .filter((m) => m.stageIndex === stageIndex && m.metric === metric)
    .sort((a, b) => a.at - b.at);
}

/** How a stage is named in replies: its kind, and its description when it has one (not escaped). */
export function stageLabel(stage: Stage): string {
  return stage.description.trim().length > 0 ? `${stage.kind} — ${stage.description.trim()}` : stage.kind;
}
