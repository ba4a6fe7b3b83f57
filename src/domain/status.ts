/**
 * Deployment and stage statuses, and the one table of transitions allowed between them. Every status
 * change in the engine goes through `assertDeploymentTransition` / `assertStageTransition`, so a bug
 * that would move a finished deployment back to RUNNING fails loudly instead of corrupting history.
 */
import { KanariaError } from "./kanaria-error.js";

export const DEPLOYMENT_STATUSES = [
  "PLANNED",
  "RUNNING",
  "WAITING_APPROVAL",
  "ROLLING_BACK",
  "SUCCESS",
  "FAILURE",
  "ROLLED_BACK",
  "CANCELLED",
] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

export const STAGE_STATUSES = [
  "NOT_STARTED",
  "RUNNING",
  "SUCCESS",
  "FAILURE",
  "SKIPPED",
  "CANCELLED",
] as const;
export type StageStatus = (typeof STAGE_STATUSES)[number];

const DEPLOYMENT_TRANSITIONS: { readonly [S in DeploymentStatus]: readonly DeploymentStatus[] } = {
  PLANNED: ["RUNNING", "CANCELLED"],
  RUNNING: ["WAITING_APPROVAL", "ROLLING_BACK", "SUCCESS", "FAILURE", "CANCELLED"],
  WAITING_APPROVAL: ["RUNNING", "ROLLING_BACK", "FAILURE", "CANCELLED"],
  // A rollback started by `cancel` ends CANCELLED; one started by a failure, a timeout or a person ends
  // ROLLED_BACK. A rollback never ends FAILURE: while AWS refuses it, it stays ROLLING_BACK and asks
  // people, since an ended deployment would leave traffic split with nobody retrying.
  ROLLING_BACK: ["ROLLED_BACK", "CANCELLED"],
  SUCCESS: [],
  FAILURE: [],
  ROLLED_BACK: [],
  CANCELLED: [],
};

const STAGE_TRANSITIONS: { readonly [S in StageStatus]: readonly StageStatus[] } = {
  NOT_STARTED: ["RUNNING", "SKIPPED", "CANCELLED"],
  RUNNING: ["SUCCESS", "FAILURE", "SKIPPED", "CANCELLED"],
  SUCCESS: [],
  FAILURE: [],
  SKIPPED: [],
  CANCELLED: [],
};

/** Statuses in which a deployment holds its app: at most one per app, and resumed at start. */
export const ACTIVE_DEPLOYMENT_STATUSES: readonly DeploymentStatus[] = [
  "PLANNED",
  "RUNNING",
  "WAITING_APPROVAL",
  "ROLLING_BACK",
];

export function isTerminalDeploymentStatus(status: DeploymentStatus): boolean {
  return DEPLOYMENT_TRANSITIONS[status].length === 0;
}

export function isTerminalStageStatus(status: StageStatus): boolean {
  return STAGE_TRANSITIONS[status].length === 0;
}

export function canTransitionDeployment(from: DeploymentStatus, to: DeploymentStatus): boolean {
  return DEPLOYMENT_TRANSITIONS[from].includes(to);
}

export function canTransitionStage(from: StageStatus, to: StageStatus): boolean {
  return STAGE_TRANSITIONS[from].includes(to);
}

export function assertDeploymentTransition(from: DeploymentStatus, to: DeploymentStatus): void {
  if (!canTransitionDeployment(from, to)) {
    throw new KanariaError("ILLEGAL_TRANSITION", `deployment cannot go from ${from} to ${to}`);
  }
}

export function assertStageTransition(from: StageStatus, to: StageStatus): void {
  if (!canTransitionStage(from, to)) {
    throw new KanariaError("ILLEGAL_TRANSITION", `stage cannot go from ${from} to ${to}`);
  }
}
