/**
 * ECS_BASELINE_ROLLOUT {scale}: a fresh task set running the *current primary's* task definition on
 * the baseline target group, the same size as the canary, so the canary is compared with an equally
 * cold control instead of long-running primary tasks (Kayenta's practice).
 */
import type { StageExecutor } from "../engine/stage-executor.js";
import {
  done,
  ecsTarget,
  ensureTaskSet,
  failed,
  forwardRules,
  recordRollbackFacts,
  stabilityOf,
  waitForStability,
  wiringHelp,
} from "./ecs-steps.js";

export const ecsBaselineRolloutExecutor: StageExecutor<"ECS_BASELINE_ROLLOUT"> = {
  kind: "ECS_BASELINE_ROLLOUT",
  async step(ctx) {
    const target = ecsTarget(ctx.deployment.appConfig);
    if (!target.baseline) return failed("input.targetGroups.baseline is required for a baseline");
    // ECS refuses a task set on a target group no listener forwards to, with a message that does not say
    // what to do; check the wiring first and say it plainly.
    if ((await forwardRules(ctx, target)).length === 0) return failed(wiringHelp(target));
    await recordRollbackFacts(ctx, target);
    const primaryDefinition = ctx.deployment.context.previousTaskDefinitionArn;
    if (typeof primaryDefinition !== "string") {
      return failed("there is no primary task set to copy into a baseline");
    }
    const { scale } = ctx.stage.options;
    const taskSet = await ensureTaskSet(ctx, target, "baseline", primaryDefinition, target.baseline, scale);
    const stability = await stabilityOf(ctx, taskSet, target.baseline);
    if (!stability.ready) return waitForStability(ctx, "baseline", "the baseline task set", stability.seen);
    return done(`baseline (${ctx.deployment.previousVersion ?? "current primary"}) running at ${scale}%`);
  },
};
