/**
 * Drives one deployment from wherever the database says it is to a final status (DESIGN §3).
 *
 * Each turn of the loop: apply pending commands, check the deployment timeout, pick the stage to run,
 * record that it runs (before the executor touches anything), run one executor step, record the outcome
 * (after the step). Then sleep until the step asked to be called again, the deployment or stage
 * deadline, or a wake-up (new command, engine stop) — whichever comes first. Nothing is kept in memory
 * that a restart would need: a new driver started on the same database continues the same way.
 */
import type { Deployment, Stage } from "../domain/deployment.js";
import { isTerminalDeploymentStatus, isTerminalStageStatus } from "../domain/status.js";
import type { Clock } from "../ports.js";
import type { Store } from "../store/store.js";
import { applyCommand } from "./apply-command.js";
import { APPROVAL_KEY, readApprovalState } from "./approval-state.js";
import { beginRollback } from "./begin-rollback.js";
import type { ExecutorRegistry } from "./executor-registry.js";
import type { Journal, JournalWriter } from "./journal.js";
import type { Logger } from "./logger.js";
import type { StageContext, StagePorts, StepResult } from "./stage-executor.js";

export interface DriverDeps {
  store: Store;
  journal: Journal;
  registry: ExecutorRegistry;
  ports: StagePorts;
  clock: Clock;
  logger: Logger;
  /** Consecutive thrown errors of one stage before it fails. */
  maxStepErrors: number;
}

/** The shortest sleep after a step that asked to wait. */
const MIN_WAIT_MS = 1000;

/** Backoff after an executor throws: 1 s, 2 s, 4 s … capped at 60 s. */
const errorBackoffMs = (errors: number): number => Math.min(60_000, 1000 * 2 ** (errors - 1));

export class DeploymentDriver {
  private wakeup = new AbortController();
  private readonly entered = new Set<number>();
  private stepErrors = 0;

  constructor(
    private readonly deps: DriverDeps,
    readonly deploymentId: string,
    private readonly stopSignal: AbortSignal,
  ) {}

  /** Interrupts the current sleep so pending commands are looked at now. */
  wake(): void {
    this.wakeup.abort();
  }

  /** Runs until the deployment reaches a final status or the engine stops. */
  async run(): Promise<void> {
    const log = this.deps.logger.child({ deployment: this.deploymentId });
    while (!this.stopSignal.aborted) {
      const wakeAt = await this.turn(log);
      if (wakeAt === "finished") return;
      if (wakeAt === "again") continue;
      const delay = Math.max(0, wakeAt - this.deps.clock.now());
      // A wake() during the turn has already aborted this signal, so the sleep returns at once and the
      // next turn sees the new command.
      if (delay > 0) {
        const both = AbortSignal.any([this.wakeup.signal, this.stopSignal]);
        await this.deps.clock.sleep(delay, both);
      }
    }
  }

  /** One turn; returns when to come back ("again" = at once). */
  private async turn(log: Logger): Promise<number | "again" | "finished"> {
    const { store, journal } = this.deps;
    const id = this.deploymentId;
    this.wakeup = this.wakeup.signal.aborted ? new AbortController() : this.wakeup;

    for (const command of store.commands.pending(id)) {
      journal.write(id, (w) => applyCommand(w, store, command));
    }

    let deployment = this.load();
    if (isTerminalDeploymentStatus(deployment.status)) return "finished";

    if (deployment.status !== "ROLLING_BACK" && this.deps.clock.now() >= deployment.deadlineAt) {
      const minutes = Math.round((deployment.deadlineAt - deployment.createdAt) / 60_000);
      journal.write(id, (w) =>
        beginRollback(w, store, "DEPLOYMENT_TIMEOUT", `the deployment did not finish within ${minutes} min`),
      );
      return "again";
    }
    if (deployment.status === "PLANNED") {
      journal.write(id, (w) => w.setDeploymentStatus("RUNNING", `deploying ${deployment.version}`));
      deployment = this.load();
    }

    const stages = store.stages.list(id);
    const stage = this.nextStage(deployment, stages);
    if (!stage) {
      journal.write(id, (w) => this.finish(w));
      return "finished";
    }
    if (!this.enter(stage, log)) return "again";

    const current = this.loadStage(stage.index);
    if (current.startedAt !== undefined && this.deps.clock.now() >= current.startedAt + current.timeoutMs) {
      const result: StepResult = {
        type: "done",
        status: "FAILURE",
        reason: `${current.kind} timed out after ${Math.round(current.timeoutMs / 1000)} s`,
      };
      this.record(current, result);
      return "again";
    }

    const result = await this.step(this.load(), current, log);
    if (result === undefined) return this.deps.clock.now() + errorBackoffMs(this.stepErrors);
    this.record(current, result);
    if (result.type === "done") return "again";
    const deadlines = [
      result.until,
      current.startedAt !== undefined ? current.startedAt + current.timeoutMs : Infinity,
    ];
    if (this.load().status !== "ROLLING_BACK") deadlines.push(deployment.deadlineAt);
    // A wait that is already over would spin the loop without yielding; never come back sooner than this.
    return Math.max(Math.min(...deadlines), this.deps.clock.now() + MIN_WAIT_MS);
  }

