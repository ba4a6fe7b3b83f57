/**
 * Applies one command (APPROVE, ROLLBACK, CANCEL, SKIP_STAGE, PROMOTE, RETRY_ROLLBACK, MARK_FIXED) to a
 * deployment. Called by the
 * runner between steps — never while an executor step is in flight — inside the journal transaction
 * that also marks the command handled, so each command takes effect at most once.
 */
import { type ApprovalRules, checkApprover, mayApprove } from "../domain/approval.js";
import type { Command, CommandOutcome, Deployment, Stage } from "../domain/deployment.js";
import { isTerminalDeploymentStatus, isTerminalStageStatus } from "../domain/status.js";
import type { Store } from "../store/store.js";
import { beginRollback } from "./begin-rollback.js";
import type { JournalWriter } from "./journal.js";

interface Verdict {
  outcome: CommandOutcome;
  reason: string;
}

/** Kinds of stage that only check or wait; PROMOTE skips them all. */
const GATE_KINDS = new Set(["WAIT", "WAIT_APPROVAL", "ANALYSIS"]);

export function applyCommand(w: JournalWriter, store: Store, command: Command): void {
  const fresh = store.commands.get(command.id);
  if (!fresh || fresh.handledAt !== undefined) return;
  const verdict = decide(w, store, command);
  store.commands.markHandled(command.id, w.now, verdict.outcome, verdict.reason);
  if (verdict.outcome !== "APPLIED") {
    w.event({
      type: verdict.outcome === "REFUSED" ? "COMMAND_REFUSED" : "COMMAND_IGNORED",
      actor: command.actor,
      message: `${command.kind} by ${command.actor}: ${verdict.reason}`,
      data: { commandId: command.id, kind: command.kind },
    });
  }
}

function decide(w: JournalWriter, store: Store, command: Command): Verdict {
  const deployment = w.deployment();
  if (isTerminalDeploymentStatus(deployment.status)) {
    return { outcome: "IGNORED", reason: `the deployment already ended (${deployment.status})` };
  }
  switch (command.kind) {
    case "CANCEL":
    case "ROLLBACK": {
      const cause = command.kind === "CANCEL" ? "CANCEL" : "COMMAND";
      const verb = command.kind === "CANCEL" ? "cancelled" : "rollback requested";
      const started = beginRollback(w, store, cause, `${verb} by ${command.actor}`, command.actor);
      return started === "ALREADY"
        ? { outcome: "IGNORED", reason: "a rollback is already running" }
        : { outcome: "APPLIED", reason: verb };
    }
    case "APPROVE":
      return approve(w, store, deployment, command);
    case "SKIP_STAGE":
      return skip(w, deployment, command);
    case "PROMOTE":
      return promote(w, deployment, command);
    case "RETRY_ROLLBACK":
      return retryRollback(w, command);
    case "MARK_FIXED":
      return markFixed(w, deployment, command);
  }
}

/** The blocked ROLLBACK stage, if the deployment is rolling back and AWS refused its last attempt. */
function blockedRollback(w: JournalWriter): Stage | undefined {
  if (w.deployment().status !== "ROLLING_BACK") return undefined;
  const stage = w.stages().find((s) => s.kind === "ROLLBACK" && s.status === "RUNNING");
  return stage?.state.rollbackBlock ? stage : undefined;
}

/**
 * Retry now: the runner is woken by every new command and steps the rollback at once, so the command
 * only has to be recorded (and shown, for the audit).
 */
function retryRollback(w: JournalWriter, command: Command): Verdict {
  const stage = blockedRollback(w);
  if (!stage) return { outcome: "IGNORED", reason: "no blocked rollback to retry" };
  w.event({
    type: "STAGE_PROGRESS",
    stageIndex: stage.index,
    actor: command.actor,
    message: `retry asked by ${command.actor}`,
    data: { commandId: command.id },
  });
  return { outcome: "APPLIED", reason: "retrying the rollback now" };
}

/**
 * Fixed by hand: a person says traffic is back on a live primary and the deployment's task sets are
 * gone. Kanaria cannot check it while AWS refuses it, so the rollback ends on their word, recorded with
 * their name; the next deployment's clean start checks the world again before it changes anything.
 */
