/**
 * What `check-config --online` reads about one app's live AWS wiring (read-only), and the rules that
 * turn it into findings. Pure: the facts are read by providers/aws/read-app-wiring.ts.
 */
import type { AppConfig } from "./app-config.js";
import type { OnlineFinding } from "./online-finding.js";

export interface TargetGroupFacts {
  vpcId: string | undefined;
  /** `ip`, `instance`, `lambda`, `alb`. */
  targetType: string | undefined;
  loadBalancerArns: string[];
}

export interface AppWiring {
  cluster: string;
  service: string;
  clusterStatus: string | undefined;
  /** Undefined: the service does not exist (yet). */
  serviceFacts: { status: string; deploymentController: string } | undefined;
  /** By ARN; undefined: no such target group. */
  targetGroups: Map<string, TargetGroupFacts | undefined>;
  /** Whether the task definition family has a registered revision. */
  taskFamilyExists: boolean;
  /**
   * How many forward actions have exactly the app's target groups, looked up as the stages do; undefined
   * when not read (a target group is missing).
   */
  forwardRuleCount: number | undefined;
}

/** One line per problem, each saying what to fix; empty when the wiring is what Kanaria can manage. */
export function wiringFindings(app: AppConfig, wiring: AppWiring): OnlineFinding[] {
  const subject = `app ${app.name}`;
  const out: OnlineFinding[] = [];
  const error = (message: string) => out.push({ severity: "error", subject, message });
  const warning = (message: string) => out.push({ severity: "warning", subject, message });

  if (wiring.clusterStatus !== "ACTIVE") {
    error(
      wiring.clusterStatus === undefined
        ? `ECS cluster "${wiring.cluster}" does not exist in this account and region: create it, or fix \`cluster\` in ${app.input.serviceDefinitionFile}`
        : `ECS cluster "${wiring.cluster}" is ${wiring.clusterStatus}, not ACTIVE`,
    );
  } else if (wiring.serviceFacts === undefined || wiring.serviceFacts.status === "INACTIVE") {
    warning(
      `ECS service "${wiring.service}" does not exist in cluster "${wiring.cluster}": the first /deploy creates it (quick sync)`,
    );
  } else if (wiring.serviceFacts.deploymentController !== "EXTERNAL") {
    error(
      `ECS service "${wiring.service}" uses the ${wiring.serviceFacts.deploymentController} deployment controller; ` +
        "Kanaria deploys with task sets, which need `deploymentController: {type: EXTERNAL}` (create the service with it)",
    );
  }

  const groups = roleGroups(app);
  const missing = groups.filter(({ arn }) => wiring.targetGroups.get(arn) === undefined);
  for (const { role, arn } of missing)
    error(`the ${role} target group ${arn} does not exist: fix targetGroups.${role} in ${app.file}`);
  const found = groups.flatMap(({ role, arn }) => {
    const facts = wiring.targetGroups.get(arn);
    return facts ? [{ role, arn, facts }] : [];
  });
  const vpcs = new Set(found.map((g) => g.facts.vpcId));
  if (vpcs.size > 1)
    error(
      `the target groups are in different VPCs (${found.map((g) => `${g.role} ${g.facts.vpcId}`).join(", ")}): ` +
        "the canary and baseline tasks run in the service's subnets, so every target group must be in its VPC",
    );
  const awsvpc = app.taskDefinition.networkMode === "awsvpc";
  for (const { role, facts } of found)
    if (awsvpc && facts.targetType !== undefined && facts.targetType !== "ip")
      error(
        `the ${role} target group has target type ${facts.targetType}; tasks with networkMode awsvpc register by IP: create it with target type ip`,
      );
  for (const { role, arn, facts } of found)
    if (facts.loadBalancerArns.length === 0)
      error(
        `the ${role} target group ${arn} is not attached to any load balancer: add it to the listener's forward action`,
      );

  if (wiring.forwardRuleCount === 0)
    error(
      `no listener default action or rule forwards to exactly the app's target groups (${groups.map((g) => g.role).join(" + ")}): ` +
        "Kanaria shifts traffic by the weights of one forward action listing all of them (e.g. primary 100, canary 0)",
    );
  if (!wiring.taskFamilyExists)
    warning(
      `task definition family "${String(app.taskDefinition.family)}" has no registered revision: the first /deploy registers it`,
    );
  return out;
}

function roleGroups(app: AppConfig): Array<{ role: "primary" | "canary" | "baseline"; arn: string }> {
  const { primary, canary, baseline } = app.input.targetGroups;
  return [
    ...(primary ? [{ role: "primary" as const, arn: primary.targetGroupArn }] : []),
    ...(canary ? [{ role: "canary" as const, arn: canary.targetGroupArn }] : []),
    ...(baseline ? [{ role: "baseline" as const, arn: baseline.targetGroupArn }] : []),
  ];
}
