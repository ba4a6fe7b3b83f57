/**
 * Listener rules: priorities unique per listener, conditions kept as sent, actions validated like the
 * listener's. DescribeRules also shows each listener's default rule (its default actions, priority
 * "default"), which, as in AWS, can be neither modified (use ModifyListener) nor deleted.
 */
import { ApiError } from "./api-error.js";
import type { ElbWorld } from "./elb-world.js";
import { type ActionInput, toActionRecords } from "./forward-actions.js";
import type { ActionRecord, EchoTree, ListenerRecord, RuleRecord, WorldContext } from "./world-types.js";

/** A rule as DescribeRules shows it, the listener's default rule included. */
export interface RuleView {
  arn: string;
  listenerArn: string;
  priority: string;
  isDefault: boolean;
  conditions: EchoTree[];
  actions: ActionRecord[];
  createdAt: number;
}

export class RuleStore {
  /** By rule ARN; default rules are not stored here (they live on their listener). */
  readonly records = new Map<string, RuleRecord>();

  constructor(
    private readonly ctx: WorldContext,
    private readonly elb: ElbWorld,
  ) {}

  create(input: {
    listenerArn: string;
    priority: number;
    conditions: EchoTree[];
    actions: ActionInput[];
  }): RuleRecord {
    const listener = this.elb.listener(input.listenerArn);
    if (!Number.isInteger(input.priority) || input.priority < 1 || input.priority > 50_000) {
      throw new ApiError("ValidationError", "Priority must be an integer between 1 and 50000");
    }
    if (input.conditions.length === 0) {
      throw new ApiError("ValidationError", "A rule must have at least one condition");
    }
    if (this.of(listener.arn).some((r) => r.priority === input.priority)) {
      throw new ApiError("PriorityInUse", `Priority '${input.priority}' is currently in use`);
    }
    const lb = this.elb.loadBalancer(listener.loadBalancerArn);
    const record: RuleRecord = {
      arn: this.ctx.arns.rule(listener.region, lb.name, lb.id, listener.id, this.ctx.ids.hex(16)),
      listenerArn: listener.arn,
      priority: input.priority,
      conditions: input.conditions,
      actions: toActionRecords(input.actions, lb.arn, this.elb.lookup()),
      createdAt: this.ctx.now(),
    };
    this.records.set(record.arn, record);
    this.elb.routesChanged();
    return record;
  }

  /** By listener (default rule last, as AWS lists it) or by ARNs. */
  describe(filter: { listenerArn?: string | undefined; arns?: string[] | undefined }): RuleView[] {
    if (filter.arns?.length) return filter.arns.map((arn) => this.ruleView(arn));
    if (filter.listenerArn === undefined) {
      throw new ApiError("ValidationError", "You must specify either listener rule ARNs or a listener ARN");
    }
    const listener = this.elb.listener(filter.listenerArn);
    const rules = this.of(listener.arn)
      .sort((a, b) => a.priority - b.priority)
      .map((r) => this.ruleView(r.arn));
    return [...rules, this.defaultRuleView(listener)];
  }

  modify(
    arn: string,
    input: { actions?: ActionInput[] | undefined; conditions?: EchoTree[] | undefined },
  ): RuleView {
    this.refuseDefaultRule(arn, "modified");
    const rule = this.records.get(arn);
    if (!rule) throw new ApiError("RuleNotFound", "One or more rules not found");
    const listener = this.elb.listener(rule.listenerArn);
    if (input.actions)
      rule.actions = toActionRecords(input.actions, listener.loadBalancerArn, this.elb.lookup());
    this.elb.routesChanged();
    if (input.conditions) {
      if (input.conditions.length === 0) {
        throw new ApiError("ValidationError", "A rule must have at least one condition");
      }
      rule.conditions = input.conditions;
    }
    return this.ruleView(arn);
  }

  delete(arn: string): void {
    this.refuseDefaultRule(arn, "deleted");
    if (!this.records.delete(arn)) throw new ApiError("RuleNotFound", "One or more rules not found");
    this.elb.routesChanged();
  }

  of(listenerArn: string): RuleRecord[] {
    return [...this.records.values()].filter((r) => r.listenerArn === listenerArn);
  }

  private ruleView(arn: string): RuleView {
    const rule = this.records.get(arn);
    if (rule) return { ...rule, priority: String(rule.priority), isDefault: false };
    const listener = [...this.elb.listeners.values()].find((l) => l.defaultRuleArn === arn);
    if (listener) return this.defaultRuleView(listener);
    throw new ApiError("RuleNotFound", "One or more rules not found");
  }

  private defaultRuleView(listener: ListenerRecord): RuleView {
    return {
      arn: listener.defaultRuleArn,
      listenerArn: listener.arn,
      priority: "default",
      isDefault: true,
      conditions: [],
      actions: listener.defaultActions,
      createdAt: listener.createdAt,
    };
  }

  private refuseDefaultRule(arn: string, verb: string): void {
    if ([...this.elb.listeners.values()].some((l) => l.defaultRuleArn === arn)) {
      throw new ApiError("OperationNotPermitted", `Default rule '${arn}' cannot be ${verb}`);
    }
  }

  deleteAllOf(listenerArn: string): void {
    for (const rule of this.of(listenerArn)) this.records.delete(rule.arn);
    this.elb.routesChanged();
  }
}
