/**
 * ECS_CANARY_ROLLOUT {scale}: a task set of the new version at `scale`% of the service's desired count
 * (ECS rounds up) on the canary target group, not primary; done once it is stable with healthy targets.
 */
import type { StageExecutor } from "../engine/stage-executor.js";
import {
  done,
  ecsTarget,
  ensureTaskDefinition,
  ensureTaskSet,
  failed,
  forwardRules,
  recordRollbackFacts,
  stabilityOf,
  waitForStability,
  wiringHelp,
} from "./ecs-steps.js";

export const ecsCanaryRolloutExecutor: StageExecutor<"ECS_CANARY_ROLLOUT"> = {
  kind: "ECS_CANARY_ROLLOUT",
  async step(ctx) {
    const target = ecsTarget(ctx.deployment.appConfig);
    if (!target.canary) return failed("input.targetGroups.canary is required for a canary");
    // ECS refuses a task set on a target group no listener forwards to, with a message that does not say
    // what to do; check the wiring first and say it plainly.
    if ((await forwardRules(ctx, target)).length === 0) return failed(wiringHelp(target));
    await recordRollbackFacts(ctx, target);
    const taskDefinitionArn = await ensureTaskDefinition(ctx);
    const { scale } = ctx.stage.options;
    const taskSet = await ensureTaskSet(ctx, target, "canary", taskDefinitionArn, target.canary, scale);
    const stability = await stabilityOf(ctx, taskSet, target.canary);
    if (!stability.ready) return waitForStability(ctx, "canary", "the canary task set", stability.seen);
    return done(`canary ${ctx.deployment.version} running at ${scale}% of the service`);
  },
};
