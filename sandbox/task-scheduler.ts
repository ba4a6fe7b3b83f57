/**
 * Tasks: how many each task set should run, their lifecycle, and their targets. A task set runs
 * `computedDesiredCount = ceil(service.desiredCount × scale / 100)` tasks. A new task is PROVISIONING,
 * PENDING from 40% of its start delay, RUNNING at the start delay, when it registers in the task set's
 * target groups (by IP, on the container port). Stopping a RUNNING task drains its targets
 * (DEACTIVATING) for the deregistration delay, then the task is STOPPED; STOPPED tasks stay visible for
 * `stoppedRetentionMs`. A task set is STEADY_STATE when it runs exactly its desired count, nothing is
 * pending or draining, and every task's targets are healthy.
 */
import type { ElbWorld } from "./elb-world.js";
import { targetKey } from "./target-registry.js";
import type { TaskDefinitionRegistry } from "./task-definition-registry.js";
import { imageTag, resolveProfile } from "./version-profiles.js";
import type { ServiceRecord, TaskRecord, TaskSetRecord, WorldContext } from "./world-types.js";

const ZONES = ["a", "c", "d"];

/** ceil(desired × scale / 100), immune to 10 × 30 / 100 = 3.0000000000000004. */
export function computedDesiredCount(desiredCount: number, scalePercent: number): number {
  return Math.max(0, Math.ceil((desiredCount * scalePercent) / 100 - 1e-9));
}

export class TaskScheduler {
  readonly tasks = new Map<string, TaskRecord>();
  private ipCounter = 0;

  constructor(
    private readonly ctx: WorldContext,
    private readonly definitions: TaskDefinitionRegistry,
    private readonly elb: ElbWorld,
  ) {}

  /** How many tasks the task set should run now (0 while it or its service drains). */
  desiredOf(service: ServiceRecord, taskSet: TaskSetRecord): number {
    if (service.status !== "ACTIVE" || taskSet.status === "DRAINING") return 0;
    return computedDesiredCount(service.desiredCount, taskSet.scalePercent);
  }

  /** Tasks meant to keep running (desiredStatus RUNNING). */
  liveTasks(taskSet: TaskSetRecord): TaskRecord[] {
    return this.tasksOf(taskSet).filter((t) => t.desiredStatus === "RUNNING");
  }

  tasksOf(taskSet: TaskSetRecord): TaskRecord[] {
    return [...taskSet.tasks].flatMap((arn) => {
      const task = this.tasks.get(arn);
      return task ? [task] : [];
    });
  }

  counts(taskSet: TaskSetRecord): { running: number; pending: number } {
    let running = 0;
    let pending = 0;
    for (const t of this.tasksOf(taskSet)) {
      if (t.lastStatus === "RUNNING") running++;
      else if (t.lastStatus === "PROVISIONING" || t.lastStatus === "PENDING") pending++;
    }
    return { running, pending };
  }

  /**
   * Starts or stops tasks so every task set of `service` runs its desired count. Tasks not yet running
   * are stopped first, then the newest. `warm` starts tasks already RUNNING and healthy (seeding).
   */
  reconcile(service: ServiceRecord, { warm = false }: { warm?: boolean } = {}): void {
    for (const taskSet of service.taskSets.values()) {
      const desired = this.desiredOf(service, taskSet);
      const live = this.liveTasks(taskSet);
      for (let i = live.length; i < desired; i++) this.launch(service, taskSet, warm);
      if (live.length > desired) {
        const byPreference = [...live].sort(
          (a, b) =>
            Number(a.lastStatus === "RUNNING") - Number(b.lastStatus === "RUNNING") ||
            b.createdAt - a.createdAt,
        );
        for (const task of byPreference.slice(0, live.length - desired))
          this.stop(task, "Scaling activity initiated by deployment");
      }
    }
  }

  /** Stops a task: drains its targets if it was serving, then STOPPED. */
  stop(task: TaskRecord, reason: string): void {
    if (task.desiredStatus === "STOPPED") return;
    const now = this.ctx.now();
    task.desiredStatus = "STOPPED";
    task.stoppingAt = now;
    task.stoppedReason = reason;
    if (task.lastStatus !== "RUNNING") {
      this.finishStop(task);
      return;
    }
    task.lastStatus = "DEACTIVATING";
    for (const { targetGroupArn, port } of task.targets) {
      const group = this.elb.targetGroups.get(targetGroupArn);
      if (group) this.elb.targets.deregister(group, task.ip, port);
    }
    this.ctx.queue.schedule(now + this.ctx.config.tasks.drainDelayMs, () => this.finishStop(task));
  }

