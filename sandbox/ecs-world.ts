/**
 * The ECS half of the world: clusters, services and task sets, with the rules ECS enforces and its
 * error codes and messages. Task set operations require a service with the EXTERNAL deployment
 * controller. Only EXTERNAL services run tasks here (through their task sets); other controllers are
 * stored and described but run nothing.
 *
 * Choices where AWS is vague: a deleted task set is DRAINING until its tasks stopped, then gone; deleting
 * or updating one that is already DRAINING is TaskSetNotFoundException. `clientToken` on CreateTaskSet
 * and CreateService returns the same resource for the same parameters while it exists. An omitted
 * `desiredCount` (CreateService) or `scale` (CreateTaskSet) is 0, as in AWS's examples. A task set's
 * target group must already be routed to by a listener or rule (ECS: "does not have an associated load
 * balancer").
 */
import { ApiError } from "./api-error.js";
import { parseArn } from "./arns.js";
import type { ElbWorld } from "./elb-world.js";
import { ResourceTags } from "./resource-tags.js";
import type { TaskDefinitionRegistry } from "./task-definition-registry.js";
import type { TaskScheduler } from "./task-scheduler.js";
import type {
  ClusterRecord,
  DeploymentControllerType,
  LoadBalancerBinding,
  ServiceRecord,
  Tags,
  TaskSetRecord,
  WorldContext,
} from "./world-types.js";

export interface CreateServiceInput {
  cluster?: string | undefined;
  serviceName: string;
  desiredCount?: number | undefined;
  controller?: DeploymentControllerType | undefined;
  taskDefinition?: string | undefined;
  clientToken?: string | undefined;
  extra: Record<string, unknown>;
  tags: Tags;
}

export interface CreateTaskSetInput {
  cluster: string;
  service: string;
  taskDefinition: string;
  externalId?: string | undefined;
  clientToken?: string | undefined;
  scalePercent: number;
  loadBalancers: LoadBalancerBinding[];
  extra: Record<string, unknown>;
  tags: Tags;
}

const EXTERNAL_ONLY =
  "Amazon ECS only supports task set management on services configured to use external deployment controllers.";

export class EcsWorld {
  readonly clusters = new Map<string, ClusterRecord>();
  readonly services = new Map<string, ServiceRecord>();
  /** Tags of clusters, services, task sets, task definitions and tasks. */
  readonly tags = new ResourceTags((arn) => this.resourceExists(arn));

  constructor(
    private readonly ctx: WorldContext,
    readonly definitions: TaskDefinitionRegistry,
    readonly scheduler: TaskScheduler,
    private readonly elb: ElbWorld,
  ) {}

  createCluster(region: string, name: string, tags: Tags = {}): ClusterRecord {
    const arn = this.ctx.arns.cluster(region, name);
    const existing = this.clusters.get(arn);
    if (existing) return existing;
    const record: ClusterRecord = { arn, name, region, createdAt: this.ctx.now() };
    this.clusters.set(arn, record);
    this.tags.add(arn, tags);
    return record;
  }

  findCluster(region: string, reference: string | undefined): ClusterRecord | undefined {
    const ref = reference ?? "default";
    return this.clusters.get(parseArn(ref) ? ref : this.ctx.arns.cluster(region, ref));
  }

  cluster(region: string, reference: string | undefined): ClusterRecord {
    const found = this.findCluster(region, reference);
    if (!found) throw new ApiError("ClusterNotFoundException", "Cluster not found.");
    return found;
  }

  servicesOf(cluster: ClusterRecord): ServiceRecord[] {
    return [...this.services.values()].filter((s) => s.clusterArn === cluster.arn);
  }

  /** The service by name or ARN in `cluster`, whatever its status. */
  findService(cluster: ClusterRecord, reference: string): ServiceRecord | undefined {
    const name = parseArn(reference) ? reference.split("/").pop() : reference;
    return this.services.get(this.ctx.arns.service(cluster.region, cluster.name, name ?? ""));
  }

  /** An ACTIVE service: ServiceNotFoundException when unknown, ServiceNotActiveException otherwise. */
  activeService(cluster: ClusterRecord, reference: string): ServiceRecord {
    const found = this.findService(cluster, reference);
    if (!found) throw new ApiError("ServiceNotFoundException", "Service not found.");
    if (found.status !== "ACTIVE") throw new ApiError("ServiceNotActiveException", "Service was not ACTIVE.");
    return found;
  }

