/**
 * ECS_TRAFFIC_ROUTING {primary, canary, baseline}: new weights on every forward action whose target
 * groups are exactly the app's (ModifyListener for default actions, ModifyRule for rules), keeping
 * stickiness; the weights AWS stored are read back and compared.
 */
import type { StageExecutor } from "../engine/stage-executor.js";
import { done, ecsTarget, failed, forwardRules, shortName, weightsFor, wiringHelp } from "./ecs-steps.js";

export const ecsTrafficRoutingExecutor: StageExecutor<"ECS_TRAFFIC_ROUTING"> = {
  kind: "ECS_TRAFFIC_ROUTING",
  async step(ctx) {
    const target = ecsTarget(ctx.deployment.appConfig);
    const split = ctx.stage.options;
    if (split.canary > 0 && !target.canary) return failed("canary traffic needs input.targetGroups.canary");
    if (split.baseline > 0 && !target.baseline)
      return failed("baseline traffic needs input.targetGroups.baseline");
    const rules = await forwardRules(ctx, target);
    if (rules.length === 0) return failed(wiringHelp(target));
    const wanted = weightsFor(target, split);
    for (const rule of rules) {
      const stored = await ctx.ports.loadBalancer.setWeights(rule, wanted);
      const mismatch = wanted.find(
        (w) => stored.find((s) => s.targetGroupArn === w.targetGroupArn)?.weight !== w.weight,
      );
      if (mismatch) {
        const readBack = stored.map((s) => `${shortName(s.targetGroupArn)}=${s.weight}`).join(", ");
        return failed(`the listener did not keep the new weights: read back ${readBack || "nothing"}`);
      }
    }
    const parts = [`primary ${split.primary}%`, `canary ${split.canary}%`];
    if (target.baseline) parts.push(`baseline ${split.baseline}%`);
    return done(`${parts.join(" · ")} on ${rules.length} listener rule${rules.length === 1 ? "" : "s"}`);
  },
};
