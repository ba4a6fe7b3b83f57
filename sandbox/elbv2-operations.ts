/**
 * The ELBv2 operations the sandbox serves. Each validates its request at the edge, calls the world and
 * returns the members of its `<Op>Result` element. Modify* return the listener or rule as stored, so a
 * caller can verify the weights it wrote. Eventual consistency (see faults.ts) hides just-created
 * listeners, rules and target groups from Describe*: left out of lists, not found when asked by ARN.
 */
import { ApiError } from "./api-error.js";
import type { CallContext } from "./api-server.js";
import {
  type ActionRequest,
  type Elbv2OperationName,
  type Elbv2Request,
  elbv2Requests,
  LISTENER_PASS_THROUGH,
} from "./elbv2-requests.js";
import { listenerXml, loadBalancerXml, ruleXml, targetGroupXml, targetHealthXml } from "./elbv2-views.js";
import type { ActionInput } from "./forward-actions.js";
import { parseRequest } from "./request-validation.js";
import type { EchoTree, Tags } from "./world-types.js";

type Xml = Record<string, unknown>;
export type Elbv2Handler = (ctx: CallContext, input: unknown) => Xml;

function op<Name extends Elbv2OperationName>(
  name: Name,
  run: (ctx: CallContext, request: Elbv2Request<Name>) => Xml,
): Elbv2Handler {
  return (ctx, input) =>
    run(ctx, parseRequest(elbv2Requests[name], input, "ValidationError") as Elbv2Request<Name>);
}

function actions(list: readonly ActionRequest[]): ActionInput[] {
  return list.map((a) => ({ ...a, raw: a as EchoTree }));
}

function tagRecord(tags: ReadonlyArray<{ Key: string; Value?: string | undefined }> | undefined): Tags {
  return Object.fromEntries((tags ?? []).map((t) => [t.Key, t.Value ?? ""]));
}

function pickExtra(request: Record<string, unknown>): EchoTree {
  return Object.fromEntries(
    LISTENER_PASS_THROUGH.filter((k) => request[k] !== undefined).map((k) => [k, request[k]]),
  );
}

