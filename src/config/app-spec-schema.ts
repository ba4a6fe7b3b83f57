/**
 * zod schemas for PipeCD's `ECSApp` application config (pipe-cd/pipecd `pkg/config/application.go` and
 * `application_ecs.go`). Every field PipeCD accepts is accepted, so a PipeCD app folder loads as it is;
 * those Kanaria has no use for are reported as ignored, with the reason.
 */
import { z } from "zod";
import { durationMs } from "./duration.js";
import { closedObject } from "./zod-issues.js";

export const PIPECD_API_VERSION = "pipecd.dev/v1beta1";

export const appFileSchema = closedObject({
  apiVersion: z.string(),
  kind: z.string(),
  spec: z.unknown(),
});

/** Spec fields Kanaria accepts but does not use, and why; each gets a warning when present. */
export const IGNORED_SPEC_FIELDS: Record<string, string> = {
  trigger: "Kanaria deploys when someone runs /deploy; PipeCD's Git-based triggers do not apply",
  commitMatcher: "Kanaria plans from /deploy, not from commit messages",
  postSync: "deployment chains are not supported",
  encryption: "Kanaria does not decrypt secrets in app folders",
  attachment: "Kanaria does not attach files to definitions",
  eventWatcher: "Kanaria does not watch for image events; run /deploy with the new version",
  driftDetection: "Kanaria does not detect drift",
  variantLabel: "variantLabel is a Kubernetes setting",
  quickSync: "Kanaria's quick sync (ECS_SYNC) has no options",
  envName: "envName is deprecated in PipeCD; use labels.env",
  triggerPaths: "triggerPaths is deprecated in PipeCD and Kanaria has no Git triggers",
  sealedSecrets: "sealedSecrets is deprecated in PipeCD and not supported",
};

const mentionSchema = closedObject({
  event: z.string().min(1),
  slack: z.array(z.string().min(1)).optional(),
  slackUsers: z.array(z.string().min(1)).optional(),
  slackGroups: z.array(z.string().min(1)).optional(),
  email: z.array(z.string()).optional(),
});

export const specSchema = closedObject({
  name: z.string().min(1).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  description: z.string().optional(),
  input: z.unknown().optional(),
  pipeline: z.unknown().optional(),
  planner: closedObject({
    alwaysUsePipeline: z.boolean().optional(),
    autoRollback: z.boolean().optional(),
  }).optional(),
  timeout: durationMs.optional(),
  notification: closedObject({ mentions: z.array(mentionSchema).optional() }).optional(),
  // Accepted, reported as ignored (IGNORED_SPEC_FIELDS):
  trigger: z.unknown().optional(),
  commitMatcher: z.unknown().optional(),
  postSync: z.unknown().optional(),
  encryption: z.unknown().optional(),
  attachment: z.unknown().optional(),
  eventWatcher: z.unknown().optional(),
  driftDetection: z.unknown().optional(),
  variantLabel: z.unknown().optional(),
  quickSync: z.unknown().optional(),
  envName: z.unknown().optional(),
  triggerPaths: z.unknown().optional(),
  sealedSecrets: z.unknown().optional(),
});

const targetGroupSchema = closedObject({
  targetGroupArn: z
    .string()
    .regex(
      /^arn:aws[a-z-]*:elasticloadbalancing:[^:]*:[^:]*:targetgroup\/.+/,
      "must be a target group ARN (arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>)",
    ),
  containerName: z.string().min(1),
  containerPort: z.number().int().min(1).max(65535),
  loadBalancerName: z.string().optional(),
});

/** Input fields PipeCD uses for standalone tasks, which Kanaria never runs. */
export const IGNORED_INPUT_FIELDS: Record<string, string> = {
  clusterArn: "Kanaria takes the cluster from the service definition's cluster",
  launchType:
    "PipeCD uses it for standalone tasks, which Kanaria does not run; set launchType in the service definition",
  awsvpcConfiguration: "PipeCD uses it for standalone tasks, which Kanaria does not run",
  runStandaloneTask: "Kanaria does not run standalone tasks",
};

export const inputSchema = closedObject({
  serviceDefinitionFile: z.string().min(1).optional(),
  taskDefinitionFile: z.string().min(1).optional(),
  targetGroups: closedObject({
    primary: targetGroupSchema.optional(),
    canary: targetGroupSchema.optional(),
    baseline: targetGroupSchema.optional(),
  }).optional(),
  accessType: z.enum(["ELB", "SERVICE_DISCOVERY"]).optional(),
  autoRollback: z.boolean().optional(),
  // Accepted, reported as ignored (IGNORED_INPUT_FIELDS):
  clusterArn: z.unknown().optional(),
  launchType: z.unknown().optional(),
  awsvpcConfiguration: z.unknown().optional(),
  runStandaloneTask: z.unknown().optional(),
});

/** PipeCD notification events (`NotificationEventType` without the `EVENT_` prefix), and `*`. */
export const NOTIFICATION_EVENTS = [
  "DEPLOYMENT_TRIGGERED",
  "DEPLOYMENT_PLANNED",
  "DEPLOYMENT_APPROVED",
  "DEPLOYMENT_ROLLING_BACK",
  "DEPLOYMENT_SUCCEEDED",
  "DEPLOYMENT_FAILED",
  "DEPLOYMENT_CANCELLED",
  "DEPLOYMENT_WAIT_APPROVAL",
  "DEPLOYMENT_TRIGGER_FAILED",
  "DEPLOYMENT_STARTED",
  "APPLICATION_SYNCED",
  "APPLICATION_OUT_OF_SYNC",
  "APPLICATION_HEALTHY",
  "PIPED_STARTED",
  "PIPED_STOPPED",
];
