/**
 * ROLLBACK. Traffic first: the saved forward rules get 100% primary in one call each — the fastest way
 * to stop the harm. Then, if this deployment had already replaced the primary, the old primary is
 * recreated from the recorded task definition ARN (no re-registration) and made primary; last, every
 * task set this deployment created is deleted. A first deployment thus ends with nothing it created.
 */
import type { StageExecutor } from "../engine/stage-executor.js";
import {
  done,
  ecsTarget,
  ensureTaskSet,
  externalIdOf,
  failed,
  isOurs,
  shortName,
  stabilityOf,
  taskSetsOf,
  waitForStability,
  weightsFor,
} from "./ecs-steps.js";

export const rollbackExecutor: StageExecutor<"ROLLBACK"> = {
  kind: "ROLLBACK",
  async step(ctx) {
    const target = ecsTarget(ctx.deployment.appConfig);
    if (ctx.stage.state.trafficRestored !== true) {
      const rules = ctx.deployment.context.forwardRules ?? [];
      const primaryOnly = weightsFor(target, { primary: 100, canary: 0, baseline: 0 });
      for (const rule of rules) {
        const stored = await ctx.ports.loadBalancer.setWeights(rule, primaryOnly);
        const primary = stored.find((w) => w.targetGroupArn === target.primary.targetGroupArn);
        if (stored.some((w) => w.weight > 0 && w !== primary)) {
          return failed(
            `traffic did not move back: ${stored.map((w) => `${shortName(w.targetGroupArn)}=${w.weight}`).join(", ")}`,
          );
        }
      }
      ctx.saveState({ trafficRestored: true });
      if (rules.length > 0) ctx.report("traffic back to 100% primary");
    }

    const previous = ctx.deployment.context.previousTaskDefinitionArn;
    const primary = (await taskSetsOf(ctx, target)).find((t) => t.status === "PRIMARY");
    const replaced = primary === undefined || primary.externalId === externalIdOf(ctx, "primary");
    if (typeof previous === "string" && replaced) {
      const restore = await ensureTaskSet(ctx, target, "restore", previous, target.primary, 100);
      const stability = await stabilityOf(ctx, restore, target.primary);
      if (!stability.ready) return waitForStability(ctx, "restore", "the restored primary", stability.seen);
      await ctx.ports.ecs.updatePrimaryTaskSet(target.cluster, target.service, restore.taskSetArn);
      ctx.report(`primary restored from ${previous.split("/").pop()}`);
    }

    let removed = 0;
    for (const taskSet of await taskSetsOf(ctx, target)) {
      if (!isOurs(ctx, taskSet) || taskSet.externalId === externalIdOf(ctx, "restore")) continue;
      if (
        (await ctx.ports.ecs.deleteTaskSet(target.cluster, target.service, taskSet.taskSetArn)) === "deleted"
      )
        removed++;
    }
    return done(
      typeof previous === "string"
        ? `rolled back to ${ctx.deployment.previousVersion ?? previous.split("/").pop()}; ${removed} task set(s) removed`
        : `first deployment undone: ${removed} task set(s) removed`,
    );
  },
};
