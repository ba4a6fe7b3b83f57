/**
 * ECS_CANARY_ROLLOUT {scale}: a task set of the new version at `scale`% of the service's desired count
 * (ECS rounds up) on the canary target group, not primary; done once it is stable with healthy targets.
 */
import type { StageExecutor } from "../engine/stage-executor.js";
import { ensureTaskDefinition } from "./ecs-steps.js";
import { sideRolloutStep } from "./side-rollout.js";

export const ecsCanaryRolloutExecutor: StageExecutor<"ECS_CANARY_ROLLOUT"> = {
  kind: "ECS_CANARY_ROLLOUT",
  step: (ctx) =>
    sideRolloutStep(ctx, ctx.stage.options.scale, {
      role: "canary",
      group: (target) => target.canary,
      taskDefinition: ensureTaskDefinition,
      describe: (c, scale) => `canary ${c.deployment.version} running at ${scale}% of the service`,
    }),
};
