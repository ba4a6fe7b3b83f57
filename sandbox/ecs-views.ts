/**
 * World records → ECS JSON shapes, as DescribeServices / DescribeTaskSets / DescribeTasks return them
 * (timestamps in epoch seconds). A service shows its primary task set's fields (task definition, launch
 * type, network configuration, load balancers), as AWS does for the EXTERNAL controller.
 */
import type { EcsWorld } from "./ecs-world.js";
import type {
  ClusterRecord,
  ServiceRecord,
  Tags,
  TaskDefinitionRecord,
  TaskRecord,
  TaskSetRecord,
} from "./world-types.js";

export type Json = Record<string, unknown>;

/** Epoch seconds, as the JSON protocol carries timestamps. */
export function seconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}

export function tagList(tags: Tags): Array<{ key: string; value: string }> {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

export function clusterView(ecs: EcsWorld, cluster: ClusterRecord, includeTags: boolean): Json {
  const services = ecs.servicesOf(cluster);
  let running = 0;
  let pending = 0;
  for (const task of ecs.scheduler.tasks.values()) {
    if (task.clusterArn !== cluster.arn) continue;
    if (task.lastStatus === "RUNNING") running++;
    else if (task.lastStatus === "PROVISIONING" || task.lastStatus === "PENDING") pending++;
  }
  return {
    clusterArn: cluster.arn,
    clusterName: cluster.name,
    status: "ACTIVE",
    registeredContainerInstancesCount: 0,
    runningTasksCount: running,
    pendingTasksCount: pending,
    activeServicesCount: services.filter((s) => s.status === "ACTIVE").length,
    statistics: [],
    settings: [{ name: "containerInsights", value: "disabled" }],
    capacityProviders: ["FARGATE", "FARGATE_SPOT"],
    defaultCapacityProviderStrategy: [],
    ...(includeTags ? { tags: tagList(ecs.tags.get(cluster.arn)) } : {}),
  };
}

export function taskSetView(
  ecs: EcsWorld,
  service: ServiceRecord,
  taskSet: TaskSetRecord,
  includeTags: boolean,
): Json {
  const { running, pending } = ecs.scheduler.counts(taskSet);
  return {
    ...taskSet.extra,
    id: taskSet.id,
    taskSetArn: taskSet.arn,
    serviceArn: taskSet.serviceArn,
    clusterArn: taskSet.clusterArn,
    ...(taskSet.externalId !== undefined ? { externalId: taskSet.externalId } : {}),
    status: taskSet.status,
    taskDefinition: taskSet.taskDefinitionArn,
    computedDesiredCount: ecs.scheduler.desiredOf(service, taskSet),
    pendingCount: pending,
    runningCount: running,
    createdAt: seconds(taskSet.createdAt),
    updatedAt: seconds(taskSet.updatedAt),
    loadBalancers: taskSet.loadBalancers,
    serviceRegistries: taskSet.extra.serviceRegistries ?? [],
    scale: { value: taskSet.scalePercent, unit: "PERCENT" },
    stabilityStatus: taskSet.stability,
    stabilityStatusAt: seconds(taskSet.stabilityAt),
    ...(includeTags ? { tags: tagList(ecs.tags.get(taskSet.arn)) } : {}),
  };
}

/** `visibleTaskSets` lets eventual consistency hide task sets created a moment ago. */
export function serviceView(
  ecs: EcsWorld,
  service: ServiceRecord,
  visibleTaskSets: readonly TaskSetRecord[],
  includeTags: boolean,
): Json {
  const all = [...service.taskSets.values()];
  const primary = all.find((t) => t.status === "PRIMARY");
  let running = 0;
  let pending = 0;
  for (const taskSet of all) {
    const counts = ecs.scheduler.counts(taskSet);
    running += counts.running;
    pending += counts.pending;
  }
  const primaryFields = primary
    ? { ...primary.extra, taskDefinition: primary.taskDefinitionArn, loadBalancers: primary.loadBalancers }
    : {};
  return {
    ...service.extra,
    ...(service.controller === "EXTERNAL" ? {} : { taskDefinition: service.taskDefinitionArn }),
    ...primaryFields,
    serviceArn: service.arn,
    serviceName: service.name,
    clusterArn: service.clusterArn,
    status: service.status,
    desiredCount: service.desiredCount,
    runningCount: running,
    pendingCount: pending,
    deploymentController: { type: service.controller },
    taskSets: visibleTaskSets.map((t) => taskSetView(ecs, service, t, includeTags)),
    deployments: [],
    events: [],
    createdAt: seconds(service.createdAt),
    schedulingStrategy: service.extra.schedulingStrategy ?? "REPLICA",
    ...(includeTags ? { tags: tagList(ecs.tags.get(service.arn)) } : {}),
  };
}

export function taskView(ecs: EcsWorld, task: TaskRecord, includeTags: boolean): Json {
  return {
    taskArn: task.arn,
    clusterArn: task.clusterArn,
    taskDefinitionArn: task.taskDefinitionArn,
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    startedBy: task.taskSetId,
    group: `service:${task.serviceName}`,
    availabilityZone: task.availabilityZone,
    ...(task.launchType !== undefined ? { launchType: task.launchType } : {}),
    healthStatus: "UNKNOWN",
    createdAt: seconds(task.createdAt),
    startedAt: seconds(task.startedAt),
    stoppingAt: seconds(task.stoppingAt),
    stoppedAt: seconds(task.stoppedAt),
    ...(task.stoppedReason !== undefined && task.desiredStatus === "STOPPED"
      ? { stoppedReason: task.stoppedReason }
      : {}),
    containers: task.containers.map((c) => ({
      name: c.name,
      image: c.image,
      taskArn: task.arn,
      lastStatus: task.lastStatus === "DEACTIVATING" ? "RUNNING" : task.lastStatus,
    })),
    attachments: [
      {
        id: task.arn.split("/").pop(),
        type: "ElasticNetworkInterface",
        status: task.lastStatus === "STOPPED" ? "DELETED" : "ATTACHED",
        details: [{ name: "privateIPv4Address", value: task.ip }],
      },
    ],
    ...(includeTags ? { tags: tagList(ecs.tags.get(task.arn)) } : {}),
  };
}

export function taskDefinitionView(definition: TaskDefinitionRecord): Json {
  const { tags: _tags, ...body } = definition.body;
  return {
    ...body,
    taskDefinitionArn: definition.arn,
    family: definition.family,
    revision: definition.revision,
    status: definition.status,
    registeredAt: seconds(definition.registeredAt),
    ...(definition.deregisteredAt !== undefined
      ? { deregisteredAt: seconds(definition.deregisteredAt) }
      : {}),
    compatibilities: ["EC2", "FARGATE"],
    requiresAttributes: [],
  };
}
