/**
 * The `Ecs` port on AWS ECS (task sets on a service with `deploymentController: EXTERNAL`).
 *
 * Facts the adapter absorbs so executors need not: a deleted service is reported INACTIVE, not missing;
 * a task set just created may be missing from Describe* for a moment (re-read with backoff); moto never
 * reports task counts (undefined = unknown), wants full ARNs in UpdateServicePrimaryTaskSet and ignores
 * `clientToken`.
 */
import {
  CreateServiceCommand,
  type CreateServiceCommandInput,
  CreateTaskSetCommand,
  type CreateTaskSetCommandInput,
  DeleteTaskSetCommand,
  DescribeServicesCommand,
  DescribeTaskSetsCommand,
  type ECSClient,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  type TaskSet,
  UpdateServiceCommand,
  UpdateServicePrimaryTaskSetCommand,
} from "@aws-sdk/client-ecs";
import { KanariaError } from "../../domain/kanaria-error.js";
import type { Clock, CreateTaskSetRequest, Ecs, ServiceInfo, TaskSetInfo } from "../../ports.js";
import { aws, awsErrorName, wrapAwsError } from "./aws-error.js";

const ECS = "ecs";

/** How long to wait for a created task set to become visible (eventual consistency). */
const VISIBLE_WITHIN_MS = 30_000;

export class AwsEcs implements Ecs {
  constructor(
    private readonly client: ECSClient,
    private readonly clock: Clock,
  ) {}

  async registerTaskDefinition(definition: Record<string, unknown>): Promise<string> {
    const output = await aws(ECS, "RegisterTaskDefinition", () =>
      this.client.send(
        new RegisterTaskDefinitionCommand(definition as unknown as RegisterTaskDefinitionCommandInput),
      ),
    );
    const arn = output.taskDefinition?.taskDefinitionArn;
    if (!arn)
      throw new KanariaError("AWS_BAD_RESPONSE", "RegisterTaskDefinition returned no taskDefinitionArn");
    return arn;
  }

  async ensureService(definition: Record<string, unknown>): Promise<ServiceInfo> {
    const cluster = String(definition.cluster ?? "default");
    const serviceName = String(definition.serviceName);
    const existing = await this.describeService(cluster, serviceName);
    if (!existing) {
      await aws(ECS, "CreateService", () =>
        this.client.send(new CreateServiceCommand(definition as unknown as CreateServiceCommandInput)),
      );
    } else if (
      typeof definition.desiredCount === "number" &&
      definition.desiredCount !== existing.desiredCount
    ) {
      // With an EXTERNAL controller only a few fields may change; the size is the one a deploy changes.
      await aws(ECS, "UpdateService", () =>
        this.client.send(
          new UpdateServiceCommand({
            cluster,
            service: serviceName,
            desiredCount: definition.desiredCount as number,
          }),
        ),
      );
    }
    const after = await this.describeService(cluster, serviceName);
    // Eventual consistency: a service just created may not be listed yet; waiting heals it.
    if (!after)
      throw new KanariaError("AWS_NOT_VISIBLE", `service ${serviceName} not visible after CreateService`, {
        transient: true,
      });
    return after;
  }

  async describeService(cluster: string, service: string): Promise<ServiceInfo | undefined> {
    const output = await aws(ECS, "DescribeServices", () =>
      this.client.send(new DescribeServicesCommand({ cluster, services: [service] })),
    );
    const found = output.services?.find((s) => s.status !== "INACTIVE");
    if (!found) return undefined;
    return {
      serviceArn: found.serviceArn ?? "",
      clusterArn: found.clusterArn ?? cluster,
      serviceName: found.serviceName ?? service,
      status: found.status ?? "ACTIVE",
      desiredCount: found.desiredCount ?? 0,
      taskSets: (found.taskSets ?? []).map(toTaskSetInfo),
    };
  }

