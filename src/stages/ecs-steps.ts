/**
 * The building blocks every ECS/ALB executor is made of. Each is an idempotent "ensure": it looks at
 * the world first and changes it only when needed, so a step re-run after a crash converges.
 *
 * Deployment context fields written here (before the change they protect; `domain/deployment-context.ts`):
 * - `previousTaskDefinitionArn` / `previousPrimaryTaskSetArn`: the primary before this deployment
 *   (null on a first deployment) — the rollback recreates it from the ARN, without re-registering;
 * - `taskDefinitionArn`: the new version's task definition, registered once;
 * - `forwardRules`: the listener rules that carry the app's traffic, saved before the first weight
 *   change so the rollback moves traffic back in one call per rule.
 */
import type { AppConfig, TargetGroupRef } from "../domain/app-config.js";
import { KanariaError } from "../domain/kanaria-error.js";
import { renderTaskDefinition } from "../domain/render-task-definition.js";
import type { StageContext, StepResult } from "../engine/stage-executor.js";
import type { ForwardRule, TaskSetInfo, WeightedTargetGroup } from "../ports.js";
import { storedDeadline } from "./stored-deadline.js";

export type Role = "primary" | "canary" | "baseline" | "restore";

export interface EcsTarget {
  cluster: string;
  service: string;
  primary: TargetGroupRef;
  canary: TargetGroupRef | undefined;
  baseline: TargetGroupRef | undefined;
}

/** How long a task set may take to reach steady state with healthy targets before the stage fails. */
export const STABILITY_TIMEOUT_MS = 15 * 60_000;

export function ecsTarget(app: AppConfig): EcsTarget {
  const primary = app.input.targetGroups.primary;
  if (!primary) throw new KanariaError("CONFIG_INVALID", `${app.name}: targetGroups.primary is required`);
  return {
    cluster: String(app.serviceDefinition.cluster ?? "default"),
    service: String(app.serviceDefinition.serviceName),
    primary,
    canary: app.input.targetGroups.canary,
    baseline: app.input.targetGroups.baseline,
  };
}

export function externalIdOf(ctx: StageContext, role: Role): string {
  return `${ctx.deployment.id}:${role}`;
}

export function isOurs(ctx: StageContext, taskSet: TaskSetInfo): boolean {
  return taskSet.externalId?.startsWith(`${ctx.deployment.id}:`) ?? false;
}

export async function taskSetsOf(ctx: StageContext, target: EcsTarget): Promise<TaskSetInfo[]> {
  return (await ctx.ports.ecs.describeService(target.cluster, target.service))?.taskSets ?? [];
}

/** Saves what the rollback needs about the current primary, once, before this deployment changes it. */
export async function recordRollbackFacts(ctx: StageContext, target: EcsTarget): Promise<void> {
  if (ctx.deployment.context.previousTaskDefinitionArn !== undefined) return;
  const service = await ctx.ports.ecs.describeService(target.cluster, target.service);
  const primary = service?.taskSets.find((t) => t.status === "PRIMARY" && !isOurs(ctx, t));
  ctx.saveContext({
    previousTaskDefinitionArn: primary?.taskDefinitionArn ?? null,
    previousPrimaryTaskSetArn: primary?.taskSetArn ?? null,
    serviceExisted: service !== undefined,
  });
}

export async function ensureTaskDefinition(ctx: StageContext): Promise<string> {
  const saved = ctx.deployment.context.taskDefinitionArn;
  if (saved !== undefined) return saved;
  const app = ctx.deployment.appConfig;
  const rendered = renderTaskDefinition(
    app.taskDefinition,
    ctx.deployment.version,
    app.input.targetGroups.primary?.containerName,
  );
  // A crash between these two lines registers one extra revision on the next try: harmless.
  const arn = await ctx.ports.ecs.registerTaskDefinition(rendered);
  ctx.saveContext({ taskDefinitionArn: arn });
  ctx.report(`registered task definition ${arn.split("/").pop()}`);
  return arn;
}

/** Service-definition fields a task set inherits (launch type, network…). */
function taskSetExtra(serviceDefinition: Record<string, unknown>): Record<string, unknown> {
  const keys = [
    "launchType",
    "networkConfiguration",
    "platformVersion",
    "capacityProviderStrategy",
    "serviceRegistries",
  ];
  return Object.fromEntries(
    keys.filter((k) => serviceDefinition[k] !== undefined).map((k) => [k, serviceDefinition[k]]),
  );
}

