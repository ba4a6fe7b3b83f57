/**
 * The ELBv2 half of the world: application load balancers, target groups and listeners (rules live in
 * rule-store.ts), with AWS's rules and error codes. Load balancers are `active` at once (AWS takes
 * minutes). A target group's load balancers are derived from the listeners and rules that forward to
 * it, as AWS reports them.
 */
import { ApiError } from "./api-error.js";
import {
  type ActionInput,
  forwardedGroups,
  type TargetGroupLookup,
  toActionRecords,
} from "./forward-actions.js";
import { RuleStore } from "./rule-store.js";
import type { TargetHealthView, TargetRegistry, TargetSpec } from "./target-registry.js";
import { resolveProfile } from "./version-profiles.js";
import type {
  EchoTree,
  ListenerRecord,
  LoadBalancerRecord,
  Tags,
  TargetGroupRecord,
  WorldContext,
} from "./world-types.js";

export interface CreateTargetGroupInput {
  name: string;
  protocol?: string | undefined;
  port?: number | undefined;
  vpcId?: string | undefined;
  targetType?: string | undefined;
  protocolVersion?: string | undefined;
  healthCheckPath?: string | undefined;
  healthCheckPort?: string | undefined;
  healthCheckProtocol?: string | undefined;
}

export class ElbWorld {
  readonly loadBalancers = new Map<string, LoadBalancerRecord>();
  readonly targetGroups = new Map<string, TargetGroupRecord>();
  readonly listeners = new Map<string, ListenerRecord>();
  readonly rules: RuleStore;
  private routes: Map<string, string[]> | undefined;
  /** Tags by resource ARN (load balancers, target groups, listeners, rules). */
  readonly tags = new Map<string, Tags>();

  constructor(
    private readonly ctx: WorldContext,
    readonly targets: TargetRegistry,
  ) {
    this.rules = new RuleStore(ctx, this);
  }

  createLoadBalancer(
    region: string,
    input: {
      name: string;
      scheme?: string | undefined;
      subnets?: string[] | undefined;
      securityGroups?: string[] | undefined;
    },
  ): LoadBalancerRecord {
    const existing = [...this.loadBalancers.values()].find(
      (lb) => lb.region === region && lb.name === input.name,
    );
    if (existing) return existing;
    if (
      !/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/.test(input.name) ||
      input.name.startsWith("internal-")
    ) {
      throw new ApiError("ValidationError", `The load balancer name '${input.name}' is not valid`);
    }
    const id = this.ctx.ids.hex(16);
    const scheme = input.scheme ?? "internet-facing";
    const prefix = scheme === "internal" ? "internal-" : "";
    const record: LoadBalancerRecord = {
      arn: this.ctx.arns.loadBalancer(region, input.name, id),
      id,
      name: input.name,
      region,
      dnsName: `${prefix}${input.name}-${this.ctx.ids.digits(10)}.${region}.elb.amazonaws.com`,
      scheme,
      type: "application",
      vpcId: "vpc-0sandbox",
      ipAddressType: "ipv4",
      subnets: input.subnets?.length ? input.subnets : ["subnet-0sandboxa", "subnet-0sandboxc"],
      securityGroups: input.securityGroups ?? [],
      createdAt: this.ctx.now(),
    };
    this.loadBalancers.set(record.arn, record);
    return record;
  }

  describeLoadBalancers(filter: {
    arns?: string[] | undefined;
    names?: string[] | undefined;
  }): LoadBalancerRecord[] {
    const all = [...this.loadBalancers.values()];
    if (filter.arns?.length) return filter.arns.map((arn) => this.loadBalancer(arn));
    if (filter.names?.length) {
      return filter.names.map((name) => {
        const found = all.find((lb) => lb.name === name);
        if (!found) throw new ApiError("LoadBalancerNotFound", `Load balancers '[${name}]' not found`);
        return found;
      });
    }
    return all;
  }

