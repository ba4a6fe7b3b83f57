/**
 * The deployment record as the engine, the store and the views see it. Plain data: everything here is
 * persisted in SQLite and survives restarts.
 */
import type { AppConfig, StageOptionsByKind } from "./app-config.js";
import type { DeploymentContext } from "./deployment-context.js";
import type { StageKind } from "./stage-kind.js";
import type { StageState } from "./stage-state.js";
import type { DeploymentStatus, StageStatus } from "./status.js";

/** Why a rollback runs; decides the final status (CANCEL → CANCELLED, others → ROLLED_BACK). */
export type RollbackCause = "STAGE_FAILURE" | "COMMAND" | "CANCEL" | "DEPLOYMENT_TIMEOUT";

export interface DeploymentAccess {
  approvers: string[];
  fourEyes: boolean;
}

export interface Deployment {
  id: string;
  app: string;
  /** The image tag being deployed. */
  version: string;
  /** Version of the last successful deployment of the app, if any. */
  previousVersion: string | undefined;
  requester: string;
  reason: string;
  status: DeploymentStatus;
  /** Human-readable reason for the current status (why it failed, who cancelled…). */
  statusReason: string;
  rollbackCause: RollbackCause | undefined;
  createdAt: number;
  startedAt: number | undefined;
  finishedAt: number | undefined;
  /** Deployment-level timeout (`spec.timeout`): reaching it rolls back. */
  deadlineAt: number;
  /** The app config the plan was made from, frozen so a resumed deployment does what it started. */
  appConfig: AppConfig;
  /** Who may approve, from kanaria.yaml at request time (WAIT_APPROVAL stages may narrow it). */
  access: DeploymentAccess;
  /**
   * What executors record for later stages and for rollback (previous task definition ARN, task set
   * ARNs, listener rules…). Written before the external change it protects.
   */
  context: DeploymentContext;
  /**
   * Why the stored context could not be read (the row is corrupt; `context` is then empty). The runner
   * steps no stage of such a deployment: the stage fails, or the rollback is blocked and asks people.
   */
  contextProblem?: string;
}

export interface Stage<K extends StageKind = StageKind> {
  deploymentId: string;
  index: number;
  kind: K;
  /** PipeCD stage id (`stage-<n>` when not given). */
  stageId: string;
  description: string;
  /** Hidden stages (the automatic ROLLBACK) are not shown as part of the pipeline. */
  visible: boolean;
  options: StageOptionsByKind[K];
  timeoutMs: number;
  status: StageStatus;
  statusReason: string;
  /** Executor-owned progress (deadlines, approvals, analysis state); persisted on every save. */
  state: StageState<K>;
  /**
   * Why the stored state could not be read (the row is corrupt; `state` is then empty). The runner does
   * not step such a stage: it fails it with this message (a ROLLBACK stage is blocked instead).
   */
  stateProblem?: string;
  /** How many times the executor has been entered; > 1 means the stage resumed after a restart. */
  attempts: number;
  startedAt: number | undefined;
  finishedAt: number | undefined;
}

/**
 * `RETRY_ROLLBACK`: a blocked rollback tries again now instead of at its next backoff.
 * `MARK_FIXED`: a person says a blocked rollback's work was done by hand (audited); the rollback ends.
 */
export const COMMAND_KINDS = [
  "APPROVE",
  "ROLLBACK",
  "CANCEL",
  "SKIP_STAGE",
  "PROMOTE",
  "RETRY_ROLLBACK",
  "MARK_FIXED",
] as const;
export type CommandKind = (typeof COMMAND_KINDS)[number];

export type CommandOutcome = "APPLIED" | "REFUSED" | "IGNORED";

export interface Command {
  id: number;
  deploymentId: string;
  kind: CommandKind;
  /** Slack user id (or `cli:<user>`). */
  actor: string;
  /** User groups the actor belonged to when the command was given (resolved at the edge). */
  actorGroups: string[];
  /** Delivery id from Slack or the CLI: the same delivery is recorded once. */
  dedupeKey: string | undefined;
  createdAt: number;
  handledAt: number | undefined;
  outcome: CommandOutcome | undefined;
  outcomeReason: string | undefined;
}

export const EVENT_TYPES = [
  "DEPLOYMENT_REQUESTED",
  "FREEZE_OVERRIDDEN",
  "DEPLOYMENT_STARTED",
  "DEPLOYMENT_WAITING_APPROVAL",
  "DEPLOYMENT_RESUMED",
  "DEPLOYMENT_ROLLING_BACK",
  "DEPLOYMENT_SUCCEEDED",
  "DEPLOYMENT_FAILED",
  "DEPLOYMENT_ROLLED_BACK",
  "DEPLOYMENT_CANCELLED",
  "STAGE_STARTED",
  "STAGE_RESUMED",
  "STAGE_SUCCEEDED",
  "STAGE_FAILED",
  "STAGE_SKIPPED",
  "STAGE_CANCELLED",
  "STAGE_PROGRESS",
  "APPROVAL_RECORDED",
  "COMMAND_REFUSED",
  "COMMAND_IGNORED",
  /** A rollback step failed; one per outage, then again when what blocks it changes. */
  "ROLLBACK_BLOCKED",
  /** A blocked rollback asks people (requester and approvers) by name, once. */
  "ROLLBACK_ESCALATED",
  /** A blocked rollback went through again. */
  "ROLLBACK_UNBLOCKED",
  /** Leftovers from earlier deployments found (and repaired, or not) before a deployment starts. */
  "CLEAN_START",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** One line of the deployment timeline shown in Slack and `kanaria history`. */
export interface TimelineEvent {
  id: number;
  deploymentId: string;
  at: number;
  type: EventType;
  stageIndex: number | undefined;
  actor: string | undefined;
  message: string;
  data: Record<string, unknown>;
}

export type NewTimelineEvent = Omit<
  TimelineEvent,
  "id" | "deploymentId" | "at" | "stageIndex" | "actor" | "data"
> &
  Partial<Pick<TimelineEvent, "stageIndex" | "actor" | "data">>;
