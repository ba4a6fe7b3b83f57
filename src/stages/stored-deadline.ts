/**
 * A stage deadline fixed on the stage's first step and saved before it is used, so that a restart
 * continues towards the same deadline instead of starting the wait over.
 */
import type { StageContext } from "../engine/stage-executor.js";

export function storedDeadline(ctx: StageContext, key: string, durationMs: number): number {
  const stored = ctx.stage.state[key];
  if (typeof stored === "number") return stored;
  const deadline = ctx.clock.now() + durationMs;
  ctx.saveState({ [key]: deadline });
  return deadline;
}