export async function ensureTaskSet(
  ctx: StageContext,
  target: EcsTarget,
  role: Role,
  taskDefinitionArn: string,
  group: TargetGroupRef,
  scalePercent: number,
): Promise<TaskSetInfo> {
  const externalId = externalIdOf(ctx, role);
  const existing = (await taskSetsOf(ctx, target)).find((t) => t.externalId === externalId);
  if (existing) return existing;
  const created = await ctx.ports.ecs.createTaskSet({
    cluster: target.cluster,
    service: target.service,
    taskDefinitionArn,
    targetGroup: group,
    scalePercent,
    externalId,
    // Same token on a retry after a crash: ECS returns the task set it already created.
    clientToken: externalId,
    tags: {
      "kanaria:deployment": ctx.deployment.id,
      "kanaria:role": role,
      "kanaria:app": ctx.deployment.app,
    },
    extra: taskSetExtra(ctx.deployment.appConfig.serviceDefinition),
  });
  ctx.report(`created ${role} task set (${scalePercent}%) on ${shortName(group.targetGroupArn)}`);
  return created;
}

export type Stability = { ready: true } | { ready: false; seen: string };

/**
 * Steady state *and* healthy targets. Counts ECS does not report are unknown, not zero: then steady
 * state and no unhealthy target have to do.
 */
export async function stabilityOf(
  ctx: StageContext,
  taskSet: TaskSetInfo,
  group: TargetGroupRef,
): Promise<Stability> {
  const health = await ctx.ports.loadBalancer.describeTargetHealth(group.targetGroupArn);
  const desired = taskSet.computedDesiredCount;
  const counts =
    desired === undefined
      ? "task counts not reported"
      : `${taskSet.runningCount ?? "?"}/${desired} running, ${taskSet.pendingCount ?? "?"} pending`;
  const seen = `${taskSet.stabilityStatus}, ${counts}, targets ${health.healthy} healthy / ${health.initial} initial / ${health.unhealthy} unhealthy`;
  if (taskSet.stabilityStatus !== "STEADY_STATE") return { ready: false, seen };
  if (desired !== undefined) {
    if (taskSet.runningCount !== undefined && taskSet.runningCount < desired) return { ready: false, seen };
    if (health.healthy < desired) return { ready: false, seen };
  } else if (health.unhealthy > 0 || health.initial > 0) {
    return { ready: false, seen };
  }
  return { ready: true };
}

/** Polls again later with backoff (2 s … 30 s); fails the stage with what was seen at the deadline. */
export function waitForStability(ctx: StageContext, role: Role, what: string, seen: string): StepResult {
  const deadline = storedDeadline(ctx, `${role}StableBy`, STABILITY_TIMEOUT_MS);
  const now = ctx.clock.now();
  if (now >= deadline) {
    return {
      type: "done",
      status: "FAILURE",
      reason: `${what} did not become stable within ${STABILITY_TIMEOUT_MS / 60_000} min; last seen: ${seen}`,
    };
  }
  const pollsKey: `${Role}Polls` = `${role}Polls`;
  const polls = ctx.stage.state[pollsKey] ?? 0;
  ctx.saveState({ [pollsKey]: polls + 1 });
  const delay = Math.min(30_000, 2000 * 2 ** Math.min(polls, 4));
  return { type: "wait", until: Math.min(deadline, now + delay), reason: `waiting for ${what}: ${seen}` };
}

/** The app's target groups, in the order weights are written: primary, canary, baseline. */
export function appGroups(target: EcsTarget): string[] {
  return [target.primary, target.canary, target.baseline].flatMap((g) => (g ? [g.targetGroupArn] : []));
}

/** The forward rules carrying the app's traffic; saved in the deployment context for the rollback. */
export async function forwardRules(ctx: StageContext, target: EcsTarget): Promise<ForwardRule[]> {
  const rules = await ctx.ports.loadBalancer.findForwardRules(appGroups(target));
  if (rules.length > 0 && ctx.deployment.context.forwardRules === undefined)
    ctx.saveContext({ forwardRules: rules });
  return rules;
}

export function weightsFor(
  target: EcsTarget,
  split: { primary: number; canary: number; baseline: number },
): WeightedTargetGroup[] {
  const weights: WeightedTargetGroup[] = [
    { targetGroupArn: target.primary.targetGroupArn, weight: split.primary },
  ];
  if (target.canary) weights.push({ targetGroupArn: target.canary.targetGroupArn, weight: split.canary });
  if (target.baseline)
    weights.push({ targetGroupArn: target.baseline.targetGroupArn, weight: split.baseline });
  return weights;
}

export function wiringHelp(target: EcsTarget): string {
  const names = appGroups(target).map(shortName).join(", ");
  return (
    `no listener rule forwards to exactly this app's target groups (${names}). Kanaria shifts traffic by ` +
    "changing the weights of a forward action, so the ALB listener (its default action, or a rule) must " +
    `forward to all of them at once: e.g. a forward action with target groups ${names} and weights 100/0.`
  );
}

export function shortName(targetGroupArn: string): string {
  return targetGroupArn.split(":targetgroup/")[1]?.split("/")[0] ?? targetGroupArn;
}

export function done(reason: string): StepResult {
  return { type: "done", status: "SUCCESS", reason };
}

export function failed(reason: string): StepResult {
  return { type: "done", status: "FAILURE", reason };
}
