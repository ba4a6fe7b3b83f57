/**
 * What a stage keeps between its steps (the `state` column of a stage row), one schema per stage kind.
 * The store checks a row against its kind's schema when it reads it, so executors and views read typed
 * fields; a row that does not fit is reported as corrupt (see `Stage.stateProblem`) and the runner fails
 * the stage with that message instead of stepping it on a guess.
 *
 * Every field is optional: a stage starts with `{}` and fills its state as it goes, and rows written by
 * earlier releases lack what was added since. Unknown keys are dropped on read, not refused, so the
 * history of finished deployments stays readable.
 */
import { z } from "zod";
import { approvalStateSchema } from "./approval-state.js";
import { rollbackBlockSchema } from "./rollback-block.js";
import type { StageKind } from "./stage-kind.js";

/** A time in ms since the epoch. */
const instant = z.number();
const count = z.number().int().nonnegative();

/**
 * The SEQUENTIAL prior an analysis recorded (`analysis/sequential-prior.ts` is the authority on what makes
 * one valid; the ANALYSIS stage checks that, this checks only the stored shape).
 */
const storedPriorSchema = z.object({
  centre: z.number(),
  spread: z.number(),
  tail: z.number(),
  late: z.number(),
  lateFrom: z.number(),
  lateScale: z.number(),
  lateCentre: z.number().optional(),
  lateSpread: z.number().optional(),
  horizon: z.number().optional(),
});

const notADuration = "is not a positive duration in ms";

/** Every field any kind keeps; each kind picks its own below. */
const stageStateFields = z.object({
  /** Runner-owned, on any stage that waits for people (see `approval-state.ts`). */
  approval: approvalStateSchema.optional(),
  /** WAIT and WAIT_APPROVAL: when the wait ends, fixed on the first step. */
  deadlineAt: instant.optional(),
  /** ANALYSIS: the start of the tick grid, fixed on the first step. */
  analysisStart: instant.optional(),
  /** ANALYSIS: when it ends, fixed with the start; the progress bar runs to it (absent in rows stored before it was kept). */
  analysisEnd: instant.optional(),
  /** ANALYSIS: the SEQUENTIAL prior recorded on the first step (see `stages/analysis.ts`). */
  sequentialPrior: storedPriorSchema.optional(),
  /** ANALYSIS: the duration the prior's late-start law is cut at, recorded with the prior. */
  sequentialHorizonMs: z.number({ error: notADuration }).positive({ error: notADuration }).optional(),
  /** ANALYSIS: per metric, the tick whose rate limit was already waited out once. */
  rateLimitedTicks: z.record(z.string(), instant).optional(),
  /** Stability waits of the ECS stages, per task-set role: the deadline and the polls so far. */
  primaryStableBy: instant.optional(),
  primaryPolls: count.optional(),
  canaryStableBy: instant.optional(),
  canaryPolls: count.optional(),
  baselineStableBy: instant.optional(),
  baselinePolls: count.optional(),
  restoreStableBy: instant.optional(),
  restorePolls: count.optional(),
  /** ROLLBACK: the saved forward rules are back at 100% primary. */
  trafficRestored: z.boolean().optional(),
  /** ROLLBACK: what blocks it while AWS refuses it (see `rollback-block.ts`). */
  rollbackBlock: rollbackBlockSchema.optional(),
});

/** The fields of every kind, all optional: what the store writes (see `StageState` for reading). */
export type AnyStageState = z.output<typeof stageStateFields>;

const RETRY_PREFIX = "retry:";

/**
 * Releases before the typed state kept each metric's rate-limited tick under its own key, `retry:<metric>`;
 * they are read into `rateLimitedTicks`.
 */
function foldLegacyRetries(raw: unknown): unknown {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return raw;
  const legacy = Object.entries(raw).filter(([key]) => key.startsWith(RETRY_PREFIX));
  if (legacy.length === 0) return raw;
  const rest = Object.fromEntries(Object.entries(raw).filter(([key]) => !key.startsWith(RETRY_PREFIX)));
  const folded = Object.fromEntries(legacy.map(([key, at]) => [key.slice(RETRY_PREFIX.length), at]));
  const current: unknown = rest.rateLimitedTicks;
  return {
    ...rest,
    rateLimitedTicks: typeof current === "object" && current !== null ? { ...folded, ...current } : folded,
  };
}

const approvalOnly = stageStateFields.pick({ approval: true });

/**
 * The kinds that wait for a task set to become stable keep the wait under the role of the task set
 * (`stages/ecs-steps.ts`); every such kind accepts all four roles, so that no wait is lost on read.
 */
const stabilityFields = {
  approval: true,
  primaryStableBy: true,
  primaryPolls: true,
  canaryStableBy: true,
  canaryPolls: true,
  baselineStableBy: true,
  baselinePolls: true,
  restoreStableBy: true,
  restorePolls: true,
} as const;
const stabilityWait = stageStateFields.pick(stabilityFields);

export const STAGE_STATE_SCHEMAS = {
  ECS_SYNC: stabilityWait,
  ECS_CANARY_ROLLOUT: stabilityWait,
  ECS_BASELINE_ROLLOUT: stabilityWait,
  ECS_TRAFFIC_ROUTING: approvalOnly,
  ECS_PRIMARY_ROLLOUT: stabilityWait,
  ECS_CANARY_CLEAN: approvalOnly,
  ECS_BASELINE_CLEAN: approvalOnly,
  ANALYSIS: z.preprocess(
    foldLegacyRetries,
    stageStateFields.pick({
      approval: true,
      analysisStart: true,
      analysisEnd: true,
      sequentialPrior: true,
      sequentialHorizonMs: true,
      rateLimitedTicks: true,
    }),
  ),
  WAIT: stageStateFields.pick({ approval: true, deadlineAt: true }),
  WAIT_APPROVAL: stageStateFields.pick({ approval: true, deadlineAt: true }),
  ROLLBACK: stageStateFields.pick({ ...stabilityFields, trafficRestored: true, rollbackBlock: true }),
} satisfies Record<StageKind, z.ZodType<AnyStageState>>;

/**
 * A kind's own fields, and every other kind's as absent: so the state of a stage whose kind is not known
 * (a union of these) still reads any field, as `undefined` where the kind has no such field.
 */
type Exclusive<T> = T & { [P in Exclude<keyof AnyStageState, keyof T>]?: undefined };

export type StageStateByKind = {
  [K in StageKind]: Exclusive<z.output<(typeof STAGE_STATE_SCHEMAS)[K]>>;
};

/** The state of a stage of kind `K`. */
export type StageState<K extends StageKind = StageKind> = StageStateByKind[K];

/**
 * What a save merges into a stored state (or context): some fields, and `undefined` for a field to drop
 * (JSON has no undefined, so the field is gone from the stored row).
 */
export type StatePatch<T> = { [P in keyof T]?: T[P] | undefined };
