/**
 * The Approve and Roll back buttons, and a blocked rollback's Retry now and Fixed by hand. A click is
 * checked here first so that someone who may not approve gets an ephemeral refusal at once and nothing
 * is recorded; an allowed click becomes a command for the engine, keyed by Slack's trigger id, so the
 * same click delivered twice is recorded once. The engine stays the authority (it checks the approval
 * rules again when it applies the command); the root message then shows who decided, in place of the
 * buttons.
 */
import { checkApprover } from "../domain/approval.js";
import type { CommandKind } from "../domain/deployment.js";
import { approvalRulesFor } from "../engine/apply-command.js";
import { actionName, decodeActionValue } from "../views/action-ids.js";
import * as buttonReplies from "../views/button-replies.js";
import * as replies from "../views/command-replies.js";
import { pendingApproval } from "../views/deployment-snapshot.js";
import { refusalReply } from "../views/refusal-replies.js";
import { readSnapshot } from "./read-snapshot.js";
import { checkMayStop, groupsMentioned } from "./slack-access.js";
import { actorOf, type SlackContext } from "./slack-context.js";

export interface ButtonClick {
  actionId: string;
  value: string | undefined;
  user: string;
  triggerId: string;
}

/** Returns the ephemeral answer for the clicker, or undefined when the click was taken (nothing to say). */
export async function handleButton(
  ctx: SlackContext,
  click: ButtonClick,
): Promise<replies.EphemeralReply | undefined> {
  const name = actionName(click.actionId);
  const target = decodeActionValue(click.value);
  if (!name || !target) return buttonReplies.unknownButton();
  const snapshot = readSnapshot(ctx.store, target.deploymentId, ctx.workspaceUrl());
  if (!snapshot) return buttonReplies.deploymentGone(target.deploymentId);
  const { deployment } = snapshot;
  const entry = ctx.entries.get(deployment.app);

  if (name !== "approve") {
    const actor = await actorOf(ctx, click.user, entry ? groupsMentioned(entry) : []);
    if (entry) {
      const allowed = checkMayStop(entry, deployment, actor);
      if (!allowed.ok) return replies.notAllowed(allowed.problem);
    }
    return submit(ctx, deployment.id, STOP_COMMANDS[name], actor.user, actor.groups, click.triggerId);
  }

  const pending = pendingApproval(snapshot);
  if (!pending || (target.stageIndex !== undefined && pending.stage.index !== target.stageIndex)) {
    return buttonReplies.nothingToApprove(deployment);
  }
  const rules = approvalRulesFor(deployment, pending.stage);
  const actor = await actorOf(ctx, click.user, rules.approvers);
  const check = checkApprover(rules, pending.approval.approvals, actor.user, actor.groups);
  if (!check.ok) return replies.notAllowed(check.reason);
  return submit(ctx, deployment.id, "APPROVE", actor.user, actor.groups, click.triggerId);
}

/** Buttons that only ever reduce risk, so anyone `checkMayStop` allows may click them. */
const STOP_COMMANDS = {
  rollback: "ROLLBACK",
  retryRollback: "RETRY_ROLLBACK",
  markFixed: "MARK_FIXED",
} as const;

function submit(
  ctx: SlackContext,
  deploymentId: string,
  kind: CommandKind,
  user: string,
  groups: readonly string[],
  triggerId: string,
): replies.EphemeralReply | undefined {
  const submitted = ctx.engine.submitCommand({
    deploymentId,
    kind,
    actor: user,
    actorGroups: groups,
    dedupeKey: `slack:${triggerId}`,
  });
  return submitted.ok ? undefined : refusalReply(submitted.refusal, { now: ctx.clock.now() });
}
