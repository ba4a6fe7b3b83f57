/**
 * A stage deadline fixed on the stage's first step and saved before it is used, so that a restart
 * continues towards the same deadline instead of starting the wait over.
 */
import type { StageContext } from "../engine/stage-executor.js";
import type { Role } from "./ecs-steps.js";

/** The state fields that hold such a deadline (or, for ANALYSIS, the start of its tick grid). */
export type DeadlineKey = "deadlineAt" | "analysisStart" | `${Role}StableBy`;

export function storedDeadline(ctx: StageContext, key: DeadlineKey, durationMs: number): number {
  const stored = ctx.stage.state[key];
  if (stored !== undefined) return stored;
  const deadline = ctx.clock.now() + durationMs;
  ctx.saveState({ [key]: deadline });
  return deadline;
}