  createService(region: string, input: CreateServiceInput, fingerprint: string): ServiceRecord {
    const cluster = this.cluster(region, input.cluster);
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(input.serviceName)) {
      throw new ApiError("InvalidParameterException", "Service name contains invalid characters.");
    }
    const existing = this.findService(cluster, input.serviceName);
    if (existing && existing.status !== "INACTIVE") {
      if (
        input.clientToken !== undefined &&
        existing.clientToken === input.clientToken &&
        existing.fingerprint === fingerprint
      ) {
        return existing;
      }
      throw new ApiError("InvalidParameterException", "Creation of service was not idempotent.");
    }
    const controller = input.controller ?? "ECS";
    let taskDefinitionArn: string | undefined;
    if (input.taskDefinition !== undefined) {
      taskDefinitionArn = this.definitions.resolve(region, input.taskDefinition).arn;
    } else if (controller === "ECS") {
      throw new ApiError("InvalidParameterException", "TaskDefinition must be specified.");
    }
    const record: ServiceRecord = {
      arn: this.ctx.arns.service(region, cluster.name, input.serviceName),
      name: input.serviceName,
      clusterArn: cluster.arn,
      clusterName: cluster.name,
      region,
      status: "ACTIVE",
      desiredCount: input.desiredCount ?? 0,
      controller,
      taskDefinitionArn,
      extra: input.extra,
      createdAt: this.ctx.now(),
      taskSets: new Map(),
      clientToken: input.clientToken,
      fingerprint,
    };
    this.services.set(record.arn, record);
    this.tags.reset(record.arn);
    this.tags.add(record.arn, input.tags);
    return record;
  }

  updateService(
    region: string,
    input: {
      cluster?: string | undefined;
      service: string;
      desiredCount?: number | undefined;
      taskDefinition?: string | undefined;
      extra: Record<string, unknown>;
    },
  ): ServiceRecord {
    const service = this.activeService(this.cluster(region, input.cluster), input.service);
    if (input.taskDefinition !== undefined) {
      if (service.controller === "EXTERNAL") {
        throw new ApiError(
          "InvalidParameterException",
          "Unable to update task definition on services with a EXTERNAL deployment controller. Use task sets.",
        );
      }
      service.taskDefinitionArn = this.definitions.resolve(region, input.taskDefinition).arn;
    }
    if (input.desiredCount !== undefined) service.desiredCount = input.desiredCount;
    Object.assign(service.extra, input.extra);
    this.scheduler.reconcile(service);
    this.refresh();
    return service;
  }

  deleteService(
    region: string,
    clusterRef: string | undefined,
    serviceRef: string,
    force: boolean,
  ): ServiceRecord {
    const service = this.activeService(this.cluster(region, clusterRef), serviceRef);
    if (service.desiredCount > 0 && !force) {
      throw new ApiError(
        "InvalidParameterException",
        "The service cannot be stopped while it is scaled above 0.",
      );
    }
    service.status = "DRAINING";
    for (const taskSet of service.taskSets.values()) this.drain(taskSet);
    this.scheduler.reconcile(service);
    this.refresh();
    return service;
  }

  /** `warm` starts the tasks already RUNNING and healthy (seeding a pre-existing production). */
  createTaskSet(
    region: string,
    input: CreateTaskSetInput,
    fingerprint: string,
    { warm = false } = {},
  ): TaskSetRecord {
    const service = this.externalService(region, input.cluster, input.service);
    if (input.clientToken !== undefined) {
      const previous = [...service.taskSets.values()].find((t) => t.clientToken === input.clientToken);
      if (previous) {
        if (previous.fingerprint === fingerprint) return previous;
        throw new ApiError(
          "InvalidParameterException",
          "The client token has already been used with different parameters.",
        );
      }
    }
    const definition = this.definitions.resolve(region, input.taskDefinition);
    if (definition.status !== "ACTIVE") throw new ApiError("ClientException", "TaskDefinition is inactive");
    for (const lb of input.loadBalancers) {
      if (!this.elb.targetGroups.has(lb.targetGroupArn)) {
        throw new ApiError(
          "InvalidParameterException",
          `The target group with targetGroupArn ${lb.targetGroupArn} does not exist.`,
        );
      }
      if (this.elb.loadBalancersOf(lb.targetGroupArn).length === 0) {
        throw new ApiError(
          "InvalidParameterException",
          `The target group with targetGroupArn ${lb.targetGroupArn} does not have an associated load balancer.`,
        );
      }
      const container = definition.containers.find((c) => c.name === lb.containerName);
      if (!container) {
        throw new ApiError(
          "InvalidParameterException",
          `The container ${lb.containerName} does not exist in the task definition.`,
        );
      }
      if (!container.containerPorts.includes(lb.containerPort)) {
        throw new ApiError(
          "InvalidParameterException",
          `The container ${lb.containerName} did not have a container port ${lb.containerPort} defined.`,
        );
      }
    }
    if (!(input.scalePercent >= 0 && input.scalePercent <= 100)) {
      throw new ApiError("InvalidParameterException", "Scale value must be between 0 and 100.");
    }
    const now = this.ctx.now();
    const id = `ecs-svc/${this.ctx.ids.digits(19)}`;
    const record: TaskSetRecord = {
      id,
      arn: this.ctx.arns.taskSet(region, service.clusterName, service.name, id),
      serviceArn: service.arn,
      clusterArn: service.clusterArn,
      region,
      status: "ACTIVE",
      externalId: input.externalId,
      taskDefinitionArn: definition.arn,
      scalePercent: input.scalePercent,
      loadBalancers: input.loadBalancers,
      extra: input.extra,
      createdAt: now,
      updatedAt: now,
      stability: "STABILIZING",
      stabilityAt: now,
      clientToken: input.clientToken,
      fingerprint,
      tasks: new Set(),
    };
    service.taskSets.set(id, record);
    this.tags.add(record.arn, input.tags);
    this.scheduler.reconcile(service, { warm });
    this.refresh();
    return record;
  }

  /** By id (`ecs-svc/…`) or full ARN; DRAINING ones count as gone. */
  taskSet(service: ServiceRecord, reference: string): TaskSetRecord {
    const id = parseArn(reference) ? this.idFromArn(service, reference) : reference;
    const found = id === undefined ? undefined : service.taskSets.get(id);
    if (!found || found.status === "DRAINING") {
      throw new ApiError("TaskSetNotFoundException", "The specified task set does not exist.");
    }
    return found;
  }

  updateTaskSet(
    region: string,
    cluster: string,
    serviceRef: string,
    reference: string,
    scalePercent: number,
  ): TaskSetRecord {
    const service = this.externalService(region, cluster, serviceRef);
    const taskSet = this.taskSet(service, reference);
    if (!(scalePercent >= 0 && scalePercent <= 100)) {
      throw new ApiError("InvalidParameterException", "Scale value must be between 0 and 100.");
    }
    taskSet.scalePercent = scalePercent;
    taskSet.updatedAt = this.ctx.now();
    this.scheduler.reconcile(service);
    this.refresh();
    return taskSet;
  }

  updatePrimaryTaskSet(
    region: string,
    cluster: string,
    serviceRef: string,
    reference: string,
  ): TaskSetRecord {
    const service = this.externalService(region, cluster, serviceRef);
    const taskSet = this.taskSet(service, reference);
    const now = this.ctx.now();
    for (const other of service.taskSets.values()) {
      if (other !== taskSet && other.status === "PRIMARY") {
        other.status = "ACTIVE";
        other.updatedAt = now;
      }
    }
    taskSet.status = "PRIMARY";
    taskSet.updatedAt = now;
    service.taskDefinitionArn = taskSet.taskDefinitionArn;
    return taskSet;
  }

  /** Refuses a PRIMARY task set while others remain, unless `force` (AWS: "Primary TaskSet cannot be deleted"). */
  deleteTaskSet(
    region: string,
    cluster: string,
    serviceRef: string,
    reference: string,
    force: boolean,
  ): TaskSetRecord {
    const service = this.externalService(region, cluster, serviceRef);
    const taskSet = this.taskSet(service, reference);
    const others = [...service.taskSets.values()].filter((t) => t !== taskSet && t.status !== "DRAINING");
    if (taskSet.status === "PRIMARY" && others.length > 0 && !force) {
      throw new ApiError("InvalidParameterException", "Primary TaskSet cannot be deleted");
    }
    if (taskSet.status === "PRIMARY") service.taskDefinitionArn = undefined;
    this.drain(taskSet);
    this.scheduler.reconcile(service);
    this.refresh();
    return taskSet;
  }

  /**
   * Housekeeping after time passed or state changed: stability of every task set, drained task sets
   * removed, drained services made INACTIVE.
   */
  refresh(): void {
    for (const service of this.services.values()) {
      for (const taskSet of service.taskSets.values()) {
        this.scheduler.refreshStability(service, taskSet);
        const drained = this.scheduler.tasksOf(taskSet).every((t) => t.lastStatus === "STOPPED");
        if (taskSet.status === "DRAINING" && drained) service.taskSets.delete(taskSet.id);
      }
      if (service.status === "DRAINING" && service.taskSets.size === 0) service.status = "INACTIVE";
    }
  }

  private resourceExists(arn: string): boolean {
    if (this.clusters.has(arn) || this.services.has(arn) || this.definitions.definitions.has(arn))
      return true;
    if (this.scheduler.tasks.has(arn)) return true;
    return [...this.services.values()].some((s) => [...s.taskSets.values()].some((t) => t.arn === arn));
  }

  private externalService(region: string, clusterRef: string, serviceRef: string): ServiceRecord {
    const service = this.activeService(this.cluster(region, clusterRef), serviceRef);
    if (service.controller !== "EXTERNAL") throw new ApiError("InvalidParameterException", EXTERNAL_ONLY);
    return service;
  }

  private idFromArn(service: ServiceRecord, arn: string): string | undefined {
    const marker = `:task-set/${service.clusterName}/${service.name}/`;
    const at = arn.indexOf(marker);
    return at < 0 ? undefined : arn.slice(at + marker.length);
  }

  private drain(taskSet: TaskSetRecord): void {
    taskSet.status = "DRAINING";
    taskSet.updatedAt = this.ctx.now();
  }
}
