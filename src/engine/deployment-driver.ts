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
import { isTransient } from "../domain/kanaria-error.js";
import type { AnyStageState } from "../domain/stage-state.js";
import { isTerminalDeploymentStatus, isTerminalStageStatus } from "../domain/status.js";
import type { Clock } from "../ports.js";
import type { CleanStart, CleanStartOutcome } from "../stages/clean-start.js";
import type { Store } from "../store/store.js";
import { applyCommand } from "./apply-command.js";
import { beginRollback } from "./begin-rollback.js";
import { recordCleanStart, reportedCleanStart } from "./clean-starts.js";
import type { ExecutorRegistry } from "./executor-registry.js";
import type { Journal, JournalWriter } from "./journal.js";
import type { Logger } from "./logger.js";
import {
  clearBlock,
  DEFAULT_ROLLBACK_POLICY,
  type RollbackFailure,
  type RollbackPolicy,
  recordBlockedAttempt,
} from "./rollback-block.js";
import { assertReadable, type StageContext, type StagePorts, type StepResult } from "./stage-executor.js";

export interface DriverDeps {
  store: Store;
  journal: Journal;
  registry: ExecutorRegistry;
  ports: StagePorts;
  clock: Clock;
  logger: Logger;
  /** Consecutive thrown errors of one pipeline stage before it fails (the ROLLBACK stage never fails). */
  maxStepErrors: number;
  /** How a blocked rollback retries and when it asks people (see `rollback-block.ts`). */
  rollbackPolicy?: RollbackPolicy;
  /** Checks (and repairs) what earlier runs left before the first stage (see `stages/clean-start.ts`). */
  cleanStart: CleanStart;
}

