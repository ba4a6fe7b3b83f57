/**
 * Targets in target groups and their health, as an ALB reports them: a registered target is `initial`
 * until its health-check delay passes, then `healthy` (or `unhealthy` forever when its version crashes
 * on start); a deregistered one is `draining` for the deregistration delay, then gone. A target group
 * no load balancer routes to reports its targets `unused` (AWS's Target.NotInUse) and serves nothing.
 */

import type { VersionProfile } from "./version-profiles.js";
import type { TargetGroupRecord, TargetRecord, TargetState, WorldContext } from "./world-types.js";

export interface TargetSpec {
  id: string;
  port: number;
  availabilityZone: string;
  taskArn: string | undefined;
  version: string;
  profile: VersionProfile;
}

export interface TargetHealthView {
  target: TargetRecord;
  state: TargetState | "unused";
  reason: string | undefined;
  description: string | undefined;
}

export function targetKey(id: string, port: number): string {
  return `${id}:${port}`;
}

export class TargetRegistry {
  constructor(private readonly ctx: WorldContext) {}

  /**
   * Registers (or re-registers a draining) target. Registering a live target again changes nothing, as
   * in AWS. `warm` makes it healthy at once (a seeded app's pre-existing tasks).
   */
  register(group: TargetGroupRecord, spec: TargetSpec, { warm = false }: { warm?: boolean } = {}): void {
    const key = targetKey(spec.id, spec.port);
    const existing = group.targets.get(key);
    if (existing && existing.state !== "draining") return;
    const now = this.ctx.now();
    const target: TargetRecord = { ...spec, state: "initial", registeredAt: now };
    group.targets.set(key, target);
    if (warm && !spec.profile.crashOnStart) {
      target.state = "healthy";
      return;
    }
    this.ctx.queue.schedule(now + spec.profile.healthCheckDelayMs, () => {
      if (group.targets.get(key) !== target || target.state !== "initial") return;
      target.state = spec.profile.crashOnStart ? "unhealthy" : "healthy";
    });
  }

  /** Starts draining; the target disappears after the deregistration delay. False when not registered. */
  deregister(group: TargetGroupRecord, id: string, port: number): boolean {
    const key = targetKey(id, port);
    const target = group.targets.get(key);
    if (!target) return false;
    if (target.state === "draining") return true;
    target.state = "draining";
    this.ctx.queue.schedule(this.ctx.now() + this.ctx.config.tasks.drainDelayMs, () => {
      if (group.targets.get(key) === target && target.state === "draining") group.targets.delete(key);
    });
    return true;
  }

  /** Health as DescribeTargetHealth reports it; `inUse` = some listener or rule forwards to the group. */
  describe(group: TargetGroupRecord, inUse: boolean): TargetHealthView[] {
    return [...group.targets.values()].map((target) => healthView(target, inUse));
  }
}

function healthView(target: TargetRecord, inUse: boolean): TargetHealthView {
  if (target.state === "draining") {
    return {
      target,
      state: "draining",
      reason: "Target.DeregistrationInProgress",
      description: "Target deregistration is in progress",
    };
  }
  if (!inUse) {
    return {
      target,
      state: "unused",
      reason: "Target.NotInUse",
      description: "Target group is not configured to receive traffic from the load balancer",
    };
  }
  switch (target.state) {
    case "initial":
      return {
        target,
        state: "initial",
        reason: "Elb.InitialHealthChecking",
        description: "Initial health checks in progress",
      };
    case "unhealthy":
      return {
        target,
        state: "unhealthy",
        reason: "Target.ResponseCodeMismatch",
        description: "Health checks failed with these codes: [502]",
      };
    default:
      return { target, state: "healthy", reason: undefined, description: undefined };
  }
}
