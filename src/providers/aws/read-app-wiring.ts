/**
 * Reads one app's live AWS wiring for `check-config --online`: cluster, service (and its deployment
 * controller), the target groups, the task definition family and the forward actions the stages will
 * change. Only Describe calls: nothing is created or changed. An AWS error (access denied, throttling
 * that outlasts the retries) is thrown as the KanariaError `aws()` makes, which names the permission.
 */
import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type ECSClient,
} from "@aws-sdk/client-ecs";
import {
  DescribeTargetGroupsCommand,
  type ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { AppConfig } from "../../domain/app-config.js";
import type { AppWiring, TargetGroupFacts } from "../../domain/app-wiring.js";
import { aws, awsErrorName } from "./aws-error.js";
import { AwsLoadBalancer } from "./aws-load-balancer.js";

export async function readAppWiring(
  clients: { ecs: ECSClient; elbv2: ElasticLoadBalancingV2Client },
  app: AppConfig,
): Promise<AppWiring> {
  const cluster = String(app.serviceDefinition.cluster ?? "default");
  const service = String(app.serviceDefinition.serviceName);
  const clusters = await aws("ecs", "DescribeClusters", () =>
    clients.ecs.send(new DescribeClustersCommand({ clusters: [cluster] })),
  );
  const clusterStatus = clusters.clusters?.[0]?.status;
  let serviceFacts: AppWiring["serviceFacts"];
  if (clusterStatus === "ACTIVE") {
    const services = await aws("ecs", "DescribeServices", () =>
      clients.ecs.send(new DescribeServicesCommand({ cluster, services: [service] })),
    );
    const found = services.services?.[0];
    if (found)
      serviceFacts = {
        status: found.status ?? "UNKNOWN",
        deploymentController: found.deploymentController?.type ?? "ECS",
      };
  }
  const arns = [
    app.input.targetGroups.primary,
    app.input.targetGroups.canary,
    app.input.targetGroups.baseline,
  ].flatMap((g) => (g ? [g.targetGroupArn] : []));
  const targetGroups = new Map<string, TargetGroupFacts | undefined>();
  // One call per group: DescribeTargetGroups fails as a whole when one ARN does not exist.
  for (const arn of arns) targetGroups.set(arn, await describeTargetGroup(clients.elbv2, arn));
  const allFound = [...targetGroups.values()].every((g) => g !== undefined);
  const forwardRuleCount = allFound
    ? (await new AwsLoadBalancer(clients.elbv2).findForwardRules(arns)).length
    : undefined;
  return {
    cluster,
    service,
    clusterStatus,
    serviceFacts,
    targetGroups,
    taskFamilyExists: await taskFamilyExists(clients.ecs, String(app.taskDefinition.family)),
    forwardRuleCount,
  };
}

async function describeTargetGroup(
  elbv2: ElasticLoadBalancingV2Client,
  arn: string,
): Promise<TargetGroupFacts | undefined> {
  try {
    const answer = await aws("elasticloadbalancing", "DescribeTargetGroups", () =>
      elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] })),
    );
    const group = answer.TargetGroups?.[0];
    if (!group) return undefined;
    return {
      vpcId: group.VpcId,
      targetType: group.TargetType,
      loadBalancerArns: group.LoadBalancerArns ?? [],
    };
  } catch (error) {
    if (causeName(error) === "TargetGroupNotFoundException" || causeName(error) === "TargetGroupNotFound")
      return undefined;
    throw error;
  }
}

async function taskFamilyExists(ecs: ECSClient, family: string): Promise<boolean> {
  try {
    await aws("ecs", "DescribeTaskDefinition", () =>
      ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: family })),
    );
    return true;
  } catch (error) {
    // ECS answers a family without an ACTIVE revision with ClientException "Unable to describe task definition".
    if (causeName(error) === "ClientException") return false;
    throw error;
  }
}

function causeName(error: unknown): string | undefined {
  return awsErrorName((error as { cause?: unknown }).cause ?? error);
}