  createTargetGroup(region: string, input: CreateTargetGroupInput): TargetGroupRecord {
    const protocol = input.protocol ?? "HTTP";
    const port = input.port ?? 80;
    const existing = [...this.targetGroups.values()].find(
      (g) => g.region === region && g.name === input.name,
    );
    if (existing) {
      if (existing.protocol === protocol && existing.port === port) return existing;
      throw new ApiError(
        "DuplicateTargetGroupName",
        `A target group with the same name '${input.name}' exists, but with different settings`,
      );
    }
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/.test(input.name)) {
      throw new ApiError("ValidationError", `Target group name '${input.name}' is not valid`);
    }
    const id = this.ctx.ids.hex(16);
    const record: TargetGroupRecord = {
      arn: this.ctx.arns.targetGroup(region, input.name, id),
      id,
      name: input.name,
      region,
      protocol,
      port,
      vpcId: input.vpcId ?? "vpc-0sandbox",
      targetType: input.targetType ?? "instance",
      protocolVersion: input.protocolVersion ?? "HTTP1",
      healthCheck: {
        protocol: input.healthCheckProtocol ?? protocol,
        port: input.healthCheckPort ?? "traffic-port",
        path: input.healthCheckPath ?? "/",
        enabled: true,
        intervalSeconds: 30,
        timeoutSeconds: 5,
        healthyThresholdCount: 5,
        unhealthyThresholdCount: 2,
        matcher: "200",
      },
      createdAt: this.ctx.now(),
      targets: new Map(),
    };
    this.targetGroups.set(record.arn, record);
    return record;
  }

  describeTargetGroups(filter: {
    loadBalancerArn?: string | undefined;
    arns?: string[] | undefined;
    names?: string[] | undefined;
  }): TargetGroupRecord[] {
    if (filter.arns?.length) {
      const missing = filter.arns.filter((arn) => !this.targetGroups.has(arn));
      if (missing.length > 0)
        throw new ApiError("TargetGroupNotFound", `Target groups '${missing.join(", ")}' not found`);
      return filter.arns.map((arn) => this.targetGroup(arn));
    }
    const all = [...this.targetGroups.values()];
    if (filter.names?.length) {
      return filter.names.map((name) => {
        const found = all.find((g) => g.name === name);
        if (!found) throw new ApiError("TargetGroupNotFound", `One or more target groups not found`);
        return found;
      });
    }
    if (filter.loadBalancerArn !== undefined) {
      const lb = this.loadBalancer(filter.loadBalancerArn);
      return all.filter((g) => this.loadBalancersOf(g.arn).includes(lb.arn));
    }
    return all;
  }

  /** Load balancers with a listener or rule forwarding to the group (AWS's `LoadBalancerArns`). */
  loadBalancersOf(targetGroupArn: string): string[] {
    this.routes ??= this.computeRoutes();
    return this.routes.get(targetGroupArn) ?? [];
  }

  /**
   * Forgets the derived target group → load balancers map; every change to listeners or rules calls it.
   * (Stability checks ask for it per task, so it is computed once per change, not per question.)
   */
  routesChanged(): void {
    this.routes = undefined;
  }

  private computeRoutes(): Map<string, string[]> {
    const routes = new Map<string, Set<string>>();
    for (const listener of this.listeners.values()) {
      const actionLists = [listener.defaultActions, ...this.rules.of(listener.arn).map((r) => r.actions)];
      for (const group of actionLists.flatMap(forwardedGroups)) {
        const set = routes.get(group) ?? new Set<string>();
        set.add(listener.loadBalancerArn);
        routes.set(group, set);
      }
    }
    return new Map([...routes].map(([group, lbs]) => [group, [...lbs]]));
  }

  createListener(
    region: string,
    input: {
      loadBalancerArn: string;
      protocol: string;
      port: number;
      defaultActions: ActionInput[];
      extra: EchoTree;
    },
  ): ListenerRecord {
    const lb = this.loadBalancer(input.loadBalancerArn);
    if ([...this.listeners.values()].some((l) => l.loadBalancerArn === lb.arn && l.port === input.port)) {
      throw new ApiError(
        "DuplicateListener",
        `A listener already exists on this port for this load balancer '${lb.arn}'`,
      );
    }
    const id = this.ctx.ids.hex(16);
    const arn = this.ctx.arns.listener(region, lb.name, lb.id, id);
    const record: ListenerRecord = {
      arn,
      id,
      loadBalancerArn: lb.arn,
      region,
      port: input.port,
      protocol: input.protocol,
      extra: input.extra,
      defaultActions: toActionRecords(input.defaultActions, lb.arn, this.lookup()),
      defaultRuleArn: this.ctx.arns.rule(region, lb.name, lb.id, id, this.ctx.ids.hex(16)),
      createdAt: this.ctx.now(),
    };
    this.listeners.set(arn, record);
    this.routesChanged();
    return record;
  }

  describeListeners(filter: {
    loadBalancerArn?: string | undefined;
    arns?: string[] | undefined;
  }): ListenerRecord[] {
    if (filter.arns?.length) return filter.arns.map((arn) => this.listener(arn));
    if (filter.loadBalancerArn === undefined) {
      throw new ApiError("ValidationError", "You must specify either listener ARNs or a load balancer ARN");
    }
    const lb = this.loadBalancer(filter.loadBalancerArn);
    return [...this.listeners.values()].filter((l) => l.loadBalancerArn === lb.arn);
  }

  /** Replaces what is given, keeps the rest (AWS's ModifyListener). */
  modifyListener(
    arn: string,
    input: {
      port?: number | undefined;
      protocol?: string | undefined;
      defaultActions?: ActionInput[] | undefined;
      extra: EchoTree;
    },
  ): ListenerRecord {
    const listener = this.listener(arn);
    const actions = input.defaultActions
      ? toActionRecords(input.defaultActions, listener.loadBalancerArn, this.lookup())
      : undefined;
    if (input.port !== undefined && input.port !== listener.port) {
      const clash = [...this.listeners.values()].some(
        (l) => l.loadBalancerArn === listener.loadBalancerArn && l.port === input.port,
      );
      if (clash)
        throw new ApiError(
          "DuplicateListener",
          "A listener already exists on this port for this load balancer",
        );
      listener.port = input.port;
    }
    if (input.protocol !== undefined) listener.protocol = input.protocol;
    if (actions) listener.defaultActions = actions;
    this.routesChanged();
    Object.assign(listener.extra, input.extra);
    return listener;
  }

  deleteListener(arn: string): void {
    this.listener(arn);
    this.rules.deleteAllOf(arn);
    this.listeners.delete(arn);
    this.routesChanged();
  }

  registerTargets(targetGroupArn: string, targets: Array<{ id: string; port?: number | undefined }>): void {
    const group = this.targetGroup(targetGroupArn);
    for (const t of targets) {
      const spec: TargetSpec = {
        id: t.id,
        port: t.port ?? group.port,
        availabilityZone: `${group.region}a`,
        taskArn: undefined,
        version: "unknown",
        profile: resolveProfile(this.ctx.config, "unknown"),
      };
      this.targets.register(group, spec);
    }
  }

  deregisterTargets(targetGroupArn: string, targets: Array<{ id: string; port?: number | undefined }>): void {
    const group = this.targetGroup(targetGroupArn);
    for (const t of targets) {
      if (!this.targets.deregister(group, t.id, t.port ?? group.port)) {
        throw new ApiError(
          "InvalidTarget",
          `The target '${t.id}' is not registered with target group '${group.name}'`,
        );
      }
    }
  }

  describeTargetHealth(targetGroupArn: string): TargetHealthView[] {
    const group = this.targetGroup(targetGroupArn);
    return this.targets.describe(group, this.loadBalancersOf(group.arn).length > 0);
  }

  deleteTargetGroup(arn: string): void {
    if (!this.targetGroups.has(arn)) return;
    if (this.loadBalancersOf(arn).length > 0) {
      throw new ApiError(
        "ResourceInUse",
        `Target group '${arn}' is currently in use by a listener or a rule`,
      );
    }
    this.targetGroups.delete(arn);
  }

  loadBalancer(arn: string): LoadBalancerRecord {
    const found = this.loadBalancers.get(arn);
    if (!found) throw new ApiError("LoadBalancerNotFound", `Load balancer '${arn}' not found`);
    return found;
  }

  targetGroup(arn: string): TargetGroupRecord {
    const found = this.targetGroups.get(arn);
    if (!found) throw new ApiError("TargetGroupNotFound", `Target groups '${arn}' not found`);
    return found;
  }

  listener(arn: string): ListenerRecord {
    const found = this.listeners.get(arn);
    if (!found) throw new ApiError("ListenerNotFound", "One or more listeners not found");
    return found;
  }

  /** What action validation needs to know about target groups. */
  lookup(): TargetGroupLookup {
    return {
      exists: (arn: string) => this.targetGroups.has(arn),
      loadBalancersOf: (arn: string) => this.loadBalancersOf(arn),
    };
  }
}
