/**
 * What executors record for later stages and for the rollback (the `context` column of a deployment
 * row), each written before the change it protects (see `stages/ecs-steps.ts`). The store checks a row
 * against this schema when it reads it; a row that does not fit is reported as corrupt (see
 * `Deployment.contextProblem`) and the runner steps no stage on it: a rollback must not guess where
 * traffic goes back to.
 *
 * Every field is optional: a deployment starts with `{}`, and rows written by earlier releases lack what
 * was added since. Unknown keys are dropped on read.
 */
import { z } from "zod";

const weightedTargetGroupSchema = z.object({ targetGroupArn: z.string(), weight: z.number() });

/**
 * A forward action as `LoadBalancer.findForwardRules` returned it (the `ForwardRule` of `ports.ts`). JSON
 * drops the fields that were undefined; the transform puts them back so the rule is a `ForwardRule` again.
 */
const forwardRuleSchema = z
  .object({
    listenerArn: z.string(),
    ruleArn: z.string().optional(),
    targetGroups: z.array(weightedTargetGroupSchema),
    stickiness: z.object({ enabled: z.boolean(), durationSeconds: z.number().optional() }).optional(),
    actions: z.array(z.record(z.string(), z.unknown())),
  })
  .transform((rule) => ({
    listenerArn: rule.listenerArn,
    ruleArn: rule.ruleArn,
    targetGroups: rule.targetGroups,
    stickiness: rule.stickiness && {
      enabled: rule.stickiness.enabled,
      durationSeconds: rule.stickiness.durationSeconds,
    },
    actions: rule.actions,
  }));

export const deploymentContextSchema = z.object({
  /** The primary's task definition before this deployment (null: there was none, a first deployment). */
  previousTaskDefinitionArn: z.string().nullable().optional(),
  /** The primary task set before this deployment (null: none). */
  previousPrimaryTaskSetArn: z.string().nullable().optional(),
  /** Whether the ECS service existed when the deployment began. */
  serviceExisted: z.boolean().optional(),
  /** The new version's task definition, registered once. */
  taskDefinitionArn: z.string().optional(),
  /** The listener rules carrying the app's traffic, saved before the first weight change. */
  forwardRules: z.array(forwardRuleSchema).optional(),
  /**
   * What the clean start found and began to repair, saved before its first repair call: a process killed
   * in the repair still reports it when it resumes (engine/clean-starts.ts).
   */
  cleanStartFound: z.array(z.string()).optional(),
});

export type DeploymentContext = z.output<typeof deploymentContextSchema>;
