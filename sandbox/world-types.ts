/**
 * The records the sandbox world keeps. They mirror AWS's resources closely enough that the protocol
 * views are straight mappings; times are UTC ms of the world's (possibly virtual) clock.
 */
import type { Arns } from "./arns.js";
import type { SandboxConfig } from "./sandbox-config.js";
import type { SeededRandom } from "./seeded-random.js";
import type { SimulationQueue } from "./simulation-queue.js";
import type { VersionProfile } from "./version-profiles.js";

/**
 * Request parameters kept as sent and echoed back verbatim (rule conditions, non-forward actions,
 * listener certificates), under the Query protocol's member names.
 */
export type EchoTree = Record<string, unknown>;

export type Tags = Record<string, string>;

/** What every part of the world shares. `now()` is the simulation's current time. */
export interface WorldContext {
  now(): number;
  queue: SimulationQueue;
  /** Resource ids (hex ids, task set digits, IPs): a stream of its own so traffic never shifts ids. */
  ids: SeededRandom;
  arns: Arns;
  config: SandboxConfig;
}

// ── ECS ────────────────────────────────────────────────────────────────────────────────────────────

export interface ClusterRecord {
  arn: string;
  name: string;
  region: string;
  createdAt: number;
}

export interface ContainerSpec {
  name: string;
  image: string;
  containerPorts: number[];
}

export interface TaskDefinitionRecord {
  arn: string;
  family: string;
  revision: number;
  region: string;
  status: "ACTIVE" | "INACTIVE";
  registeredAt: number;
  deregisteredAt: number | undefined;
  /** The request as sent (minus tags), echoed back by DescribeTaskDefinition. */
  body: Record<string, unknown>;
  containers: ContainerSpec[];
}

export type DeploymentControllerType = "ECS" | "CODE_DEPLOY" | "EXTERNAL";

export interface ServiceRecord {
  arn: string;
  name: string;
  clusterArn: string;
  clusterName: string;
  region: string;
  status: "ACTIVE" | "DRAINING" | "INACTIVE";
  desiredCount: number;
  controller: DeploymentControllerType;
  taskDefinitionArn: string | undefined;
  /** Fields passed through as given (launchType, networkConfiguration, platformVersion, …). */
  extra: Record<string, unknown>;
  createdAt: number;
  /** By task set id (`ecs-svc/…`), in creation order. */
  taskSets: Map<string, TaskSetRecord>;
  clientToken: string | undefined;
  fingerprint: string;
}

export interface LoadBalancerBinding {
  targetGroupArn: string;
  containerName: string;
  containerPort: number;
}

export interface TaskSetRecord {
  id: string;
  arn: string;
  serviceArn: string;
  clusterArn: string;
  region: string;
  status: "PRIMARY" | "ACTIVE" | "DRAINING";
  externalId: string | undefined;
  taskDefinitionArn: string;
  scalePercent: number;
  loadBalancers: LoadBalancerBinding[];
  extra: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
  stability: "STEADY_STATE" | "STABILIZING";
  stabilityAt: number;
  clientToken: string | undefined;
  fingerprint: string;
  /** Task ARNs, including stopped ones still retained. */
  tasks: Set<string>;
}

export type TaskStatus = "PROVISIONING" | "PENDING" | "RUNNING" | "DEACTIVATING" | "STOPPED";

export interface TaskRecord {
  arn: string;
  clusterArn: string;
  region: string;
  serviceName: string;
  taskSetId: string;
  taskDefinitionArn: string;
  version: string;
  profile: VersionProfile;
  lastStatus: TaskStatus;
  desiredStatus: "RUNNING" | "STOPPED";
  createdAt: number;
  startedAt: number | undefined;
  stoppingAt: number | undefined;
  stoppedAt: number | undefined;
  stoppedReason: string | undefined;
  ip: string;
  availabilityZone: string;
  containers: Array<{ name: string; image: string }>;
  launchType: string | undefined;
  /** Target groups the task is (or was) registered in, with its port there. */
  targets: Array<{ targetGroupArn: string; port: number }>;
}

// ── ELBv2 ──────────────────────────────────────────────────────────────────────────────────────────

export interface LoadBalancerRecord {
  arn: string;
  id: string;
  name: string;
  region: string;
  dnsName: string;
  scheme: string;
  type: string;
  vpcId: string;
  ipAddressType: string;
  subnets: string[];
  securityGroups: string[];
  createdAt: number;
}

export type TargetState = "initial" | "healthy" | "unhealthy" | "draining";

export interface TargetRecord {
  id: string;
  port: number;
  availabilityZone: string;
  state: TargetState;
  /** Set for targets a task registered; manual targets use the default profile. */
  taskArn: string | undefined;
  version: string;
  profile: VersionProfile;
  registeredAt: number;
}

export interface TargetGroupRecord {
  arn: string;
  id: string;
  name: string;
  region: string;
  protocol: string;
  port: number;
  vpcId: string;
  targetType: string;
  protocolVersion: string;
  healthCheck: {
    protocol: string;
    port: string;
    path: string;
    enabled: boolean;
    intervalSeconds: number;
    timeoutSeconds: number;
    healthyThresholdCount: number;
    unhealthyThresholdCount: number;
    matcher: string;
  };
  createdAt: number;
  /** By `<id>:<port>`. */
  targets: Map<string, TargetRecord>;
}

export interface ForwardActionRecord {
  type: "forward";
  order: number | undefined;
  targetGroups: Array<{ targetGroupArn: string; weight: number }>;
  stickiness: { enabled: boolean; durationSeconds: number | undefined };
}

/** Any other action (redirect, fixed-response, authenticate-*): kept as sent and echoed back. */
export interface OtherActionRecord {
  type: "other";
  actionType: string;
  order: number | undefined;
  raw: EchoTree;
}

export type ActionRecord = ForwardActionRecord | OtherActionRecord;

export interface ListenerRecord {
  arn: string;
  id: string;
  loadBalancerArn: string;
  region: string;
  port: number;
  protocol: string;
  /** Optional fields kept as sent (SslPolicy, Certificates, AlpnPolicy). */
  extra: EchoTree;
  defaultActions: ActionRecord[];
  defaultRuleArn: string;
  createdAt: number;
}

export interface RuleRecord {
  arn: string;
  listenerArn: string;
  priority: number;
  conditions: EchoTree[];
  actions: ActionRecord[];
  createdAt: number;
}
