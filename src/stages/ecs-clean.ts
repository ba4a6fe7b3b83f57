/**
 * ECS_CANARY_CLEAN and ECS_BASELINE_CLEAN: delete this deployment's canary / baseline task set.
 * Already gone is success.
 */
import type { StageContext, StageExecutor } from "../engine/stage-executor.js";
import { done, ecsTarget, externalIdOf, type Role, taskSetsOf } from "./ecs-steps.js";

async function clean(ctx: StageContext, role: Role): Promise<string> {
  const target = ecsTarget(ctx.deployment.appConfig);
  let removed = 0;
  for (const taskSet of await taskSetsOf(ctx, target)) {
    if (taskSet.externalId !== externalIdOf(ctx, role)) continue;
    if ((await ctx.ports.ecs.deleteTaskSet(target.cluster, target.service, taskSet.taskSetArn)) === "deleted")
      removed++;
  }
  return removed > 0 ? `${role} task set deleted` : `no ${role} task set left`;
}

export const ecsCanaryCleanExecutor: StageExecutor<"ECS_CANARY_CLEAN"> = {
  kind: "ECS_CANARY_CLEAN",
  async step(ctx) {
    return done(await clean(ctx, "canary"));
  },
};

export const ecsBaselineCleanExecutor: StageExecutor<"ECS_BASELINE_CLEAN"> = {
  kind: "ECS_BASELINE_CLEAN",
  async step(ctx) {
    return done(await clean(ctx, "baseline"));
  },
};
