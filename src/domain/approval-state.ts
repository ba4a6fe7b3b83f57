/**
 * The part of a stage's state the runner owns while the stage waits for people: what was asked and who
 * has approved so far (stage state `approval`). Executors read it (WAIT_APPROVAL counts approvals; a
 * paused analysis resumes on one) but only the runner writes it, in the same transaction that consumes
 * the APPROVE command. The schema is the stored shape, checked when the stage row is read
 * (`stage-state.ts`).
 */
import { z } from "zod";
import type { Approval, ApprovalRequest } from "./approval.js";

const approvalRequestSchema = z.object({
  approvers: z.array(z.string()),
  minApproverNum: z.number(),
  question: z.string(),
}) satisfies z.ZodType<ApprovalRequest>;

const approvalSchema = z.object({ actor: z.string(), at: z.number() }) satisfies z.ZodType<Approval>;

export const approvalStateSchema = z.object({
  request: approvalRequestSchema,
  approvals: z.array(approvalSchema),
});

export type ApprovalState = z.output<typeof approvalStateSchema>;

/** The approvals given so far on a stage (none while nobody was asked). */
export function approvalsOf(state: { approval?: ApprovalState | undefined }): Approval[] {
  return state.approval?.approvals ?? [];
}
