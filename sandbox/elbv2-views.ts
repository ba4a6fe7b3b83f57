/**
 * World records → ELBv2 response members (the XML writer turns them into elements). Forward actions are
 * shown as ELBv2 stores them: `ForwardConfig` with every target group and weight and the stickiness
 * config (`Enabled: false` when never set), plus the top-level `TargetGroupArn` when there is exactly
 * one target group.
 */
import type { RuleView } from "./rule-store.js";
import type { TargetHealthView } from "./target-registry.js";
import type { ActionRecord, ListenerRecord, LoadBalancerRecord, TargetGroupRecord } from "./world-types.js";

type Xml = Record<string, unknown>;

/** Route 53 zone of ALBs in us-east-1; any fixed value will do. */
const HOSTED_ZONE = "Z35SXDOTRQ7X7K";

export function actionXml(action: ActionRecord): Xml {
  if (action.type === "other") return { ...action.raw, Type: action.actionType, Order: action.order };
  const single = action.targetGroups.length === 1 ? action.targetGroups[0]?.targetGroupArn : undefined;
  return {
    Type: "forward",
    TargetGroupArn: single,
    Order: action.order,
    ForwardConfig: {
      TargetGroups: action.targetGroups.map((g) => ({ TargetGroupArn: g.targetGroupArn, Weight: g.weight })),
      TargetGroupStickinessConfig: {
        Enabled: action.stickiness.enabled,
        DurationSeconds: action.stickiness.durationSeconds,
      },
    },
  };
}

export function loadBalancerXml(lb: LoadBalancerRecord): Xml {
  return {
    LoadBalancerArn: lb.arn,
    DNSName: lb.dnsName,
    CanonicalHostedZoneId: HOSTED_ZONE,
    CreatedTime: new Date(lb.createdAt),
    LoadBalancerName: lb.name,
    Scheme: lb.scheme,
    VpcId: lb.vpcId,
    State: { Code: "active" },
    Type: lb.type,
    AvailabilityZones: lb.subnets.map((subnet, i) => ({
      ZoneName: `${lb.region}${["a", "c", "d"][i % 3]}`,
      SubnetId: subnet,
      LoadBalancerAddresses: [],
    })),
    SecurityGroups: lb.securityGroups,
    IpAddressType: lb.ipAddressType,
  };
}

export function targetGroupXml(group: TargetGroupRecord, loadBalancerArns: readonly string[]): Xml {
  const h = group.healthCheck;
  return {
    TargetGroupArn: group.arn,
    TargetGroupName: group.name,
    Protocol: group.protocol,
    Port: group.port,
    VpcId: group.vpcId,
    HealthCheckProtocol: h.protocol,
    HealthCheckPort: h.port,
    HealthCheckEnabled: h.enabled,
    HealthCheckIntervalSeconds: h.intervalSeconds,
    HealthCheckTimeoutSeconds: h.timeoutSeconds,
    HealthyThresholdCount: h.healthyThresholdCount,
    UnhealthyThresholdCount: h.unhealthyThresholdCount,
    HealthCheckPath: h.path,
    Matcher: { HttpCode: h.matcher },
    LoadBalancerArns: loadBalancerArns,
    TargetType: group.targetType,
    ProtocolVersion: group.protocolVersion,
    IpAddressType: "ipv4",
  };
}

export function listenerXml(listener: ListenerRecord): Xml {
  return {
    ...listener.extra,
    ListenerArn: listener.arn,
    LoadBalancerArn: listener.loadBalancerArn,
    Port: listener.port,
    Protocol: listener.protocol,
    DefaultActions: listener.defaultActions.map(actionXml),
  };
}

export function ruleXml(rule: RuleView): Xml {
  return {
    RuleArn: rule.arn,
    Priority: rule.priority,
    Conditions: rule.conditions,
    Actions: rule.actions.map(actionXml),
    IsDefault: rule.isDefault,
  };
}

export function targetHealthXml(view: TargetHealthView): Xml {
  return {
    Target: { Id: view.target.id, Port: view.target.port, AvailabilityZone: view.target.availabilityZone },
    HealthCheckPort: String(view.target.port),
    TargetHealth: { State: view.state, Reason: view.reason, Description: view.description },
  };
}
