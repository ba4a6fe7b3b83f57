/**
 * WAIT {duration}: holds the pipeline. The deadline is stored on the first step, so a restart continues
 * the same wait instead of starting it over.
 */
import type { StageExecutor } from "../engine/stage-executor.js";
import { storedDeadline } from "./stored-deadline.js";

export const waitExecutor: StageExecutor<"WAIT"> = {
  kind: "WAIT",
  async step(ctx) {
    const now = ctx.clock.now();
    const deadlineAt = storedDeadline(ctx, "deadlineAt", ctx.stage.options.durationMs);
    if (now >= deadlineAt) {
      return {
        type: "done",
        status: "SUCCESS",
        reason: `waited ${formatDuration(ctx.stage.options.durationMs)}`,
      };
    }
    return { type: "wait", until: deadlineAt, reason: `waiting until ${new Date(deadlineAt).toISOString()}` };
  },
};

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  if (minutes < 60) return rest === 0 ? `${minutes}m` : `${minutes}m${rest}s`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
}