  /** STABILIZING → STEADY_STATE (and back) with the time it changed. */
  refreshStability(service: ServiceRecord, taskSet: TaskSetRecord): void {
    const steady = this.isSteady(service, taskSet);
    const next = steady ? "STEADY_STATE" : "STABILIZING";
    if (taskSet.stability !== next) {
      taskSet.stability = next;
      taskSet.stabilityAt = this.ctx.now();
    }
  }

  private isSteady(service: ServiceRecord, taskSet: TaskSetRecord): boolean {
    const all = this.tasksOf(taskSet);
    if (taskSet.status === "DRAINING") return all.every((t) => t.lastStatus === "STOPPED");
    const live = all.filter((t) => t.desiredStatus === "RUNNING");
    if (all.some((t) => t.lastStatus === "DEACTIVATING")) return false;
    if (live.length !== this.desiredOf(service, taskSet)) return false;
    return live.every((t) => t.lastStatus === "RUNNING" && this.targetsHealthy(t));
  }

  private targetsHealthy(task: TaskRecord): boolean {
    return task.targets.every(({ targetGroupArn, port }) => {
      const group = this.elb.targetGroups.get(targetGroupArn);
      if (!group) return true;
      const inUse = this.elb.loadBalancersOf(targetGroupArn).length > 0;
      return inUse && group.targets.get(targetKey(task.ip, port))?.state === "healthy";
    });
  }

  private launch(service: ServiceRecord, taskSet: TaskSetRecord, warm: boolean): void {
    const definition = this.definitions.definitions.get(taskSet.taskDefinitionArn);
    const wanted = taskSet.loadBalancers[0]?.containerName;
    const container = definition?.containers.find((c) => c.name === wanted) ?? definition?.containers[0];
    const version = container ? imageTag(container.image) : "unknown";
    const now = this.ctx.now();
    const n = this.ipCounter++;
    const id = this.ctx.ids.hex(32);
    const task: TaskRecord = {
      arn: this.ctx.arns.task(taskSet.region, service.clusterName, id),
      clusterArn: service.clusterArn,
      region: taskSet.region,
      serviceName: service.name,
      taskSetId: taskSet.id,
      taskDefinitionArn: taskSet.taskDefinitionArn,
      version,
      profile: resolveProfile(this.ctx.config, version),
      lastStatus: "PROVISIONING",
      desiredStatus: "RUNNING",
      createdAt: now,
      startedAt: undefined,
      stoppingAt: undefined,
      stoppedAt: undefined,
      stoppedReason: undefined,
      ip: `10.0.${Math.floor(n / 250) % 250}.${(n % 250) + 4}`,
      availabilityZone: `${taskSet.region}${ZONES[n % ZONES.length]}`,
      containers: (definition?.containers ?? []).map((c) => ({ name: c.name, image: c.image })),
      launchType: typeof taskSet.extra.launchType === "string" ? taskSet.extra.launchType : undefined,
      targets: taskSet.loadBalancers.map((lb) => ({
        targetGroupArn: lb.targetGroupArn,
        port: lb.containerPort,
      })),
    };
    this.tasks.set(task.arn, task);
    taskSet.tasks.add(task.arn);
    if (warm) {
      this.start(task, true);
      return;
    }
    const startDelay = task.profile.startDelayMs;
    this.ctx.queue.schedule(now + Math.floor(startDelay * 0.4), () => {
      if (task.lastStatus === "PROVISIONING" && task.desiredStatus === "RUNNING") task.lastStatus = "PENDING";
    });
    this.ctx.queue.schedule(now + startDelay, () => {
      if (task.desiredStatus === "RUNNING" && task.lastStatus !== "STOPPED") this.start(task, false);
    });
  }

  private start(task: TaskRecord, warm: boolean): void {
    task.lastStatus = "RUNNING";
    task.startedAt = this.ctx.now();
    for (const { targetGroupArn, port } of task.targets) {
      const group = this.elb.targetGroups.get(targetGroupArn);
      if (!group) continue;
      const spec = {
        id: task.ip,
        port,
        availabilityZone: task.availabilityZone,
        taskArn: task.arn,
        version: task.version,
        profile: task.profile,
      };
      this.elb.targets.register(group, spec, { warm });
    }
  }

  private finishStop(task: TaskRecord): void {
    const now = this.ctx.now();
    task.lastStatus = "STOPPED";
    task.stoppedAt = now;
    this.ctx.queue.schedule(now + this.ctx.config.tasks.stoppedRetentionMs, () =>
      this.tasks.delete(task.arn),
    );
  }
}
