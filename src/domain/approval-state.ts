/**
 * The part of a stage's state the runner owns while the stage waits for people: what was asked and who
 * has approved so far. Executors read it (WAIT_APPROVAL counts approvals; a paused analysis resumes on
 * one) but only the runner writes it, in the same transaction that consumes the APPROVE command.
 */
import type { Approval, ApprovalRequest } from "./approval.js";

export interface ApprovalState {
  request: ApprovalRequest;
  approvals: Approval[];
}

export const APPROVAL_KEY = "approval";

export function readApprovalState(state: Record<string, unknown>): ApprovalState | undefined {
  const value = state[APPROVAL_KEY];
  if (typeof value !== "object" || value === null) return undefined;
  return value as ApprovalState;
}

export function approvalsOf(state: Record<string, unknown>): Approval[] {
  return readApprovalState(state)?.approvals ?? [];
}
