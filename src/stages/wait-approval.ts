/**
 * WAIT_APPROVAL {timeout, approvers, minApproverNum}: waits for `minApproverNum` distinct people allowed
 * to approve (the stage's `approvers`, else the app's; four-eyes as the app says — checked by the runner
 * when it records each APPROVE). No approval before the deadline fails the stage, which rolls back.
 * The deadline is stored on the first step and never restarted by a resume.
 */
import { distinctApprovers } from "../domain/approval.js";
import { approvalsOf } from "../domain/approval-state.js";
import type { StageExecutor } from "../engine/stage-executor.js";
import { storedDeadline } from "./stored-deadline.js";
import { formatDuration } from "./wait.js";

export const waitApprovalExecutor: StageExecutor<"WAIT_APPROVAL"> = {
  kind: "WAIT_APPROVAL",
  async step(ctx) {
    const { options } = ctx.stage;
    const now = ctx.clock.now();
    const deadlineAt = storedDeadline(ctx, "deadlineAt", options.timeoutMs);
    const approvals = approvalsOf(ctx.stage.state);
    const count = distinctApprovers(approvals);
    if (count >= options.minApproverNum) {
      const names = [...new Set(approvals.map((a) => a.actor))].join(", ");
      return { type: "done", status: "SUCCESS", reason: `approved by ${names}` };
    }
    if (now >= deadlineAt) {
      return {
        type: "done",
        status: "FAILURE",
        reason: `not approved within ${formatDuration(options.timeoutMs)} (${count}/${options.minApproverNum} approvals)`,
      };
    }
    const needed = options.minApproverNum - count;
    return {
      type: "wait",
      until: deadlineAt,
      reason: `waiting for ${needed} more approval${needed === 1 ? "" : "s"}`,
      approval: {
        approvers: options.approvers,
        minApproverNum: options.minApproverNum,
        // No running count here: the request is stored when the wait begins, and the views show the
        // live count beside it ("Approve (1/2)").
        question: `Approve ${ctx.deployment.app} ${ctx.deployment.version}?${
          options.minApproverNum > 1 ? ` It needs ${options.minApproverNum} different approvers.` : ""
        }`,
      },
    };
  },
};
