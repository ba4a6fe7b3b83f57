/**
 * What the core needs from the world (DESIGN §2). The engine and the stage executors talk to AWS,
 * Datadog, Slack and time only through these interfaces; `providers/` implements them for real,
 * `test/fakes/` in memory, and `main.ts` chooses.
 *
 * Contracts common to all ports: methods reject only for exceptional failures (network, auth, AWS
 * errors) with an error that carries a stable `code`; expected outcomes (not found, no data) are values.
 */

/** Time, so that tests and benchmarks can run a 30-minute canary in virtual time. */
export interface Clock {
  /** Milliseconds since the epoch (UTC). */
  now(): number;
  /** Resolves after `ms`, or early (without rejecting) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface TaskSetInfo {
  taskSetArn: string;
  /** Kanaria writes `<deployment id>:<role>` here so a re-run finds what it created. */
  externalId: string | undefined;
  /** ECS status: PRIMARY, ACTIVE or DRAINING. */
  status: string;
  taskDefinitionArn: string;
  targetGroupArns: string[];
  /** STEADY_STATE or STABILIZING. */
  stabilityStatus: string;
  scalePercent: number;
  /** Task counts; undefined when ECS (or moto) does not report them — unknown, not zero. */
  runningCount: number | undefined;
  pendingCount: number | undefined;
  computedDesiredCount: number | undefined;
}

export interface ServiceInfo {
  serviceArn: string;
  clusterArn: string;
  serviceName: string;
  status: string;
  desiredCount: number;
  taskSets: TaskSetInfo[];
}

export interface CreateTaskSetRequest {
  cluster: string;
  service: string;
  taskDefinitionArn: string;
  targetGroup: { targetGroupArn: string; containerName: string; containerPort: number };
  scalePercent: number;
  externalId: string;
  /** Idempotency token: the same token never creates two task sets. */
  clientToken: string;
  tags: Record<string, string>;
  /** From the service definition (launch type, network configuration…), passed through. */
  extra: Record<string, unknown>;
}

/** ECS, task-set flavour (service with `deploymentController: EXTERNAL`). */
export interface Ecs {
  /** Registers a task definition; returns its ARN (`family:revision`). */
  registerTaskDefinition(definition: Record<string, unknown>): Promise<string>;
  /** Creates the service from its definition when missing, updates it otherwise. */
  ensureService(definition: Record<string, unknown>): Promise<ServiceInfo>;
  /** The service with its task sets, or undefined when it does not exist. */
  describeService(cluster: string, service: string): Promise<ServiceInfo | undefined>;
  createTaskSet(request: CreateTaskSetRequest): Promise<TaskSetInfo>;
  updatePrimaryTaskSet(cluster: string, service: string, taskSetArn: string): Promise<void>;
  /** Deleting a task set that is already gone is `"not-found"`, not an error. */
  deleteTaskSet(cluster: string, service: string, taskSetArn: string): Promise<"deleted" | "not-found">;
}

export interface WeightedTargetGroup {
  targetGroupArn: string;
  weight: number;
}

/** A forward action of a listener's default action or of a listener rule. */
export interface ForwardRule {
  listenerArn: string;
  /** Undefined for the listener's default action (ModifyListener), set for rules (ModifyRule). */
  ruleArn: string | undefined;
  targetGroups: WeightedTargetGroup[];
  /** Target-group stickiness of the forward action, kept as it is when weights change. */
  stickiness: { enabled: boolean; durationSeconds: number | undefined } | undefined;
  /**
   * The rule's whole action list as read (JSON, provider-shaped). `setWeights` replaces only the forward
   * action in it, so other actions (authentication, …) survive, and needs no read first: a rollback
   * that saved this rule moves traffic back in exactly one call.
   */
  actions: Array<Record<string, unknown>>;
}

export interface TargetHealthSummary {
  healthy: number;
  unhealthy: number;
  /** Registering, not yet healthy. */
  initial: number;
  draining: number;
  unused: number;
}

/** The Application Load Balancer: weights on forward actions and target health. */
export interface LoadBalancer {
  /** Every forward action (default actions and rules) whose target groups are exactly `targetGroupArns`. */
  findForwardRules(targetGroupArns: readonly string[]): Promise<ForwardRule[]>;
  /** Sets the weights of one forward action in one call, keeping its stickiness; returns them as read back. */
  setWeights(rule: ForwardRule, weights: readonly WeightedTargetGroup[]): Promise<WeightedTargetGroup[]>;
  describeTargetHealth(targetGroupArn: string): Promise<TargetHealthSummary>;
}

export interface MetricQuery {
  /** The `analysisProviders` entry to ask (wiring routes by it). */
  provider: string;
  /**
   * Rendered query (templates already applied). A CloudWatch query is structured: it travels here as
   * JSON in a `{"cloudwatch": …}` envelope (domain/cloudwatch-query.ts), which only the CloudWatch
   * provider opens.
   */
  query: string;
  /** Window in ms since the epoch; the provider applies lag and drops partial buckets. */
  from: number;
  to: number;
  timeoutMs: number;
}

export type MetricQueryResult =
  | { kind: "points"; points: Array<[timestampMs: number, value: number]> }
  /** The query matched nothing in the window: never a pass, never a zero. */
  | { kind: "no-data" }
  /**
   * The backend answered with impossible data (two points at one timestamp in one series, a value that
   * is not a finite number: see analysis/data-quality.ts). Never used, never a pass: a DATA_ERROR tick.
   */
  | { kind: "invalid"; reason: string }
  /** HTTP error, rate limit, timeout or an error status in the body; never decides a tick. */
  | { kind: "error"; reason: string; retryAfterMs: number | undefined };

/** A metrics backend (Datadog, CloudWatch). */
export interface Metrics {
  query(request: MetricQuery): Promise<MetricQueryResult>;
  /**
   * Each request's answer, in order, exactly as `query` would give it. A provider may answer several
   * with one request to its backend (Datadog: canary and control of one query, which differ only in a
   * tag's value, as one `… by {tag}` request), so that both variants cover the same buckets and cost
   * one request of the rate limit. Providers without batching answer each with `query`.
   */
  queryAll(requests: readonly MetricQuery[]): Promise<MetricQueryResult[]>;
  /**
   * How far back the named provider shifts every window (its `lag`: data newer than that is still
   * arriving), so that an analysis can wait until its first window holds only its own traffic.
   * Undefined when the provider is unknown or has no lag (fakes).
   */
  lagMsOf?(provider: string): number | undefined;
  /**
   * What an analysis grid on `provider` must be aligned to: Datadog's and CloudWatch's buckets are whole
   * minutes, so a window must start on one; Prometheus evaluates at any instant (whole seconds).
   * Undefined: a whole minute.
   */
  alignmentMsOf?(provider: string): number | undefined;
}

/**
 * What the engine tells the outside (Slack) about a deployment. Fire-and-forget: the engine never awaits
 * delivery, so Slack being down never slows a rollback. Implementations queue and retry on their own.
 */
export interface Notifier {
  publish(update: DeploymentUpdate): void;
  /**
   * Something about an app outside any deployment (what `serve` found and repaired at start), for the
   * app's channel. Fire-and-forget like `publish`.
   */
  notice(app: string, message: string): void;
}

export interface DeploymentUpdate {
  deploymentId: string;
  app: string;
  /** The timeline event that caused the update. */
  eventId: number;
}