  /**
   * Idempotent twice over: ECS honours `clientToken`, but not every implementation does (moto ignores
   * it), so an existing task set with the same `externalId` is returned without creating another.
   */
  async createTaskSet(request: CreateTaskSetRequest): Promise<TaskSetInfo> {
    const existing = (await this.describeService(request.cluster, request.service))?.taskSets.find(
      (t) => t.externalId === request.externalId,
    );
    if (existing) return existing;
    const input: CreateTaskSetCommandInput = {
      ...(request.extra as Partial<CreateTaskSetCommandInput>),
      cluster: request.cluster,
      service: request.service,
      taskDefinition: request.taskDefinitionArn,
      externalId: request.externalId,
      clientToken: request.clientToken,
      scale: { unit: "PERCENT", value: request.scalePercent },
      loadBalancers: [
        {
          targetGroupArn: request.targetGroup.targetGroupArn,
          containerName: request.targetGroup.containerName,
          containerPort: request.targetGroup.containerPort,
        },
      ],
      tags: Object.entries(request.tags).map(([key, value]) => ({ key, value })),
    };
    const output = await aws(ECS, "CreateTaskSet", () => this.client.send(new CreateTaskSetCommand(input)));
    const arn = output.taskSet?.taskSetArn;
    if (!arn) throw new KanariaError("AWS_BAD_RESPONSE", "CreateTaskSet returned no taskSetArn");
    return this.readBack(request.cluster, request.service, arn);
  }

  async updatePrimaryTaskSet(cluster: string, service: string, taskSetArn: string): Promise<void> {
    await aws(ECS, "UpdateServicePrimaryTaskSet", () =>
      this.client.send(
        new UpdateServicePrimaryTaskSetCommand({ cluster, service, primaryTaskSet: taskSetArn }),
      ),
    );
  }

  async deleteTaskSet(
    cluster: string,
    service: string,
    taskSetArn: string,
  ): Promise<"deleted" | "not-found"> {
    try {
      await this.client.send(
        new DeleteTaskSetCommand({ cluster, service, taskSet: taskSetArn, force: true }),
      );
      return "deleted";
    } catch (error) {
      if (isTaskSetNotFound(error)) return "not-found";
      throw wrapAwsError(ECS, "DeleteTaskSet", error);
    }
  }

  /** Re-reads a created task set until Describe* shows it (AWS is eventually consistent). */
  private async readBack(cluster: string, service: string, taskSetArn: string): Promise<TaskSetInfo> {
    const deadline = this.clock.now() + VISIBLE_WITHIN_MS;
    for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
      const output = await aws(ECS, "DescribeTaskSets", () =>
        this.client.send(new DescribeTaskSetsCommand({ cluster, service, taskSets: [taskSetArn] })),
      );
      const found = output.taskSets?.find((t) => t.taskSetArn === taskSetArn);
      if (found) return toTaskSetInfo(found);
      if (this.clock.now() >= deadline) {
        throw new KanariaError(
          "AWS_NOT_VISIBLE",
          `task set ${taskSetArn} not visible ${VISIBLE_WITHIN_MS / 1000}s after creation`,
          { transient: true },
        );
      }
      await this.clock.sleep(delay);
    }
  }
}

export function toTaskSetInfo(t: TaskSet): TaskSetInfo {
  return {
    taskSetArn: t.taskSetArn ?? "",
    externalId: t.externalId || undefined,
    status: t.status ?? "ACTIVE",
    taskDefinitionArn: t.taskDefinition ?? "",
    targetGroupArns: (t.loadBalancers ?? []).flatMap((lb) => (lb.targetGroupArn ? [lb.targetGroupArn] : [])),
    stabilityStatus: t.stabilityStatus ?? "STABILIZING",
    scalePercent: t.scale?.value ?? 0,
    runningCount: t.runningCount,
    pendingCount: t.pendingCount,
    computedDesiredCount: t.computedDesiredCount,
  };
}

/** ECS says TaskSetNotFoundException; moto says ClientException "The specified task set does not exist". */
function isTaskSetNotFound(error: unknown): boolean {
  const name = awsErrorName(error);
  if (name === "TaskSetNotFoundException") return true;
  return (
    name === "ClientException" && error instanceof Error && /task set does not exist/i.test(error.message)
  );
}