function markFixed(w: JournalWriter, deployment: Deployment, command: Command): Verdict {
  const stage = blockedRollback(w);
  if (!stage) {
    return {
      outcome: "IGNORED",
      reason:
        deployment.status === "ROLLING_BACK"
          ? "the rollback is not blocked: it is still working on its own"
          : "no rollback is running",
    };
  }
  const by = { actor: command.actor };
  w.setStageStatus(stage.index, "SUCCESS", `marked fixed by hand by ${command.actor}`, by);
  const final = deployment.rollbackCause === "CANCEL" ? "CANCELLED" : "ROLLED_BACK";
  w.setDeploymentStatus(
    final,
    `rollback marked fixed by hand by ${command.actor} (not checked by Kanaria; the next deployment checks the listener and task sets before it starts)`,
    by,
  );
  return { outcome: "APPLIED", reason: "rollback marked fixed by hand" };
}

function currentStage(stages: readonly Stage[]): Stage | undefined {
  return stages.find((s) => s.kind !== "ROLLBACK" && !isTerminalStageStatus(s.status));
}

/**
 * The approval rules for the stage waiting now: the stage's own approvers when it names some, else the
 * app's. Exported for the Slack edge, which answers a refused click at once with the same rules.
 */
export function approvalRulesFor(deployment: Deployment, stage: Stage | undefined): ApprovalRules {
  const request = stage?.state.approval?.request;
  return {
    approvers: request && request.approvers.length > 0 ? request.approvers : deployment.access.approvers,
    minApproverNum: request?.minApproverNum ?? 1,
    fourEyes: deployment.access.fourEyes,
    requester: deployment.requester,
  };
}

function approve(w: JournalWriter, store: Store, deployment: Deployment, command: Command): Verdict {
  const stage = currentStage(w.stages());
  const approval = stage?.state.approval;
  if (stage?.status !== "RUNNING" || !approval) {
    return { outcome: "IGNORED", reason: "nothing is waiting for approval" };
  }
  const rules = approvalRulesFor(deployment, stage);
  const check = checkApprover(rules, approval.approvals, command.actor, command.actorGroups);
  if (!check.ok) return { outcome: "REFUSED", reason: check.reason };
  const approvals = [...approval.approvals, { actor: command.actor, at: w.now }];
  store.stages.setState(deployment.id, stage.index, { ...stage.state, approval: { ...approval, approvals } });
  const count = new Set(approvals.map((a) => a.actor)).size;
  w.event({
    type: "APPROVAL_RECORDED",
    stageIndex: stage.index,
    actor: command.actor,
    message: `approved by ${command.actor} (${count}/${rules.minApproverNum})`,
    data: { approvals: count, needed: rules.minApproverNum },
  });
  return { outcome: "APPLIED", reason: "approval recorded" };
}

function skip(w: JournalWriter, deployment: Deployment, command: Command): Verdict {
  if (deployment.status === "ROLLING_BACK")
    return { outcome: "REFUSED", reason: "a rollback cannot be skipped" };
  const stage = currentStage(w.stages());
  if (!stage) return { outcome: "IGNORED", reason: "no stage left to skip" };
  // Skipping a stage that waits for people would bypass the approval, so it takes an approver.
  if (stage.state.approval || stage.kind === "WAIT_APPROVAL") {
    const allowed = mayApprove(approvalRulesFor(deployment, stage), command.actor, command.actorGroups);
    if (!allowed.ok) return { outcome: "REFUSED", reason: allowed.reason };
  }
  w.setStageStatus(stage.index, "SKIPPED", `skipped by ${command.actor}`, { actor: command.actor });
  return { outcome: "APPLIED", reason: `${stage.kind} skipped` };
}

function promote(w: JournalWriter, deployment: Deployment, command: Command): Verdict {
  if (deployment.status === "ROLLING_BACK")
    return { outcome: "REFUSED", reason: "the deployment is rolling back" };
  const gates = w.stages().filter((s) => GATE_KINDS.has(s.kind) && !isTerminalStageStatus(s.status));
  if (gates.length === 0)
    return { outcome: "IGNORED", reason: "no waits, approvals or analyses left to skip" };
  // Promotion bypasses every remaining check, so only someone who could approve may do it.
  const allowed = mayApprove(approvalRulesFor(deployment, gates[0]), command.actor, command.actorGroups);
  if (!allowed.ok) return { outcome: "REFUSED", reason: allowed.reason };
  for (const gate of gates) {
    w.setStageStatus(gate.index, "SKIPPED", `promoted by ${command.actor}`, { actor: command.actor });
  }
  return { outcome: "APPLIED", reason: `promoted: ${gates.length} check stage(s) skipped` };
}
