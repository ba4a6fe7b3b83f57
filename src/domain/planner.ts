/**
 * The planner (DESIGN §3): app config + last successful deployment → the stages to run. Pure.
 *
 * - No pipeline, or no successful deployment yet (so no primary task set to canary against) → quick
 *   sync: a single ECS_SYNC stage.
 * - Otherwise the configured stages, in order.
 * - Plus a hidden ROLLBACK stage at the end when auto-rollback is on, so that a failure anywhere rolls
 *   back without anybody having to ask.
 */
import type { AppConfig, StageConfig } from "./app-config.js";

export type PlannedStage = Omit<StageConfig, "id"> & { stageId: string; visible: boolean };

export interface PlanInput {
  app: AppConfig;
  /** The last deployment of this app that ended SUCCESS, if any. */
  lastSuccessful: { version: string } | undefined;
}

/** Stage timeout for the stages the planner adds itself. PipeCD's default stage timeout. */
const DEFAULT_STAGE_TIMEOUT_MS = 6 * 60 * 60 * 1000;

export function planStages({ app, lastSuccessful }: PlanInput): PlannedStage[] {
  const quickSync = app.pipeline === undefined || app.pipeline.length === 0 || lastSuccessful === undefined;
  const stages: PlannedStage[] = quickSync
    ? [
        {
          kind: "ECS_SYNC",
          stageId: "quick-sync",
          description:
            lastSuccessful === undefined && app.pipeline !== undefined
              ? "First deployment: quick sync (no primary task set to compare a canary with yet)"
              : "Quick sync: roll out the new version and switch all traffic to it",
          visible: true,
          timeoutMs: DEFAULT_STAGE_TIMEOUT_MS,
          options: {},
        },
      ]
    : (app.pipeline ?? []).map((stage) => plannedFromConfig(stage));
  if (app.autoRollback) stages.push(rollbackStage());
  return stages;
}

/** The ROLLBACK stage; also appended on demand when a rollback is asked for and none was planned. */
export function rollbackStage(): PlannedStage {
  return {
    kind: "ROLLBACK",
    stageId: "rollback",
    description: "Roll back: traffic to 100% primary, remove the canary and baseline",
    visible: false,
    timeoutMs: DEFAULT_STAGE_TIMEOUT_MS,
    options: {},
  };
}

function plannedFromConfig(stage: StageConfig): PlannedStage {
  const { id, ...rest } = stage;
  return { ...rest, stageId: id, visible: true } as PlannedStage;
}
