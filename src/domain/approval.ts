/**
 * Approval rules for WAIT_APPROVAL stages and paused analyses. Pure: the engine records approvals in the
 * stage state; this decides whether one more is acceptable and whether enough have been given.
 */

export interface ApprovalRules {
  /** Slack user ids and user-group ids allowed to approve; empty = anyone (subject to fourEyes). */
  approvers: readonly string[];
  /** Distinct people needed. */
  minApproverNum: number;
  /** When true the requester may not approve their own deployment. */
  fourEyes: boolean;
  requester: string;
}

export interface ApprovalRequest {
  /** Stage-level approvers; empty means the app's approvers from kanaria.yaml. */
  approvers: string[];
  minApproverNum: number;
  /** What people are asked, e.g. "Promote v2 to 100%?". */
  question: string;
}

export interface Approval {
  actor: string;
  at: number;
}

export type ApprovalCheck = { ok: true } | { ok: false; reason: string };

/** Whether `actor` may approve at all (also required to skip or promote past an approval). */
export function mayApprove(
  rules: Pick<ApprovalRules, "approvers" | "fourEyes" | "requester">,
  actor: string,
  actorGroups: readonly string[],
): ApprovalCheck {
  if (rules.fourEyes && actor === rules.requester) {
    return { ok: false, reason: "four-eyes rule: the requester may not approve their own deployment" };
  }
  if (rules.approvers.length > 0 && !isListed(rules.approvers, actor, actorGroups)) {
    return { ok: false, reason: `not an approver here; approvers are ${rules.approvers.join(", ")}` };
  }
  return { ok: true };
}

/** Whether one more approval by `actor` counts: allowed, and not a second approval by the same person. */
export function checkApprover(
  rules: ApprovalRules,
  existing: readonly Approval[],
  actor: string,
  actorGroups: readonly string[],
): ApprovalCheck {
  const allowed = mayApprove(rules, actor, actorGroups);
  if (!allowed.ok) return allowed;
  if (existing.some((a) => a.actor === actor)) {
    const missing = rules.minApproverNum - distinctApprovers(existing);
    return {
      ok: false,
      reason: `already approved by ${actor}; ${missing} more approval${missing === 1 ? "" : "s"} from other people needed`,
    };
  }
  return { ok: true };
}

export function distinctApprovers(approvals: readonly Approval[]): number {
  return new Set(approvals.map((a) => a.actor)).size;
}

export function isApproved(rules: ApprovalRules, approvals: readonly Approval[]): boolean {
  return distinctApprovers(approvals) >= rules.minApproverNum;
}

function isListed(list: readonly string[], actor: string, groups: readonly string[]): boolean {
  return list.includes(actor) || groups.some((g) => list.includes(g));
}