export const elbv2Operations: Record<string, Elbv2Handler> = {
  CreateLoadBalancer: op("CreateLoadBalancer", (ctx, r) => {
    const elb = ctx.world.elb;
    const lb = elb.createLoadBalancer(ctx.region, {
      name: r.Name,
      scheme: r.Scheme,
      subnets: r.Subnets,
      securityGroups: r.SecurityGroups,
    });
    elb.tags.set(lb.arn, { ...elb.tags.get(lb.arn), ...tagRecord(r.Tags) });
    return { LoadBalancers: [loadBalancerXml(lb)] };
  }),

  DescribeLoadBalancers: op("DescribeLoadBalancers", (ctx, r) => ({
    LoadBalancers: ctx.world.elb
      .describeLoadBalancers({ arns: r.LoadBalancerArns, names: r.Names })
      .map(loadBalancerXml),
  })),

  CreateTargetGroup: op("CreateTargetGroup", (ctx, r) => {
    const elb = ctx.world.elb;
    const group = elb.createTargetGroup(ctx.region, {
      name: r.Name,
      protocol: r.Protocol,
      protocolVersion: r.ProtocolVersion,
      port: r.Port,
      vpcId: r.VpcId,
      targetType: r.TargetType,
      healthCheckPath: r.HealthCheckPath,
      healthCheckPort: r.HealthCheckPort,
      healthCheckProtocol: r.HealthCheckProtocol,
    });
    elb.tags.set(group.arn, { ...elb.tags.get(group.arn), ...tagRecord(r.Tags) });
    return { TargetGroups: [targetGroupXml(group, elb.loadBalancersOf(group.arn))] };
  }),

  DescribeTargetGroups: op("DescribeTargetGroups", (ctx, r) => {
    const elb = ctx.world.elb;
    const groups = elb.describeTargetGroups({
      loadBalancerArn: r.LoadBalancerArn,
      arns: r.TargetGroupArns,
      names: r.Names,
    });
    const visible = groups.filter((g) => !ctx.hidden("elbv2:targetGroup", g.createdAt));
    if (r.TargetGroupArns?.length && visible.length < groups.length) {
      throw new ApiError("TargetGroupNotFound", "One or more target groups not found");
    }
    return { TargetGroups: visible.map((g) => targetGroupXml(g, elb.loadBalancersOf(g.arn))) };
  }),

  DeleteTargetGroup: op("DeleteTargetGroup", (ctx, r) => {
    ctx.world.elb.deleteTargetGroup(r.TargetGroupArn);
    return {};
  }),

  CreateListener: op("CreateListener", (ctx, r) => {
    const elb = ctx.world.elb;
    const listener = elb.createListener(ctx.region, {
      loadBalancerArn: r.LoadBalancerArn,
      protocol: r.Protocol ?? "HTTP",
      port: r.Port,
      defaultActions: actions(r.DefaultActions),
      extra: pickExtra(r),
    });
    elb.tags.set(listener.arn, tagRecord(r.Tags));
    return { Listeners: [listenerXml(listener)] };
  }),

  DescribeListeners: op("DescribeListeners", (ctx, r) => {
    const listeners = ctx.world.elb.describeListeners({
      loadBalancerArn: r.LoadBalancerArn,
      arns: r.ListenerArns,
    });
    const visible = listeners.filter((l) => !ctx.hidden("elbv2:listener", l.createdAt));
    if (r.ListenerArns?.length && visible.length < listeners.length) {
      throw new ApiError("ListenerNotFound", "One or more listeners not found");
    }
    return { Listeners: visible.map(listenerXml) };
  }),

  ModifyListener: op("ModifyListener", (ctx, r) => {
    const listener = ctx.world.elb.modifyListener(r.ListenerArn, {
      port: r.Port,
      protocol: r.Protocol,
      defaultActions: r.DefaultActions ? actions(r.DefaultActions) : undefined,
      extra: pickExtra(r),
    });
    return { Listeners: [listenerXml(listener)] };
  }),

  DeleteListener: op("DeleteListener", (ctx, r) => {
    ctx.world.elb.deleteListener(r.ListenerArn);
    return {};
  }),

  CreateRule: op("CreateRule", (ctx, r) => {
    const elb = ctx.world.elb;
    const rule = elb.rules.create({
      listenerArn: r.ListenerArn,
      priority: r.Priority,
      conditions: r.Conditions,
      actions: actions(r.Actions),
    });
    elb.tags.set(rule.arn, tagRecord(r.Tags));
    return { Rules: [ruleXml({ ...rule, priority: String(rule.priority), isDefault: false })] };
  }),

  DescribeRules: op("DescribeRules", (ctx, r) => {
    const rules = ctx.world.elb.rules.describe({ listenerArn: r.ListenerArn, arns: r.RuleArns });
    const visible = rules.filter((rule) => rule.isDefault || !ctx.hidden("elbv2:rule", rule.createdAt));
    if (r.RuleArns?.length && visible.length < rules.length) {
      throw new ApiError("RuleNotFound", "One or more rules not found");
    }
    return { Rules: visible.map(ruleXml) };
  }),

  ModifyRule: op("ModifyRule", (ctx, r) => {
    const rule = ctx.world.elb.rules.modify(r.RuleArn, {
      actions: r.Actions ? actions(r.Actions) : undefined,
      conditions: r.Conditions,
    });
    return { Rules: [ruleXml(rule)] };
  }),

  DeleteRule: op("DeleteRule", (ctx, r) => {
    ctx.world.elb.rules.delete(r.RuleArn);
    return {};
  }),

  RegisterTargets: op("RegisterTargets", (ctx, r) => {
    ctx.world.elb.registerTargets(
      r.TargetGroupArn,
      r.Targets.map((t) => ({ id: t.Id, port: t.Port })),
    );
    return {};
  }),

  DeregisterTargets: op("DeregisterTargets", (ctx, r) => {
    ctx.world.elb.deregisterTargets(
      r.TargetGroupArn,
      r.Targets.map((t) => ({ id: t.Id, port: t.Port })),
    );
    return {};
  }),

  DescribeTargetHealth: op("DescribeTargetHealth", (ctx, r) => {
    const views = ctx.world.elb.describeTargetHealth(r.TargetGroupArn);
    if (!r.Targets?.length) return { TargetHealthDescriptions: views.map(targetHealthXml) };
    const group = ctx.world.elb.targetGroup(r.TargetGroupArn);
    return {
      TargetHealthDescriptions: r.Targets.map((t) => {
        const port = t.Port ?? group.port;
        const found = views.find((v) => v.target.id === t.Id && v.target.port === port);
        if (found) return targetHealthXml(found);
        return {
          Target: { Id: t.Id, Port: port },
          HealthCheckPort: String(port),
          TargetHealth: {
            State: "unused",
            Reason: "Target.NotRegistered",
            Description: "Target is not registered to the target group",
          },
        };
      }),
    };
  }),

  DescribeTags: op("DescribeTags", (ctx, r) => ({
    TagDescriptions: r.ResourceArns.map((arn) => ({
      ResourceArn: arn,
      Tags: Object.entries(ctx.world.elb.tags.get(arn) ?? {}).map(([Key, Value]) => ({ Key, Value })),
    })),
  })),
};
