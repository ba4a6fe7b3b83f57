/**
 * The contract between the runner and the per-kind stage executors (`src/stages/`).
 *
 * An executor advances its stage in *steps*. A step does a bounded amount of work and returns either
 * `done` or `wait` (call me again at `until`). Long waits — a WAIT stage, an approval, an analysis
 * interval, polling ECS for stability — are never slept inside a step: the runner sleeps, so commands
 * (cancel, roll back, approve) are handled promptly and a restart resumes at the next step.
 *
 * Steps must be idempotent: after a crash the runner calls `step` again with the last *saved* state, so
 * every external change is an `ensure…` (look up, then create) and anything a later step or the rollback
 * needs is saved with `saveState` / `saveContext` *before* the change it protects.
 */
import type { ApprovalRequest } from "../domain/approval.js";
import type { Deployment, Stage } from "../domain/deployment.js";
import type { DeploymentContext } from "../domain/deployment-context.js";
import { KanariaError } from "../domain/kanaria-error.js";
import type { Measurement } from "../domain/measurement.js";
import type { StageKind } from "../domain/stage-kind.js";
import type { StageState, StatePatch } from "../domain/stage-state.js";
import type { Clock, Ecs, LoadBalancer, Metrics } from "../ports.js";
import type { Logger } from "./logger.js";

export interface StagePorts {
  ecs: Ecs;
  loadBalancer: LoadBalancer;
  metrics: Metrics;
}

/** Who may approve while a stage waits for people; the runner checks APPROVE commands against it. */
export type StepResult =
  | { type: "done"; status: "SUCCESS" | "FAILURE"; reason: string }
  | { type: "wait"; until: number; reason: string; approval?: ApprovalRequest };

export interface StageContext<K extends StageKind = StageKind> {
  readonly deployment: Deployment;
  readonly stage: Stage<K>;
  /** 1 on the first entry into this stage; higher when resumed after a restart. */
  readonly attempt: number;
  readonly ports: StagePorts;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Aborted when the engine stops or a command needs the runner's attention. */
  readonly signal: AbortSignal;
  /**
   * Persists the stage's own progress in one transaction, merged into the stored state (`undefined`
   * drops a field); `stage.state` on the next step.
   */
  saveState(patch: StatePatch<StageState<K>>): void;
  /** Persists deployment-wide facts (for later stages and rollback), merged into `deployment.context`. */
  saveContext(patch: StatePatch<DeploymentContext>): void;
  /** Adds a line to the deployment timeline (shown in Slack). */
  report(message: string, data?: Record<string, unknown>): void;
  /** Stores one analysis tick; idempotent per (metric, at). */
  recordMeasurement(measurement: Omit<Measurement, "deploymentId" | "stageIndex">): void;
  /** This stage's stored ticks, in time order (what a resumed analysis continues from). */
  measurements(): Measurement[];
  /** Per metric, how many ticks of this stage are stored and when the last one ended; cheap. */
  measurementTally(): Array<{ metric: string; count: number; lastAt: number }>;
  /**
   * The same metric's ticks in the same stage (by stage id) of the app's last successful deployment,
   * with their offset from that analysis' start: what PREVIOUS compares against. Empty when none.
   */
  previousMeasurements(metric: string): Array<{ elapsedMs: number; data: Record<string, unknown> }>;
}

export interface StageExecutor<K extends StageKind = StageKind> {
  readonly kind: K;
  step(ctx: StageContext<K>): Promise<StepResult>;
}

/**
 * Throws (STORE_CORRUPT, not transient) when the stored context of `deployment` or state of `stage`
 * could not be read: the runner calls it inside the step, so a corrupt row fails the stage and rolls
 * back as any step that throws does, or blocks a rollback and asks people. A blocked rollback whose own
 * state was corrupt writes its block over it, so its next attempt starts over from the context (every
 * rollback step is idempotent); a corrupt context keeps it blocked until someone marks it fixed.
 */
export function assertReadable(deployment: Deployment, stage: Stage): void {
  const problem = deployment.contextProblem ?? stage.stateProblem;
  if (problem !== undefined) throw new KanariaError("STORE_CORRUPT", problem);
}
