/**
 * An in-memory ECS service + ALB listener implementing the `Ecs` and `LoadBalancer` ports.
 *
 * Every change is an *effect* appended to `effects`; with `logFile` each effect is also appended to a
 * JSONL file (synchronously, before the call returns), and a new FakeCloud on the same file rebuilds the
 * world by replaying it. That is what the crash tests need: a world that outlives the killed process and
 * a complete record of what was done to it.
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import type {
  CreateTaskSetRequest,
  Ecs,
  ForwardRule,
  LoadBalancer,
  ServiceInfo,
  TargetHealthSummary,
  TaskSetInfo,
  WeightedTargetGroup,
} from "../../src/ports.js";

export type Effect =
  | { op: "registerTaskDefinition"; arn: string; family: string; image: string }
  | { op: "createService"; cluster: string; service: string }
  | { op: "createTaskSet"; taskSet: TaskSetInfo; clientToken: string }
  | { op: "updatePrimaryTaskSet"; taskSetArn: string }
  | { op: "deleteTaskSet"; taskSetArn: string }
  | { op: "setWeights"; weights: WeightedTargetGroup[] };

export interface FakeCloudOptions {
  cluster: string;
  service: string;
  primaryTargetGroupArn: string;
  canaryTargetGroupArn: string;
  logFile?: string;
}

export class FakeCloud implements Ecs, LoadBalancer {
  readonly effects: Effect[] = [];
  private taskDefinitions = new Map<string, { family: string; image: string }>();
  private serviceExists = false;
  private taskSets: TaskSetInfo[] = [];
  private tokens = new Map<string, string>();
  private weights: WeightedTargetGroup[];

  constructor(readonly options: FakeCloudOptions) {
    this.weights = [
      { targetGroupArn: options.primaryTargetGroupArn, weight: 100 },
      { targetGroupArn: options.canaryTargetGroupArn, weight: 0 },
    ];
    if (options.logFile && existsSync(options.logFile)) {
      const lines = readFileSync(options.logFile, "utf8").split("\n");
      for (const line of lines) {
        // A line cut short by SIGKILL mid-write was never acknowledged to the caller: not an effect.
        if (line.trim() === "") continue;
        let effect: Effect;
        try {
          effect = JSON.parse(line) as Effect;
        } catch {
          continue;
        }
        this.apply(effect);
      }
    }
  }

  // --- Ecs ---

  async registerTaskDefinition(definition: Record<string, unknown>): Promise<string> {
    const family = String(definition.family);
    const revision = [...this.taskDefinitions.values()].filter((t) => t.family === family).length + 1;
    const containers = definition.containerDefinitions as Array<{ image?: string }> | undefined;
    const image = containers?.[0]?.image ?? "";
    const arn = `arn:aws:ecs:ap-northeast-1:123456789012:task-definition/${family}:${revision}`;
    this.record({ op: "registerTaskDefinition", arn, family, image });
    return arn;
  }

  async ensureService(): Promise<ServiceInfo> {
    if (!this.serviceExists)
      this.record({ op: "createService", cluster: this.options.cluster, service: this.options.service });
    return this.serviceInfo();
  }

  async describeService(): Promise<ServiceInfo | undefined> {
    return this.serviceExists ? this.serviceInfo() : undefined;
  }

  async createTaskSet(request: CreateTaskSetRequest): Promise<TaskSetInfo> {
    const existing = this.tokens.get(request.clientToken);
    if (existing) {
      const same = this.taskSets.find((t) => t.taskSetArn === existing);
      if (same) return { ...same };
    }
    const taskSet: TaskSetInfo = {
      taskSetArn: `arn:aws:ecs:ap-northeast-1:123456789012:task-set/${this.options.cluster}/${this.options.service}/ecs-svc/${this.effects.length + 1}-${request.clientToken.slice(-6)}`,
      externalId: request.externalId,
      status: "ACTIVE",
      taskDefinitionArn: request.taskDefinitionArn,
      targetGroupArns: [request.targetGroup.targetGroupArn],
      stabilityStatus: "STEADY_STATE",
      scalePercent: request.scalePercent,
      runningCount: 1,
      pendingCount: 0,
      computedDesiredCount: 1,
    };
    this.record({ op: "createTaskSet", taskSet, clientToken: request.clientToken });
    return { ...taskSet };
  }

  async updatePrimaryTaskSet(_cluster: string, _service: string, taskSetArn: string): Promise<void> {
    if (!this.taskSets.some((t) => t.taskSetArn === taskSetArn))
      throw new Error(`task set ${taskSetArn} not found`);
    this.record({ op: "updatePrimaryTaskSet", taskSetArn });
  }

  async deleteTaskSet(
    _cluster: string,
    _service: string,
    taskSetArn: string,
  ): Promise<"deleted" | "not-found"> {
    if (!this.taskSets.some((t) => t.taskSetArn === taskSetArn)) return "not-found";
    this.record({ op: "deleteTaskSet", taskSetArn });
    return "deleted";
  }

  // --- LoadBalancer ---

  async findForwardRules(targetGroupArns: readonly string[]): Promise<ForwardRule[]> {
    const ours = this.weights.map((w) => w.targetGroupArn);
    const same = ours.length === targetGroupArns.length && ours.every((arn) => targetGroupArns.includes(arn));
    return same ? [this.rule()] : [];
  }

  async setWeights(
    _rule: ForwardRule,
    weights: readonly WeightedTargetGroup[],
  ): Promise<WeightedTargetGroup[]> {
    this.record({ op: "setWeights", weights: weights.map((w) => ({ ...w })) });
    return this.weights.map((w) => ({ ...w }));
  }

  async describeTargetHealth(): Promise<TargetHealthSummary> {
    return { healthy: 1, unhealthy: 0, initial: 0, draining: 0, unused: 0 };
  }

  // --- inspection for tests ---

  listTaskSets(): TaskSetInfo[] {
    return this.taskSets.map((t) => ({ ...t }));
  }

  currentWeights(): WeightedTargetGroup[] {
    return this.weights.map((w) => ({ ...w }));
  }

  taskDefinition(arn: string): { family: string; image: string } | undefined {
    return this.taskDefinitions.get(arn);
  }

  hasService(): boolean {
    return this.serviceExists;
  }

  private rule(): ForwardRule {
    return {
      listenerArn: "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:listener/app/web/1/2",
      ruleArn: undefined,
      targetGroups: this.weights.map((w) => ({ ...w })),
      stickiness: { enabled: false, durationSeconds: undefined },
      actions: [{ Type: "forward" }],
    };
  }

  private serviceInfo(): ServiceInfo {
    return {
      serviceArn: `arn:aws:ecs:ap-northeast-1:123456789012:service/${this.options.cluster}/${this.options.service}`,
      clusterArn: `arn:aws:ecs:ap-northeast-1:123456789012:cluster/${this.options.cluster}`,
      serviceName: this.options.service,
      status: "ACTIVE",
      desiredCount: 2,
      taskSets: this.listTaskSets(),
    };
  }

  private record(effect: Effect): void {
    if (this.options.logFile) appendFileSync(this.options.logFile, `${JSON.stringify(effect)}\n`);
    this.apply(effect);
  }

  private apply(effect: Effect): void {
    this.effects.push(effect);
    switch (effect.op) {
      case "registerTaskDefinition":
        this.taskDefinitions.set(effect.arn, { family: effect.family, image: effect.image });
        break;
      case "createService":
        this.serviceExists = true;
        break;
      case "createTaskSet":
        this.taskSets.push({ ...effect.taskSet });
        this.tokens.set(effect.clientToken, effect.taskSet.taskSetArn);
        break;
      case "updatePrimaryTaskSet":
        for (const t of this.taskSets) {
          if (t.taskSetArn === effect.taskSetArn) t.status = "PRIMARY";
          else if (t.status === "PRIMARY") t.status = "ACTIVE";
        }
        break;
      case "deleteTaskSet":
        this.taskSets = this.taskSets.filter((t) => t.taskSetArn !== effect.taskSetArn);
        break;
      case "setWeights":
        this.weights = this.weights.map((w) => ({
          targetGroupArn: w.targetGroupArn,
          weight: effect.weights.find((n) => n.targetGroupArn === w.targetGroupArn)?.weight ?? 0,
        }));
        break;
    }
  }
}
