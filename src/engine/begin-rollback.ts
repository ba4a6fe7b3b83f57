/**
 * Stops a deployment's pipeline and hands it to the ROLLBACK stage. Runs inside a journal write, so the
 * cancelled stages, the rollback stage and the ROLLING_BACK status land in one transaction.
 */
import type { RollbackCause, Stage } from "../domain/deployment.js";
import { rollbackStage } from "../domain/planner.js";
import { isTerminalDeploymentStatus, isTerminalStageStatus } from "../domain/status.js";
import type { Store } from "../store/store.js";
import type { JournalWriter } from "./journal.js";

export type RollbackStart = "ROLLING_BACK" | "CANCELLED" | "ALREADY";

export function beginRollback(
  w: JournalWriter,
  store: Store,
  cause: RollbackCause,
  reason: string,
  actor?: string,
): RollbackStart {
  const deployment = w.deployment();
  if (isTerminalDeploymentStatus(deployment.status) || deployment.status === "ROLLING_BACK") return "ALREADY";
  const stages = w.stages();
  const pipeline = stages.filter((s) => s.kind !== "ROLLBACK");
  // Nothing outside was touched yet: there is nothing to roll back, the deployment just ends.
  const touched = pipeline.some((s) => s.status !== "NOT_STARTED");
  const by = actor ? { actor } : {};
  for (const stage of pipeline) {
    if (!isTerminalStageStatus(stage.status)) w.setStageStatus(stage.index, "CANCELLED", reason, by);
  }
  if (!touched) {
    for (const stage of stages) {
      if (stage.kind === "ROLLBACK" && stage.status === "NOT_STARTED") {
        w.setStageStatus(stage.index, "CANCELLED", "nothing to roll back");
      }
    }
    w.setDeploymentStatus("CANCELLED", `${reason} (before any change was made)`, by);
    return "CANCELLED";
  }
  if (!stages.some((s) => s.kind === "ROLLBACK" && s.status === "NOT_STARTED")) {
    appendRollbackStage(store, deployment.id, stages);
  }
  w.setDeploymentStatus("ROLLING_BACK", reason, { ...by, rollbackCause: cause });
  return "ROLLING_BACK";
}

/** Auto-rollback off, yet a person, a cancel or the deployment timeout asks for one: add it now. */
function appendRollbackStage(store: Store, deploymentId: string, stages: readonly Stage[]): void {
  const planned = rollbackStage();
  store.stages.insert({
    deploymentId,
    index: Math.max(...stages.map((s) => s.index)) + 1,
    kind: "ROLLBACK",
    stageId: planned.stageId,
    description: planned.description,
    visible: planned.visible,
    options: {},
    timeoutMs: planned.timeoutMs,
    status: "NOT_STARTED",
    statusReason: "",
    state: {},
    attempts: 0,
    startedAt: undefined,
    finishedAt: undefined,
  });
}
