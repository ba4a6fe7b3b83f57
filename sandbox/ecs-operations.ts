/**
 * The ECS operations the sandbox serves: each validates its request at the edge, calls the world, and
 * shapes the answer as ECS does. Describe* answer unknown names in `failures` (reason MISSING), not with
 * an error, as ECS does; eventual consistency (see faults.ts) hides just-created services and task sets
 * there too.
 */
import { ApiError } from "./api-error.js";
import type { CallContext } from "./api-server.js";
import {
  type EcsOperationName,
  type EcsRequest,
  ecsRequests,
  pick,
  SERVICE_PASS_THROUGH,
  TASK_SET_PASS_THROUGH,
  tagRecord,
} from "./ecs-requests.js";
import {
  clusterView,
  type Json,
  serviceView,
  tagList,
  taskDefinitionView,
  taskSetView,
  taskView,
} from "./ecs-views.js";
import { canonicalJson, parseRequest } from "./request-validation.js";
import type { ServiceRecord, TaskSetRecord } from "./world-types.js";

export type EcsHandler = (ctx: CallContext, input: unknown) => Json;

function op<Name extends EcsOperationName>(
  name: Name,
  run: (ctx: CallContext, request: EcsRequest<Name>) => Json,
): EcsHandler {
  return (ctx, input) =>
    run(ctx, parseRequest(ecsRequests[name], input, "ValidationException") as EcsRequest<Name>);
}

const includesTags = (include: readonly string[] | undefined): boolean => include?.includes("TAGS") ?? false;
const missing = (arn: string) => ({ arn, reason: "MISSING" });

function visibleTaskSets(ctx: CallContext, service: ServiceRecord): TaskSetRecord[] {
  return [...service.taskSets.values()].filter((t) => !ctx.hidden("ecs:taskSet", t.createdAt));
}

function fingerprint(request: Record<string, unknown>): string {
  const { clientToken: _token, ...rest } = request;
  return canonicalJson(rest);
}

