/**
 * Every stage kind Kanaria knows. PipeCD's ECS stage names are kept as they are so that an
 * `app.pipecd.yaml` written for PipeCD loads unchanged; `ECS_BASELINE_*` and `ROLLBACK` are ours
 * (`ROLLBACK` is hidden: the planner adds it, users never write it).
 */
export const STAGE_KINDS = [
  "ECS_SYNC",
  "ECS_CANARY_ROLLOUT",
  "ECS_BASELINE_ROLLOUT",
  "ECS_TRAFFIC_ROUTING",
  "ECS_PRIMARY_ROLLOUT",
  "ECS_CANARY_CLEAN",
  "ECS_BASELINE_CLEAN",
  "ANALYSIS",
  "WAIT",
  "WAIT_APPROVAL",
  "ROLLBACK",
] as const;

export type StageKind = (typeof STAGE_KINDS)[number];

/** Stage kinds a pipeline in `app.pipecd.yaml` may name. */
export const CONFIGURABLE_STAGE_KINDS = STAGE_KINDS.filter((k) => k !== "ROLLBACK");

export function isStageKind(value: string): value is StageKind {
  return (STAGE_KINDS as readonly string[]).includes(value);
}