  private nextStage(deployment: Deployment, stages: readonly Stage[]): Stage | undefined {
    if (deployment.status === "ROLLING_BACK") {
      return stages.find((s) => s.kind === "ROLLBACK" && !isTerminalStageStatus(s.status));
    }
    return stages.find((s) => s.kind !== "ROLLBACK" && !isTerminalStageStatus(s.status));
  }

  /** Marks the stage RUNNING (first entry) or records that it resumed (entry after a restart). */
  private enter(stage: Stage, log: Logger): boolean {
    const { journal, store } = this.deps;
    if (this.entered.has(stage.index)) return true;
    const executor = this.deps.registry.get(stage.kind);
    if (!executor) {
      // The plan is checked against the registry before a deployment starts; this guards a resume on a
      // build that lacks an executor the plan needs.
      this.record(stage, {
        type: "done",
        status: "FAILURE",
        reason: `no executor for ${stage.kind} in this build`,
      });
      return false;
    }
    journal.write(this.deploymentId, (w) => {
      store.stages.incrementAttempts(this.deploymentId, stage.index);
      if (stage.status === "NOT_STARTED") {
        w.setStageStatus(stage.index, "RUNNING", stage.description || stage.kind);
      } else {
        w.event({
          type: "STAGE_RESUMED",
          stageIndex: stage.index,
          message: `${stage.kind} resumed after a restart`,
          data: { kind: stage.kind },
        });
      }
    });
    this.entered.add(stage.index);
    this.stepErrors = 0;
    log.info({ stage: stage.index, kind: stage.kind }, "stage entered");
    return true;
  }

  /** Runs one executor step; undefined when it threw and will be retried after a backoff. */
  private async step(deployment: Deployment, stage: Stage, log: Logger): Promise<StepResult | undefined> {
    const { store, journal, clock, ports } = this.deps;
    const executor = this.deps.registry.get(stage.kind);
    if (!executor) throw new Error(`executor for ${stage.kind} vanished`);
    const id = this.deploymentId;
    const ctx: StageContext = {
      deployment,
      stage,
      attempt: stage.attempts,
      ports,
      clock,
      logger: log.child({ stage: stage.index, kind: stage.kind }),
      signal: this.stopSignal,
      saveState: (patch) => {
        const latest = this.loadStage(stage.index);
        store.stages.setState(id, stage.index, { ...latest.state, ...patch });
      },
      saveContext: (patch) => {
        store.transaction(() => {
          const latest = this.load();
          store.deployments.setContext(id, { ...latest.context, ...patch });
        });
      },
      report: (message, data) => {
        journal.write(id, (w) =>
          w.event({ type: "STAGE_PROGRESS", stageIndex: stage.index, message, data: data ?? {} }),
        );
      },
      recordMeasurement: (m) => {
        store.measurements.record({ ...m, deploymentId: id, stageIndex: stage.index });
      },
      measurements: () => store.measurements.list(id, stage.index),
      measurementTally: () => store.measurements.tally(id, stage.index),
      previousMeasurements: (metric) => previousMeasurements(store, deployment, stage, metric),
    };
    try {
      const result = await executor.step(ctx);
      this.stepErrors = 0;
      return result;
    } catch (error) {
      this.stepErrors += 1;
      const message = error instanceof Error ? error.message : String(error);
      log.warn({ err: error, stage: stage.index, errors: this.stepErrors }, "stage step failed");
      if (this.stepErrors >= this.deps.maxStepErrors) {
        return {
          type: "done",
          status: "FAILURE",
          reason: `${stage.kind} failed ${this.stepErrors} times: ${message}`,
        };
      }
      ctx.report(`${stage.kind}: ${message} — retrying (${this.stepErrors}/${this.deps.maxStepErrors})`, {
        error: message,
      });
      return undefined;
    }
  }

