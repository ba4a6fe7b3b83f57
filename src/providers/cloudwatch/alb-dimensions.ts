/**
 * The CloudWatch dimensions of an ALB target group's own metrics: `TargetGroup` is the tail of its ARN
 * (`targetgroup/<name>/<id>`), `LoadBalancer` the tail of the ARN of each load balancer it is attached
 * to (`app/<name>/<id>`), read with ELBv2 DescribeTargetGroups (`LoadBalancerArns`). The target group is
 * what Kanaria knows from the app config; asking ELBv2 keeps the config free of a second name to keep
 * in sync. Answers are cached per target group once found (a target group never moves to another load
 * balancer without being detached first, and a canary lasts minutes).
 */
import {
  DescribeTargetGroupsCommand,
  type ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { KanariaError } from "../../domain/kanaria-error.js";
import { aws } from "../aws/aws-error.js";

export interface AlbDimensions {
  targetGroup: string;
  /** Usually one; a target group on several load balancers has a series on each. */
  loadBalancers: string[];
}

/** `targetgroup/<name>/<id>` from a target group ARN; undefined when it is not one. */
export function targetGroupDimension(arn: string): string | undefined {
  const at = arn.indexOf(":targetgroup/");
  return at === -1 ? undefined : arn.slice(at + 1);
}

/** `app/<name>/<id>` from an Application Load Balancer ARN; undefined when it is not one. */
export function loadBalancerDimension(arn: string): string | undefined {
  const at = arn.indexOf(":loadbalancer/");
  return at === -1 ? undefined : arn.slice(at + ":loadbalancer/".length);
}

export class AlbDimensionResolver {
  private readonly cache = new Map<string, AlbDimensions>();

  constructor(private readonly elbv2: ElasticLoadBalancingV2Client) {}

  /** Rejects with a KanariaError (AWS failures, or a target group on no load balancer). */
  async resolve(targetGroupArn: string, abortSignal?: AbortSignal): Promise<AlbDimensions> {
    const cached = this.cache.get(targetGroupArn);
    if (cached) return cached;
    const targetGroup = targetGroupDimension(targetGroupArn);
    if (!targetGroup) {
      throw new KanariaError("ALB_NOT_A_TARGET_GROUP", `"${targetGroupArn}" is not a target group ARN`);
    }
    const answer = await aws("elasticloadbalancing", "DescribeTargetGroups", () =>
      this.elbv2.send(
        new DescribeTargetGroupsCommand({ TargetGroupArns: [targetGroupArn] }),
        abortSignal ? { abortSignal } : {},
      ),
    );
    const arns = answer.TargetGroups?.[0]?.LoadBalancerArns ?? [];
    const loadBalancers = arns.flatMap((arn) => loadBalancerDimension(arn) ?? []);
    if (loadBalancers.length === 0) {
      throw new KanariaError(
        "ALB_NO_LOAD_BALANCER",
        `target group ${targetGroup} is attached to no load balancer, so the ALB publishes no metrics for it`,
      );
    }
    const found = { targetGroup, loadBalancers };
    this.cache.set(targetGroupArn, found);
    return found;
  }
}
