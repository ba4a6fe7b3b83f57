/**
 * ECS_BASELINE_ROLLOUT {scale}: a fresh task set running the *current primary's* task definition on
 * the baseline target group, the same size as the canary, so the canary is compared with an equally
 * cold control instead of long-running primary tasks (Kayenta's practice).
 */
import type { StageExecutor } from "../engine/stage-executor.js";
import { sideRolloutStep } from "./side-rollout.js";

export const ecsBaselineRolloutExecutor: StageExecutor<"ECS_BASELINE_ROLLOUT"> = {
  kind: "ECS_BASELINE_ROLLOUT",
  step: (ctx) =>
    sideRolloutStep(ctx, ctx.stage.options.scale, {
      role: "baseline",
      group: (target) => target.baseline,
      // Recorded by recordRollbackFacts before anything changed: the primary this deployment started from.
      taskDefinition: async (c) => {
        const primary = c.deployment.context.previousTaskDefinitionArn;
        return typeof primary === "string"
          ? primary
          : { problem: "there is no primary task set to copy into a baseline" };
      },
      describe: (c, scale) =>
        `baseline (${c.deployment.previousVersion ?? "current primary"}) running at ${scale}%`,
    }),
};