  /** Persists what a step decided, and what it implies for the deployment. */
  private record(stage: Stage, result: StepResult): void {
    const { journal, store } = this.deps;
    journal.write(this.deploymentId, (w) => {
      const deployment = w.deployment();
      const latest = store.stages.get(this.deploymentId, stage.index);
      if (!latest || isTerminalStageStatus(latest.status)) return;
      if (result.type === "wait") {
        if (result.approval) {
          const existing = readApprovalState(latest.state);
          store.stages.setState(this.deploymentId, stage.index, {
            ...latest.state,
            [APPROVAL_KEY]: { request: result.approval, approvals: existing?.approvals ?? [] },
          });
          if (deployment.status === "RUNNING")
            w.setDeploymentStatus("WAITING_APPROVAL", result.approval.question);
        } else if (deployment.status === "WAITING_APPROVAL") {
          w.setDeploymentStatus("RUNNING", result.reason);
        }
        return;
      }
      w.setStageStatus(stage.index, result.status, result.reason);
      if (deployment.status === "WAITING_APPROVAL") w.setDeploymentStatus("RUNNING", result.reason);
      if (result.status === "SUCCESS") return;
      if (stage.kind === "ROLLBACK") {
        w.setDeploymentStatus(
          "FAILURE",
          `rollback failed: ${result.reason}. Traffic may not be back on the primary: check the listener weights and task sets by hand.`,
        );
        return;
      }
      const rollbackPlanned = w.stages().some((s) => s.kind === "ROLLBACK" && s.status === "NOT_STARTED");
      if (rollbackPlanned) {
        beginRollback(w, store, "STAGE_FAILURE", `${stage.kind} failed: ${result.reason}`);
      } else {
        w.setDeploymentStatus("FAILURE", `${stage.kind} failed: ${result.reason} (auto-rollback is off)`);
      }
    });
  }

  /** No stage left to run: the deployment ends according to how it got here. */
  private finish(w: JournalWriter): void {
    const deployment = w.deployment();
    if (deployment.status === "ROLLING_BACK") {
      const final = deployment.rollbackCause === "CANCEL" ? "CANCELLED" : "ROLLED_BACK";
      w.setDeploymentStatus(final, `rolled back to ${deployment.previousVersion ?? "the previous state"}`);
      return;
    }
    for (const stage of w.stages()) {
      if (stage.kind === "ROLLBACK" && stage.status === "NOT_STARTED") {
        w.setStageStatus(stage.index, "SKIPPED", "not needed");
      }
    }
    w.setDeploymentStatus("SUCCESS", `${deployment.version} is live`);
  }

  private load(): Deployment {
    const d = this.deps.store.deployments.get(this.deploymentId);
    if (!d) throw new Error(`deployment ${this.deploymentId} disappeared from the store`);
    return d;
  }

  private loadStage(index: number): Stage {
    const s = this.deps.store.stages.get(this.deploymentId, index);
    if (!s) throw new Error(`stage ${index} of ${this.deploymentId} disappeared from the store`);
    return s;
  }
}

/** See `StageContext.previousMeasurements`. */
function previousMeasurements(
  store: Store,
  deployment: Deployment,
  stage: Stage,
  metric: string,
): Array<{ elapsedMs: number; data: Record<string, unknown> }> {
  const previous = store.deployments.lastSuccessful(deployment.app);
  if (!previous || previous.id === deployment.id) return [];
  const same = store.stages
    .list(previous.id)
    .find((s) => s.kind === stage.kind && s.stageId === stage.stageId);
  if (!same) return [];
  const start = typeof same.state.analysisStart === "number" ? same.state.analysisStart : same.startedAt;
  if (start === undefined) return [];
  return store.measurements
    .list(previous.id, same.index)
    .filter((m) => m.metric === metric)
    .map((m) => ({ elapsedMs: m.at - start, data: m.data }));
}
