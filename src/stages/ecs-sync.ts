/**
 * ECS_SYNC (quick sync): register the version's task definition, create or update the service, run a
 * 100% task set on the primary target group, make it primary once stable, delete every older task set,
 * and send all traffic to the primary group where a listener splits it.
 */
import type { StageExecutor } from "../engine/stage-executor.js";
import {
  done,
  ecsTarget,
  ensureTaskDefinition,
  ensureTaskSet,
  forwardRules,
  recordRollbackFacts,
  stabilityOf,
  taskSetsOf,
  waitForStability,
  weightsFor,
} from "./ecs-steps.js";

export const ecsSyncExecutor: StageExecutor<"ECS_SYNC"> = {
  kind: "ECS_SYNC",
  async step(ctx) {
    const target = ecsTarget(ctx.deployment.appConfig);
    await recordRollbackFacts(ctx, target);
    const taskDefinitionArn = await ensureTaskDefinition(ctx);
    await ctx.ports.ecs.ensureService(ctx.deployment.appConfig.serviceDefinition);
    const taskSet = await ensureTaskSet(ctx, target, "primary", taskDefinitionArn, target.primary, 100);
    if (taskSet.status !== "PRIMARY") {
      const stability = await stabilityOf(ctx, taskSet, target.primary);
      if (!stability.ready)
        return waitForStability(ctx, "primary", `the ${ctx.deployment.version} task set`, stability.seen);
      await ctx.ports.ecs.updatePrimaryTaskSet(target.cluster, target.service, taskSet.taskSetArn);
    }
    for (const other of await taskSetsOf(ctx, target)) {
      if (other.taskSetArn !== taskSet.taskSetArn) {
        await ctx.ports.ecs.deleteTaskSet(target.cluster, target.service, other.taskSetArn);
      }
    }
    if (target.canary) {
      for (const rule of await forwardRules(ctx, target)) {
        if (
          rule.targetGroups.some((g) => g.targetGroupArn !== target.primary.targetGroupArn && g.weight > 0)
        ) {
          await ctx.ports.loadBalancer.setWeights(
            rule,
            weightsFor(target, { primary: 100, canary: 0, baseline: 0 }),
          );
        }
      }
    }
    return done(`${ctx.deployment.version} is the primary`);
  },
};
