/**
 * The shapes of the ECS requests the sandbox serves, as the JSON 1.1 protocol carries them (camelCase
 * members, epoch-second timestamps). Objects are loose: members the sandbox does not model are accepted
 * and either passed through (see the *_PASS_THROUGH lists) or ignored, as a real service ignores
 * nothing but a fake must not refuse what the SDK legitimately sends.
 */
import { z } from "zod";

const tagsSchema = z.array(z.looseObject({ key: z.string().min(1), value: z.string().optional() }));
const scaleSchema = z.looseObject({ unit: z.literal("PERCENT").optional(), value: z.number().optional() });

/** Service fields kept as given and echoed by DescribeServices. */
export const SERVICE_PASS_THROUGH = [
  "launchType",
  "platformVersion",
  "networkConfiguration",
  "capacityProviderStrategy",
  "schedulingStrategy",
  "healthCheckGracePeriodSeconds",
  "propagateTags",
  "enableECSManagedTags",
  "enableExecuteCommand",
  "placementConstraints",
  "placementStrategy",
  "deploymentConfiguration",
  "loadBalancers",
  "serviceRegistries",
  "role",
] as const;

/** Task set fields kept as given and echoed by DescribeTaskSets. */
export const TASK_SET_PASS_THROUGH = [
  "launchType",
  "platformVersion",
  "networkConfiguration",
  "capacityProviderStrategy",
  "serviceRegistries",
] as const;

export const ecsRequests = {
  CreateCluster: z.looseObject({ clusterName: z.string().min(1).optional(), tags: tagsSchema.optional() }),
  DescribeClusters: z.looseObject({
    clusters: z.array(z.string()).optional(),
    include: z.array(z.string()).optional(),
  }),
  RegisterTaskDefinition: z.looseObject({
    family: z.string(),
    containerDefinitions: z
      .array(
        z.looseObject({
          name: z.string(),
          image: z.string(),
          portMappings: z.array(z.looseObject({ containerPort: z.number().int().optional() })).optional(),
        }),
      )
      .min(1),
    tags: tagsSchema.optional(),
  }),
  DescribeTaskDefinition: z.looseObject({
    taskDefinition: z.string(),
    include: z.array(z.string()).optional(),
  }),
  DeregisterTaskDefinition: z.looseObject({ taskDefinition: z.string() }),
  CreateService: z.looseObject({
    serviceName: z.string(),
    cluster: z.string().optional(),
    desiredCount: z.number().int().min(0).optional(),
    deploymentController: z.looseObject({ type: z.enum(["ECS", "CODE_DEPLOY", "EXTERNAL"]) }).optional(),
    taskDefinition: z.string().optional(),
    clientToken: z.string().optional(),
    tags: tagsSchema.optional(),
  }),
  UpdateService: z.looseObject({
    service: z.string(),
    cluster: z.string().optional(),
    desiredCount: z.number().int().min(0).optional(),
    taskDefinition: z.string().optional(),
    healthCheckGracePeriodSeconds: z.number().int().optional(),
  }),
  DescribeServices: z.looseObject({
    services: z.array(z.string()).min(1).max(10),
    cluster: z.string().optional(),
    include: z.array(z.string()).optional(),
  }),
  DeleteService: z.looseObject({
    service: z.string(),
    cluster: z.string().optional(),
    force: z.boolean().optional(),
  }),
  ListServices: z.looseObject({ cluster: z.string().optional() }),
  CreateTaskSet: z.looseObject({
    service: z.string(),
    cluster: z.string(),
    taskDefinition: z.string(),
    externalId: z.string().optional(),
    clientToken: z.string().optional(),
    scale: scaleSchema.optional(),
    loadBalancers: z
      .array(
        z.looseObject({
          targetGroupArn: z.string(),
          containerName: z.string(),
          containerPort: z.number().int(),
        }),
      )
      .optional(),
    tags: tagsSchema.optional(),
  }),
  DescribeTaskSets: z.looseObject({
    cluster: z.string(),
    service: z.string(),
    taskSets: z.array(z.string()).optional(),
    include: z.array(z.string()).optional(),
  }),
  UpdateTaskSet: z.looseObject({
    cluster: z.string(),
    service: z.string(),
    taskSet: z.string(),
    scale: scaleSchema.extend({ value: z.number() }),
  }),
  UpdateServicePrimaryTaskSet: z.looseObject({
    cluster: z.string(),
    service: z.string(),
    primaryTaskSet: z.string(),
  }),
  DeleteTaskSet: z.looseObject({
    cluster: z.string(),
    service: z.string(),
    taskSet: z.string(),
    force: z.boolean().optional(),
  }),
  ListTasks: z.looseObject({
    cluster: z.string().optional(),
    serviceName: z.string().optional(),
    startedBy: z.string().optional(),
    family: z.string().optional(),
    desiredStatus: z.enum(["RUNNING", "PENDING", "STOPPED"]).optional(),
  }),
  DescribeTasks: z.looseObject({
    cluster: z.string().optional(),
    tasks: z.array(z.string()).min(1).max(100),
    include: z.array(z.string()).optional(),
  }),
  TagResource: z.looseObject({ resourceArn: z.string(), tags: tagsSchema.min(1) }),
  UntagResource: z.looseObject({ resourceArn: z.string(), tagKeys: z.array(z.string()) }),
  ListTagsForResource: z.looseObject({ resourceArn: z.string() }),
};

export type EcsOperationName = keyof typeof ecsRequests;
export type EcsRequest<Name extends EcsOperationName> = z.output<(typeof ecsRequests)[Name]>;

/** `[{key, value}]` → record. */
export function tagRecord(
  tags: ReadonlyArray<{ key: string; value?: string | undefined }> | undefined,
): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((t) => [t.key, t.value ?? ""]));
}

/** The members of `input` named in `fields` that are present. */
export function pick(input: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(fields.filter((f) => input[f] !== undefined).map((f) => [f, input[f]]));
}
