/**
 * ECS_PRIMARY_ROLLOUT: a 100% task set of the new version on the primary target group, made primary
 * once stable; then only the *old primary* is deleted. The canary stays until ECS_CANARY_CLEAN, so
 * traffic still routed to it keeps being served.
 */
import type { StageExecutor } from "../engine/stage-executor.js";
import {
  done,
  ecsTarget,
  ensureTaskDefinition,
  ensureTaskSet,
  recordRollbackFacts,
  stabilityOf,
  waitForStability,
} from "./ecs-steps.js";

export const ecsPrimaryRolloutExecutor: StageExecutor<"ECS_PRIMARY_ROLLOUT"> = {
  kind: "ECS_PRIMARY_ROLLOUT",
  async step(ctx) {
    const target = ecsTarget(ctx.deployment.appConfig);
    await recordRollbackFacts(ctx, target);
    const taskDefinitionArn = await ensureTaskDefinition(ctx);
    const taskSet = await ensureTaskSet(ctx, target, "primary", taskDefinitionArn, target.primary, 100);
    if (taskSet.status !== "PRIMARY") {
      const stability = await stabilityOf(ctx, taskSet, target.primary);
      if (!stability.ready)
        return waitForStability(ctx, "primary", "the new primary task set", stability.seen);
      await ctx.ports.ecs.updatePrimaryTaskSet(target.cluster, target.service, taskSet.taskSetArn);
    }
    const old = ctx.deployment.context.previousPrimaryTaskSetArn;
    if (typeof old === "string") await ctx.ports.ecs.deleteTaskSet(target.cluster, target.service, old);
    return done(`${ctx.deployment.version} is the primary`);
  },
};
