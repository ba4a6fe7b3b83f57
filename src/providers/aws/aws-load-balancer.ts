/**
 * The `LoadBalancer` port on ELBv2 (Application Load Balancers).
 *
 * Weights live in forward actions, either a listener's default actions (changed with ModifyListener —
 * ModifyRule refuses default rules) or a rule's actions (ModifyRule). A forward action belongs to the
 * app when its target groups are exactly the app's groups. `setWeights` rewrites only that action and
 * keeps the others and the stickiness config, in one call, and returns the weights AWS stored.
 */
import {
  type Action,
  DescribeListenersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  type Listener,
  ModifyListenerCommand,
  ModifyRuleCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { ForwardRule, LoadBalancer, TargetHealthSummary, WeightedTargetGroup } from "../../ports.js";
import { aws } from "./aws-error.js";

const ELB = "elasticloadbalancing";

export class AwsLoadBalancer implements LoadBalancer {
  constructor(private readonly client: ElasticLoadBalancingV2Client) {}

  async findForwardRules(targetGroupArns: readonly string[]): Promise<ForwardRule[]> {
    const groups = await aws(ELB, "DescribeTargetGroups", () =>
      this.client.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [...targetGroupArns] })),
    );
    const loadBalancers = new Set((groups.TargetGroups ?? []).flatMap((g) => g.LoadBalancerArns ?? []));
    const found: ForwardRule[] = [];
    for (const loadBalancerArn of loadBalancers) {
      for (const listener of await this.listeners(loadBalancerArn)) {
        const listenerArn = listener.ListenerArn ?? "";
        const rules = await this.rules(listenerArn);
        for (const rule of rules) {
          const actions = rule.IsDefault
            ? (listener.DefaultActions ?? rule.Actions ?? [])
            : (rule.Actions ?? []);
          const forward = matchingForward(actions, targetGroupArns);
          if (!forward) continue;
          found.push({
            listenerArn,
            ruleArn: rule.IsDefault ? undefined : rule.RuleArn,
            targetGroups: weightsOf(forward),
            stickiness: forward.ForwardConfig?.TargetGroupStickinessConfig
              ? {
                  enabled: forward.ForwardConfig.TargetGroupStickinessConfig.Enabled ?? false,
                  durationSeconds: forward.ForwardConfig.TargetGroupStickinessConfig.DurationSeconds,
                }
              : undefined,
            actions: actions.map((a) => JSON.parse(JSON.stringify(a)) as Record<string, unknown>),
          });
        }
      }
    }
    return found;
  }

  async setWeights(
    rule: ForwardRule,
    weights: readonly WeightedTargetGroup[],
  ): Promise<WeightedTargetGroup[]> {
    const groups = weights.map((w) => w.targetGroupArn);
    const actions = (rule.actions as unknown as Action[]).map((action): Action => {
      if (!matchingForward([action], groups)) return action;
      return {
        ...withoutSingleTarget(action),
        Type: "forward",
        ForwardConfig: {
          TargetGroups: weights.map((w) => ({ TargetGroupArn: w.targetGroupArn, Weight: w.weight })),
          ...(rule.stickiness
            ? {
                TargetGroupStickinessConfig: {
                  Enabled: rule.stickiness.enabled,
                  ...(rule.stickiness.durationSeconds !== undefined
                    ? { DurationSeconds: rule.stickiness.durationSeconds }
                    : {}),
                },
              }
            : {}),
        },
      };
    });
    const stored =
      rule.ruleArn === undefined
        ? (
            await aws(ELB, "ModifyListener", () =>
              this.client.send(
                new ModifyListenerCommand({ ListenerArn: rule.listenerArn, DefaultActions: actions }),
              ),
            )
          ).Listeners?.[0]?.DefaultActions
        : (
            await aws(ELB, "ModifyRule", () =>
              this.client.send(new ModifyRuleCommand({ RuleArn: rule.ruleArn, Actions: actions })),
            )
          ).Rules?.[0]?.Actions;
    const forward = matchingForward(stored ?? [], groups);
    return forward ? weightsOf(forward) : [];
  }

  async describeTargetHealth(targetGroupArn: string): Promise<TargetHealthSummary> {
    const output = await aws(ELB, "DescribeTargetHealth", () =>
      this.client.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn })),
    );
    const summary: TargetHealthSummary = { healthy: 0, unhealthy: 0, initial: 0, draining: 0, unused: 0 };
    for (const d of output.TargetHealthDescriptions ?? []) {
      const state = d.TargetHealth?.State;
      if (state === "healthy") summary.healthy++;
      else if (state === "initial") summary.initial++;
      else if (state === "draining") summary.draining++;
      else if (state === "unused") summary.unused++;
      else summary.unhealthy++;
    }
    return summary;
  }

  private async listeners(loadBalancerArn: string): Promise<Listener[]> {
    const all: Listener[] = [];
    let marker: string | undefined;
    do {
      const page = await aws(ELB, "DescribeListeners", () =>
        this.client.send(
          new DescribeListenersCommand({
            LoadBalancerArn: loadBalancerArn,
            ...(marker ? { Marker: marker } : {}),
          }),
        ),
      );
      all.push(...(page.Listeners ?? []));
      marker = page.NextMarker;
    } while (marker);
    return all;
  }

  private async rules(listenerArn: string) {
    const all = [];
    let marker: string | undefined;
    do {
      const page = await aws(ELB, "DescribeRules", () =>
        this.client.send(
          new DescribeRulesCommand({ ListenerArn: listenerArn, ...(marker ? { Marker: marker } : {}) }),
        ),
      );
      all.push(...(page.Rules ?? []));
      marker = page.NextMarker;
    } while (marker);
    return all;
  }
}

/** The forward action whose target groups are exactly `groups` (order aside), if any. */
function matchingForward(actions: readonly Action[], groups: readonly string[]): Action | undefined {
  return actions.find((a) => {
    if (a.Type !== "forward") return false;
    const arns = weightsOf(a).map((w) => w.targetGroupArn);
    return arns.length === groups.length && groups.every((g) => arns.includes(g));
  });
}

function weightsOf(action: Action): WeightedTargetGroup[] {
  const tuples = action.ForwardConfig?.TargetGroups;
  if (tuples && tuples.length > 0) {
    return tuples.map((t) => ({ targetGroupArn: t.TargetGroupArn ?? "", weight: t.Weight ?? 1 }));
  }
  return action.TargetGroupArn ? [{ targetGroupArn: action.TargetGroupArn, weight: 1 }] : [];
}

/** AWS rejects a forward action that has both `TargetGroupArn` and a multi-group `ForwardConfig`. */
function withoutSingleTarget(action: Action): Action {
  const { TargetGroupArn: _single, ...rest } = action;
  return rest;
}
