/**
 * Every state change of a deployment goes through the journal: it checks the transition against the
 * one table in `domain/status.ts`, writes the new status and its timeline event in one SQLite
 * transaction, and tells the notifier only after the transaction has committed (so Slack never shows a
 * state the database does not have).
 */
import type {
  Deployment,
  EventType,
  NewTimelineEvent,
  RollbackCause,
  Stage,
  TimelineEvent,
} from "../domain/deployment.js";
import { KanariaError } from "../domain/kanaria-error.js";
import {
  assertDeploymentTransition,
  assertStageTransition,
  type DeploymentStatus,
  isTerminalDeploymentStatus,
  isTerminalStageStatus,
  type StageStatus,
} from "../domain/status.js";
import type { Clock, Notifier } from "../ports.js";
import type { Store } from "../store/store.js";

const DEPLOYMENT_EVENT: { [S in DeploymentStatus]: EventType } = {
  PLANNED: "DEPLOYMENT_REQUESTED",
  RUNNING: "DEPLOYMENT_STARTED",
  WAITING_APPROVAL: "DEPLOYMENT_WAITING_APPROVAL",
  ROLLING_BACK: "DEPLOYMENT_ROLLING_BACK",
  SUCCESS: "DEPLOYMENT_SUCCEEDED",
  FAILURE: "DEPLOYMENT_FAILED",
  ROLLED_BACK: "DEPLOYMENT_ROLLED_BACK",
  CANCELLED: "DEPLOYMENT_CANCELLED",
};

const STAGE_EVENT: { [S in StageStatus]: EventType } = {
  NOT_STARTED: "STAGE_PROGRESS",
  RUNNING: "STAGE_STARTED",
  SUCCESS: "STAGE_SUCCEEDED",
  FAILURE: "STAGE_FAILED",
  SKIPPED: "STAGE_SKIPPED",
  CANCELLED: "STAGE_CANCELLED",
};

export interface JournalWriter {
  readonly now: number;
  deployment(): Deployment;
  stages(): Stage[];
  setDeploymentStatus(
    to: DeploymentStatus,
    reason: string,
    options?: { actor?: string; rollbackCause?: RollbackCause },
  ): void;
  setStageStatus(index: number, to: StageStatus, reason: string, options?: { actor?: string }): void;
  event(event: NewTimelineEvent): TimelineEvent;
}

export class Journal {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly notifier: Notifier,
  ) {}

  /** Runs `fn` atomically for one deployment; events it records are published after commit. */
  write<T>(deploymentId: string, fn: (w: JournalWriter) => T): T {
    const recorded: TimelineEvent[] = [];
    const now = this.clock.now();
    const result = this.store.transaction(() => fn(this.writer(deploymentId, now, recorded)));
    if (recorded.length > 0) {
      const app = this.store.deployments.summary(deploymentId)?.app ?? "";
      for (const event of recorded) this.notifier.publish({ deploymentId, app, eventId: event.id });
    }
    return result;
  }

  private writer(deploymentId: string, now: number, recorded: TimelineEvent[]): JournalWriter {
    const store = this.store;
    const load = (): Deployment => {
      const d = store.deployments.get(deploymentId);
      if (!d) throw new KanariaError("DEPLOYMENT_NOT_FOUND", `no deployment ${deploymentId}`);
      return d;
    };
    const event = (e: NewTimelineEvent): TimelineEvent => {
      const appended = store.events.append(deploymentId, now, e);
      recorded.push(appended);
      return appended;
    };
    return {
      now,
      deployment: load,
      stages: () => store.stages.list(deploymentId),
      event,
      setDeploymentStatus(to, reason, options = {}) {
        const current = load();
        assertDeploymentTransition(current.status, to);
        store.deployments.setStatus(deploymentId, {
          status: to,
          statusReason: reason,
          ...(options.rollbackCause ? { rollbackCause: options.rollbackCause } : {}),
          ...(current.startedAt === undefined && to !== "PLANNED" ? { startedAt: now } : {}),
          ...(isTerminalDeploymentStatus(to) ? { finishedAt: now } : {}),
        });
        const type =
          to === "RUNNING" && current.status === "WAITING_APPROVAL"
            ? "DEPLOYMENT_RESUMED"
            : DEPLOYMENT_EVENT[to];
        event({
          type,
          message: reason,
          ...(options.actor ? { actor: options.actor } : {}),
          data: { from: current.status, to },
        });
      },
      setStageStatus(index, to, reason, options = {}) {
        const stage = store.stages.get(deploymentId, index);
        if (!stage) throw new KanariaError("STAGE_NOT_FOUND", `no stage ${index} in ${deploymentId}`);
        assertStageTransition(stage.status, to);
        store.stages.setStatus(deploymentId, index, {
          status: to,
          statusReason: reason,
          ...(to === "RUNNING" ? { startedAt: now } : {}),
          ...(isTerminalStageStatus(to) ? { finishedAt: now } : {}),
        });
        event({
          type: STAGE_EVENT[to],
          stageIndex: index,
          message: reason,
          ...(options.actor ? { actor: options.actor } : {}),
          data: { kind: stage.kind, from: stage.status, to },
        });
      },
    };
  }
}
