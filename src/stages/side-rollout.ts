/**
 * The shared shape of ECS_CANARY_ROLLOUT and ECS_BASELINE_ROLLOUT: a non-primary task set at `scale`%
 * on its own target group, done once stable with healthy targets. They differ in the group and in the
 * task definition (the new version's, or the current primary's).
 */
import type { TargetGroupRef } from "../domain/app-config.js";
import type { StageContext, StepResult } from "../engine/stage-executor.js";
import {
  type EcsTarget,
  ecsTarget,
  ensureTaskSet,
  failed,
  forwardRules,
  isOurs,
  recordRollbackFacts,
  shortName,
  stabilityOf,
  taskSetsOf,
  waitForStability,
  wiringHelp,
} from "./ecs-steps.js";

export interface SideRollout {
  role: "canary" | "baseline";
  group(target: EcsTarget): TargetGroupRef | undefined;
  /** The task definition to run, or a reason why there is none. */
  taskDefinition(ctx: StageContext): Promise<string | { problem: string }>;
  describe(ctx: StageContext, scale: number): string;
}

export async function sideRolloutStep(
  ctx: StageContext,
  scale: number,
  side: SideRollout,
): Promise<StepResult> {
  const target = ecsTarget(ctx.deployment.appConfig);
  const group = side.group(target);
  if (!group) return failed(`input.targetGroups.${side.role} is required for a ${side.role}`);
  // ECS refuses a task set on a target group no listener forwards to, with a message that does not say
  // what to do; check the wiring first and say it plainly.
  if ((await forwardRules(ctx, target)).length === 0) return failed(wiringHelp(target));
  await recordRollbackFacts(ctx, target);
  const definition = await side.taskDefinition(ctx);
  if (typeof definition !== "string") return failed(definition.problem);
  // A task set of someone else's on this group would take a share of the traffic meant for ours and
  // be judged as ours (the clean start removes such leftovers before the first stage).
  const strangers = (await taskSetsOf(ctx, target)).filter(
    (t) => !isOurs(ctx, t) && t.targetGroupArns.includes(group.targetGroupArn),
  );
  if (strangers.length > 0) {
    return failed(
      `the ${side.role} target group ${shortName(group.targetGroupArn)} already carries task set(s) ${strangers.map((t) => `${t.taskSetArn.split("/").pop()} (${t.externalId ?? "no external id"})`).join(", ")}; a ${side.role} never starts beside them`,
    );
  }
  const taskSet = await ensureTaskSet(ctx, target, side.role, definition, group, scale);
  const stability = await stabilityOf(ctx, taskSet, group);
  if (!stability.ready) return waitForStability(ctx, side.role, `the ${side.role} task set`, stability.seen);
  return { type: "done", status: "SUCCESS", reason: side.describe(ctx, scale) };
}