export const ecsOperations: Record<string, EcsHandler> = {
  CreateCluster: op("CreateCluster", (ctx, r) => {
    const cluster = ctx.world.ecs.createCluster(ctx.region, r.clusterName ?? "default", tagRecord(r.tags));
    return { cluster: clusterView(ctx.world.ecs, cluster, true) };
  }),

  DescribeClusters: op("DescribeClusters", (ctx, r) => {
    const ecs = ctx.world.ecs;
    const clusters: Json[] = [];
    const failures: Json[] = [];
    for (const ref of r.clusters ?? ["default"]) {
      const found = ecs.findCluster(ctx.region, ref);
      if (found) clusters.push(clusterView(ecs, found, includesTags(r.include)));
      else failures.push(missing(ref.startsWith("arn:") ? ref : ctx.world.arns.cluster(ctx.region, ref)));
    }
    return { clusters, failures };
  }),

  RegisterTaskDefinition: op("RegisterTaskDefinition", (ctx, r) => {
    const { tags, ...body } = r;
    const definition = ctx.world.ecs.definitions.register(ctx.region, r.family, body);
    ctx.world.ecs.tags.add(definition.arn, tagRecord(tags));
    return { taskDefinition: taskDefinitionView(definition), tags: tagList(tagRecord(tags)) };
  }),

  DescribeTaskDefinition: op("DescribeTaskDefinition", (ctx, r) => {
    const definition = ctx.world.ecs.definitions.resolve(ctx.region, r.taskDefinition);
    return {
      taskDefinition: taskDefinitionView(definition),
      ...(includesTags(r.include) ? { tags: tagList(ctx.world.ecs.tags.get(definition.arn)) } : {}),
    };
  }),

  DeregisterTaskDefinition: op("DeregisterTaskDefinition", (ctx, r) => ({
    taskDefinition: taskDefinitionView(ctx.world.ecs.definitions.deregister(ctx.region, r.taskDefinition)),
  })),

  CreateService: op("CreateService", (ctx, r) => {
    const service = ctx.world.ecs.createService(
      ctx.region,
      {
        cluster: r.cluster,
        serviceName: r.serviceName,
        desiredCount: r.desiredCount,
        controller: r.deploymentController?.type,
        taskDefinition: r.taskDefinition,
        clientToken: r.clientToken,
        extra: pick(r, SERVICE_PASS_THROUGH),
        tags: tagRecord(r.tags),
      },
      fingerprint(r),
    );
    return { service: serviceView(ctx.world.ecs, service, visibleTaskSets(ctx, service), true) };
  }),

  UpdateService: op("UpdateService", (ctx, r) => {
    const service = ctx.world.ecs.updateService(ctx.region, {
      cluster: r.cluster,
      service: r.service,
      desiredCount: r.desiredCount,
      taskDefinition: r.taskDefinition,
      extra: pick(r, ["healthCheckGracePeriodSeconds"]),
    });
    return { service: serviceView(ctx.world.ecs, service, visibleTaskSets(ctx, service), false) };
  }),

  DescribeServices: op("DescribeServices", (ctx, r) => {
    const ecs = ctx.world.ecs;
    const cluster = ecs.cluster(ctx.region, r.cluster);
    const services: Json[] = [];
    const failures: Json[] = [];
    for (const ref of r.services) {
      const found = ecs.findService(cluster, ref);
      if (found && !ctx.hidden("ecs:service", found.createdAt)) {
        services.push(serviceView(ecs, found, visibleTaskSets(ctx, found), includesTags(r.include)));
      } else {
        failures.push(
          missing(ref.startsWith("arn:") ? ref : ctx.world.arns.service(ctx.region, cluster.name, ref)),
        );
      }
    }
    return { services, failures };
  }),

  DeleteService: op("DeleteService", (ctx, r) => {
    const service = ctx.world.ecs.deleteService(ctx.region, r.cluster, r.service, r.force ?? false);
    return { service: serviceView(ctx.world.ecs, service, [...service.taskSets.values()], false) };
  }),

  ListServices: op("ListServices", (ctx, r) => {
    const ecs = ctx.world.ecs;
    const services = ecs
      .servicesOf(ecs.cluster(ctx.region, r.cluster))
      .filter((s) => s.status === "ACTIVE" && !ctx.hidden("ecs:service", s.createdAt));
    return { serviceArns: services.map((s) => s.arn) };
  }),

  CreateTaskSet: op("CreateTaskSet", (ctx, r) => {
    const ecs = ctx.world.ecs;
    const taskSet = ecs.createTaskSet(
      ctx.region,
      {
        cluster: r.cluster,
        service: r.service,
        taskDefinition: r.taskDefinition,
        externalId: r.externalId,
        clientToken: r.clientToken,
        scalePercent: r.scale?.value ?? 0,
        loadBalancers: (r.loadBalancers ?? []).map((lb) => ({
          targetGroupArn: lb.targetGroupArn,
          containerName: lb.containerName,
          containerPort: lb.containerPort,
        })),
        extra: pick(r, TASK_SET_PASS_THROUGH),
        tags: tagRecord(r.tags),
      },
      fingerprint(r),
    );
    return { taskSet: taskSetView(ecs, serviceOf(ctx, r.cluster, r.service), taskSet, true) };
  }),

  DescribeTaskSets: op("DescribeTaskSets", (ctx, r) => {
    const ecs = ctx.world.ecs;
    const service = serviceOf(ctx, r.cluster, r.service);
    if (service.controller !== "EXTERNAL") {
      throw new ApiError(
        "InvalidParameterException",
        "Amazon ECS only supports task set management on services configured to use external deployment controllers.",
      );
    }
    const visible = visibleTaskSets(ctx, service);
    const includeTags = includesTags(r.include);
    if (!r.taskSets)
      return { taskSets: visible.map((t) => taskSetView(ecs, service, t, includeTags)), failures: [] };
    const taskSets: Json[] = [];
    const failures: Json[] = [];
    for (const ref of r.taskSets) {
      const found = visible.find((t) => t.id === ref || t.arn === ref);
      if (found) taskSets.push(taskSetView(ecs, service, found, includeTags));
      else failures.push(missing(ref));
    }
    return { taskSets, failures };
  }),

  UpdateTaskSet: op("UpdateTaskSet", (ctx, r) => {
    const taskSet = ctx.world.ecs.updateTaskSet(ctx.region, r.cluster, r.service, r.taskSet, r.scale.value);
    return { taskSet: taskSetView(ctx.world.ecs, serviceOf(ctx, r.cluster, r.service), taskSet, false) };
  }),

  UpdateServicePrimaryTaskSet: op("UpdateServicePrimaryTaskSet", (ctx, r) => {
    const taskSet = ctx.world.ecs.updatePrimaryTaskSet(ctx.region, r.cluster, r.service, r.primaryTaskSet);
    return { taskSet: taskSetView(ctx.world.ecs, serviceOf(ctx, r.cluster, r.service), taskSet, false) };
  }),

  DeleteTaskSet: op("DeleteTaskSet", (ctx, r) => {
    const service = serviceOf(ctx, r.cluster, r.service);
    const taskSet = ctx.world.ecs.deleteTaskSet(
      ctx.region,
      r.cluster,
      r.service,
      r.taskSet,
      r.force ?? false,
    );
    return { taskSet: taskSetView(ctx.world.ecs, service, taskSet, false) };
  }),

  ListTasks: op("ListTasks", (ctx, r) => {
    const ecs = ctx.world.ecs;
    const cluster = ecs.cluster(ctx.region, r.cluster);
    const wantStopped = r.desiredStatus === "STOPPED";
    const tasks = [...ecs.scheduler.tasks.values()].filter(
      (t) =>
        t.clusterArn === cluster.arn &&
        (wantStopped ? t.desiredStatus === "STOPPED" : t.desiredStatus === "RUNNING") &&
        (r.serviceName === undefined || t.serviceName === r.serviceName) &&
        (r.startedBy === undefined || t.taskSetId === r.startedBy) &&
        (r.family === undefined || t.taskDefinitionArn.includes(`:task-definition/${r.family}:`)),
    );
    return { taskArns: tasks.map((t) => t.arn) };
  }),

  DescribeTasks: op("DescribeTasks", (ctx, r) => {
    const ecs = ctx.world.ecs;
    const cluster = ecs.cluster(ctx.region, r.cluster);
    const tasks: Json[] = [];
    const failures: Json[] = [];
    for (const ref of r.tasks) {
      const arn = ref.startsWith("arn:") ? ref : ctx.world.arns.task(ctx.region, cluster.name, ref);
      const found = ecs.scheduler.tasks.get(arn);
      if (found && found.clusterArn === cluster.arn)
        tasks.push(taskView(ecs, found, includesTags(r.include)));
      else failures.push(missing(arn));
    }
    return { tasks, failures };
  }),

  TagResource: op("TagResource", (ctx, r) => {
    ctx.world.ecs.tags.tag(r.resourceArn, tagRecord(r.tags));
    return {};
  }),

  UntagResource: op("UntagResource", (ctx, r) => {
    ctx.world.ecs.tags.untag(r.resourceArn, r.tagKeys);
    return {};
  }),

  ListTagsForResource: op("ListTagsForResource", (ctx, r) => ({
    tags: tagList(ctx.world.ecs.tags.of(r.resourceArn)),
  })),
};

function serviceOf(ctx: CallContext, cluster: string, service: string): ServiceRecord {
  const ecs = ctx.world.ecs;
  const found = ecs.findService(ecs.cluster(ctx.region, cluster), service);
  if (!found) throw new ApiError("ServiceNotFoundException", "Service not found.");
  return found;
}