/** A step that did not produce a result: come back at `retryAt`. */
interface Retry {
  retryAt: number;
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
      const clean = await this.startClean(deployment, log);
      if (clean !== "go") return clean;
      journal.write(id, (w) => w.setDeploymentStatus("RUNNING", `deploying ${deployment.version}`));
      deployment = this.load();
    }

    const stages = store.stages.list(id);
    const stage = this.nextStage(deployment, stages);
    if (!stage) {
      journal.write(id, (w) => this.finish(w));
      return "finished";
    }
    const entered = this.enter(stage, log);
    if (entered !== true) return entered;

    const current = this.loadStage(stage.index);
    // A rollback has no timeout: it ends only with traffic back on the primary (a long one is blocked,
    // and people are asked while it retries).
    const timed = current.kind !== "ROLLBACK" && current.startedAt !== undefined;
    if (timed && this.deps.clock.now() >= (current.startedAt ?? 0) + current.timeoutMs) {
      const result: StepResult = {
        type: "done",
        status: "FAILURE",
        reason: `${current.kind} timed out after ${Math.round(current.timeoutMs / 1000)} s`,
      };
      this.record(current, result);
      return "again";
    }

    const result = await this.step(this.load(), current, log);
    if ("retryAt" in result) return result.retryAt;
    const blockedUntil = this.record(current, result);
    if (blockedUntil !== undefined) return blockedUntil;
    if (result.type === "done") return "again";
    const deadlines = [
      result.until,
      timed && current.startedAt !== undefined ? current.startedAt + current.timeoutMs : Infinity,
    ];
    if (this.load().status !== "ROLLING_BACK") deadlines.push(deployment.deadlineAt);
    // A wait that is already over would spin the loop without yielding; never come back sooner than this.
    return Math.max(Math.min(...deadlines), this.deps.clock.now() + MIN_WAIT_MS);
  }

  /**
   * The clean start before the first stage: leftovers repaired (traffic first) and reported in the
   * thread, or the deployment refused (CANCELLED, nothing changed by it) with the exact state and the
   * commands that repair it. AWS errors are retried like a stage's; one that waiting cannot heal, or
   * too many, refuse the deployment, since it cannot know what it would start on.
   */
  private async startClean(deployment: Deployment, log: Logger): Promise<"go" | "finished" | number> {
    const { store, journal, clock } = this.deps;
    let outcome: CleanStartOutcome;
    try {
      outcome = await reportedCleanStart(this.deps.cleanStart, store, deployment, this.deps.ports);
      this.stepErrors = 0;
    } catch (error) {
      this.stepErrors += 1;
      const message = error instanceof Error ? error.message : String(error);
      log.warn({ err: error, errors: this.stepErrors }, "clean start failed");
      if (isTransient(error) && this.stepErrors < this.deps.maxStepErrors)
        return clock.now() + errorBackoffMs(this.stepErrors);
      outcome = { kind: "unsafe", found: [`the service could not be checked: ${message}`], repair: [] };
    }
    const goes = journal.write(this.deploymentId, (w) => recordCleanStart(w, store, outcome));
    return goes ? "go" : "finished";
  }

  private nextStage(deployment: Deployment, stages: readonly Stage[]): Stage | undefined {
    if (deployment.status === "ROLLING_BACK") {
      return stages.find((s) => s.kind === "ROLLBACK" && !isTerminalStageStatus(s.status));
    }
    return stages.find((s) => s.kind !== "ROLLBACK" && !isTerminalStageStatus(s.status));
  }

  /**
   * Marks the stage RUNNING (first entry) or records that it resumed (entry after a restart); anything
   * but `true` is when to come back instead of stepping it.
   */
  private enter(stage: Stage, log: Logger): true | "again" | number {
    const { journal, store } = this.deps;
    if (this.entered.has(stage.index)) return true;
    const executor = this.deps.registry.get(stage.kind);
    if (!executor) {
      // The plan is checked against the registry before a deployment starts; this guards a resume on a
      // build that lacks an executor the plan needs. The stage is entered first (a stage fails only
      // once it ran); a ROLLBACK without an executor is blocked, not failed, and asks people.
      if (stage.status === "NOT_STARTED") {
        journal.write(this.deploymentId, (w) =>
          w.setStageStatus(stage.index, "RUNNING", stage.description || stage.kind),
        );
      }
      const retryAt = this.record(this.loadStage(stage.index), {
        type: "done",
        status: "FAILURE",
        reason: `no executor for ${stage.kind} in this build`,
      });
      return retryAt ?? "again";
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

  /** Runs one executor step; a `Retry` when it threw and will be tried again after a backoff. */
  private async step(deployment: Deployment, stage: Stage, log: Logger): Promise<StepResult | Retry> {
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
      assertReadable(deployment, stage);
      const result = await executor.step(ctx);
      this.stepErrors = 0;
      return result;
    } catch (error) {
      this.stepErrors += 1;
      const message = error instanceof Error ? error.message : String(error);
      const transient = isTransient(error);
      log.warn({ err: error, stage: stage.index, errors: this.stepErrors }, "stage step failed");
      if (stage.kind === "ROLLBACK") return { retryAt: this.block(stage, { error: message, transient }) };
      // Waiting cannot heal it (access denied, a resource that is gone): retrying only delays the rollback.
      if (!transient || this.stepErrors >= this.deps.maxStepErrors) {
        const times = this.stepErrors === 1 ? "" : ` ${this.stepErrors} times`;
        return { type: "done", status: "FAILURE", reason: `${stage.kind} failed${times}: ${message}` };
      }
      ctx.report(`${stage.kind}: ${message} — retrying (${this.stepErrors}/${this.deps.maxStepErrors})`, {
        error: message,
      });
      return { retryAt: clock.now() + errorBackoffMs(this.stepErrors) };
    }
  }

  private get policy(): RollbackPolicy {
    return this.deps.rollbackPolicy ?? DEFAULT_ROLLBACK_POLICY;
  }

  /** Records a failed attempt of the ROLLBACK stage; returns when to try again. */
  private block(stage: Stage, failure: RollbackFailure): number {
    const { journal, store } = this.deps;
    return journal.write(this.deploymentId, (w) =>
      recordBlockedAttempt(w, this.loadStage(stage.index), failure, this.policy, (state) =>
        store.stages.setState(this.deploymentId, stage.index, state),
      ),
    );
  }

  /**
   * Persists what a step decided, and what it implies for the deployment. Returns when to come back if
   * the step left a rollback blocked (a ROLLBACK stage reports a failure it cannot get past).
   */
  private record(stage: Stage, result: StepResult): number | undefined {
    const { journal, store } = this.deps;
    if (stage.kind === "ROLLBACK" && result.type === "done" && result.status === "FAILURE") {
      // What a rollback step reports as failed (weights that did not move, a restored primary that does
      // not become stable) is something people should look at: ask at once, and keep trying.
      return this.block(stage, { error: result.reason, transient: false });
    }
    const setState = (state: AnyStageState) => store.stages.setState(this.deploymentId, stage.index, state);
    journal.write(this.deploymentId, (w) => {
      const deployment = w.deployment();
      const latest = store.stages.get(this.deploymentId, stage.index);
      if (!latest || isTerminalStageStatus(latest.status)) return;
      if (latest.kind === "ROLLBACK") clearBlock(w, latest, setState);
      if (result.type === "wait") {
        if (result.approval) {
          const approvals = latest.state.approval?.approvals ?? [];
          setState({ ...latest.state, approval: { request: result.approval, approvals } });
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
      const rollbackPlanned = w.stages().some((s) => s.kind === "ROLLBACK" && s.status === "NOT_STARTED");
      if (rollbackPlanned) {
        beginRollback(w, store, "STAGE_FAILURE", `${stage.kind} failed: ${result.reason}`);
      } else {
        w.setDeploymentStatus("FAILURE", `${stage.kind} failed: ${result.reason} (auto-rollback is off)`);
      }
    });
    return undefined;
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
  const start = same.state.analysisStart ?? same.startedAt;
  if (start === undefined) return [];
  return store.measurements
    .list(previous.id, same.index)
    .filter((m) => m.metric === metric)
    .map((m) => ({ elapsedMs: m.at - start, data: m.data }));
}
