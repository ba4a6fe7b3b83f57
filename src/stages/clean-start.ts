/**
 * Clean starts (DESIGN §4): before a deployment's first stage, and for every idle app when `serve`
 * starts, Kanaria reads the service's task sets and the listener weights and deals with what earlier
 * runs left behind:
 *
 * - weights not 100/0 on the primary: set back to 100% primary, one call per forward rule;
 * - task sets on the canary or baseline target group that no running deployment owns (Kanaria's own,
 *   from a rollback someone marked fixed by hand, or anybody's): deleted, *after* the weights, so that
 *   nothing is deleted while it carries traffic.
 *
 * What cannot be repaired safely is reported, not touched, and the deployment does not start: a
 * service without a PRIMARY task set, a primary on the wrong target group, or an extra task set on the
 * primary target group (it serves the primary's traffic, so deleting it is a capacity decision for a
 * person). The report names each thing and the AWS CLI command that repairs it.
 *
 * Every step is idempotent (read, then change), so a crash in the middle repairs the rest next time.
 */
import type { AppConfig } from "../domain/app-config.js";
import type { StagePorts } from "../engine/stage-executor.js";
import type { ForwardRule, TaskSetInfo } from "../ports.js";
import { appGroups, type EcsTarget, ecsTarget, shortName, weightsFor } from "./ecs-steps.js";

/** Whether a deployment id (from a task set's external id) belongs to a deployment still running. */
export type OwnerCheck = (deploymentId: string) => boolean;

export type CleanStartOutcome =
  | { kind: "clean" }
  | { kind: "repaired"; found: string[]; done: string[] }
  | { kind: "unsafe"; found: string[]; repair: string[] };

/** How the engine asks for a clean start; `stages/` implements it on the ECS and ALB ports. */
export type CleanStart = (
  app: AppConfig,
  ports: StagePorts,
  running: OwnerCheck,
  /** Told what was found just before the first repair call, so the caller can save it first. */
  beforeRepair?: (found: readonly string[]) => void,
) => Promise<CleanStartOutcome>;

export const cleanStartEcs: CleanStart = async (app, ports, running, beforeRepair) => {
  const target = ecsTarget(app);
  const service = await ports.ecs.describeService(target.cluster, target.service);
  const rules = service ? await ports.loadBalancer.findForwardRules(appGroups(target)) : [];
  const taskSets = service?.taskSets ?? [];
  const split = rules.filter((rule) => !allOnPrimary(rule, target));
  const primary = taskSets.filter((t) => t.status === "PRIMARY");
  const sideGroups = new Set([target.canary, target.baseline].flatMap((g) => (g ? [g.targetGroupArn] : [])));
  const others = taskSets.filter((t) => t.status !== "PRIMARY" && !ownedByRunning(t, running));
  const orphans = others.filter((t) => t.targetGroupArns.every((arn) => sideGroups.has(arn)));
  const blockers = others.filter((t) => !orphans.includes(t));

  const found = [
    ...split.map((rule) => `${ruleName(rule)} forwards ${weightText(rule)}`),
    ...orphans.map((t) => `task set ${taskSetText(t)} has no running deployment`),
  ];
  const unsafe = [
    ...(service && taskSets.length > 0 && primary.length === 0
      ? [`service ${target.service} has task sets but none is PRIMARY`]
      : []),
    ...primary
      .filter((t) => !t.targetGroupArns.includes(target.primary.targetGroupArn))
      .map((t) => `the PRIMARY task set ${taskSetText(t)} is not on the primary target group`),
    ...blockers.map((t) => `task set ${taskSetText(t)} serves beside the primary and no deployment owns it`),
  ];
  if (unsafe.length > 0) {
    return {
      kind: "unsafe",
      found: [...found, ...unsafe],
      repair: [
        ...split.map((rule) => repairWeightsCommand(rule, target)),
        ...[...orphans, ...blockers].map((t) => deleteCommand(target, t)),
      ],
    };
  }
  if (found.length === 0) return { kind: "clean" };

  beforeRepair?.(found);
  const done: string[] = [];
  const primaryOnly = weightsFor(target, { primary: 100, canary: 0, baseline: 0 });
  for (const rule of split) {
    await ports.loadBalancer.setWeights(rule, primaryOnly);
    done.push(`${ruleName(rule)} back to 100% primary`);
  }
  for (const orphan of orphans) {
    const deleted = await ports.ecs.deleteTaskSet(target.cluster, target.service, orphan.taskSetArn);
    done.push(`task set ${taskSetText(orphan)} ${deleted === "deleted" ? "deleted" : "already gone"}`);
  }
  return { kind: "repaired", found, done };
};

function allOnPrimary(rule: ForwardRule, target: EcsTarget): boolean {
  return rule.targetGroups.every((g) =>
    g.targetGroupArn === target.primary.targetGroupArn ? g.weight > 0 : g.weight === 0,
  );
}

/** Kanaria writes `<deployment id>:<role>` as the external id of every task set it creates. */
function ownedByRunning(taskSet: TaskSetInfo, running: OwnerCheck): boolean {
  const owner = kanariaOwner(taskSet);
  return owner !== undefined && running(owner);
}

function kanariaOwner(taskSet: TaskSetInfo): string | undefined {
  const match = /^(.+):(primary|canary|baseline|restore)$/.exec(taskSet.externalId ?? "");
  return match?.[1];
}

function taskSetText(t: TaskSetInfo): string {
  const owner = kanariaOwner(t);
  const groups = t.targetGroupArns.map(shortName).join(", ") || "no target group";
  return `${t.taskSetArn.split("/").pop()} (${owner ? `from deployment ${owner}` : "not Kanaria's"}, ${t.status}, on ${groups})`;
}

function ruleName(rule: ForwardRule): string {
  return rule.ruleArn
    ? `rule ${rule.ruleArn.split("/").slice(-1)[0]} of listener ${rule.listenerArn.split("/").slice(-1)[0]}`
    : `listener ${rule.listenerArn.split("/").slice(-1)[0]}`;
}

function weightText(rule: ForwardRule): string {
  return rule.targetGroups.map((g) => `${shortName(g.targetGroupArn)} ${g.weight}%`).join(" / ");
}

function repairWeightsCommand(rule: ForwardRule, target: EcsTarget): string {
  const groups = weightsFor(target, { primary: 100, canary: 0, baseline: 0 })
    .map((g) => `{TargetGroupArn=${g.targetGroupArn},Weight=${g.weight}}`)
    .join(",");
  const actions = `Type=forward,ForwardConfig={TargetGroups=[${groups}]}`;
  return rule.ruleArn
    ? `aws elbv2 modify-rule --rule-arn ${rule.ruleArn} --actions '${actions}'`
    : `aws elbv2 modify-listener --listener-arn ${rule.listenerArn} --default-actions '${actions}'`;
}

function deleteCommand(target: EcsTarget, t: TaskSetInfo): string {
  return `aws ecs delete-task-set --cluster ${target.cluster} --service ${target.service} --task-set ${t.taskSetArn}`;
}
