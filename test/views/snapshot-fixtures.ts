/** Hand-built deployment snapshots for the view tests: a deployment, its stages, events and ticks. */
import type { AnalysisMetric, SequentialMetric, ThresholdMetric } from "../../src/domain/analysis-metric.js";
import type { StageOptionsByKind } from "../../src/domain/app-config.js";
import type { Deployment, EventType, Stage, TimelineEvent } from "../../src/domain/deployment.js";
import type { Measurement } from "../../src/domain/measurement.js";
import type { StageKind } from "../../src/domain/stage-kind.js";
import type { StageStatus } from "../../src/domain/status.js";
import type { DeploymentSnapshot } from "../../src/views/deployment-snapshot.js";
import { metricCommon, sequentialMetric as sharedSequentialMetric } from "../fixtures/metric-common.js";
import { toyAppConfig } from "../fixtures/toy-app.js";

/** 2025-05-01 14:00:00 UTC. */
export const T0 = Date.UTC(2025, 4, 1, 14, 0, 0);
export const MIN = 60_000;
export const REQUESTER = "U0REQUEST1";
export const APPROVER = "U0APPROVE1";

export function deploymentFixture(overrides: Partial<Deployment> = {}): Deployment {
  return {
    id: "web-0a1b2c3d",
    app: "web",
    version: "v1.4.2",
    previousVersion: "v1.4.1",
    requester: REQUESTER,
    reason: "fix checkout timeout",
    status: "RUNNING",
    statusReason: "deploying v1.4.2",
    rollbackCause: undefined,
    createdAt: T0,
    startedAt: T0,
    finishedAt: undefined,
    deadlineAt: T0 + 6 * 60 * MIN,
    appConfig: toyAppConfig(),
    access: { approvers: [], fourEyes: false },
    context: {},
    ...overrides,
  };
}

export function stageFixture<K extends StageKind>(
  kind: K,
  options: StageOptionsByKind[K],
  index: number,
  overrides: Partial<Stage> = {},
): Stage {
  return {
    deploymentId: "web-0a1b2c3d",
    index,
    kind,
    stageId: `stage-${index}`,
    description: "",
    visible: kind !== "ROLLBACK",
    options,
    timeoutMs: 6 * 60 * MIN,
    status: "NOT_STARTED",
    statusReason: "",
    state: {},
    attempts: 0,
    startedAt: undefined,
    finishedAt: undefined,
    ...overrides,
  } as Stage;
}

export function sequentialMetric(overrides: Partial<SequentialMetric> = {}): SequentialMetric {
  return sharedSequentialMetric("error-rate", {
    common: metricCommon("error-rate", { intervalMs: MIN, timeoutMs: 10_000 }),
    errors: "sum:errors{version:{{ .Variant.Name }}}.as_count()",
    total: "sum:requests{version:{{ .Variant.Name }}}.as_count()",
    ...overrides,
  });
}

export function thresholdMetric(overrides: Partial<ThresholdMetric> = {}): ThresholdMetric {
  return {
    strategy: "THRESHOLD",
    common: { ...sequentialMetric().common, name: "p99-latency" },
    query: "max:latency.p99{app:web}",
    expected: { max: 1.5 },
    ...overrides,
  };
}

/** The canary pipeline: rollout, 10% traffic, analysis, approval, primary rollout, 100% primary, clean. */
export function canaryStages(
  statuses: readonly StageStatus[],
  metrics: AnalysisMetric[] = [sequentialMetric()],
): Stage[] {
  const planned: Stage[] = [
    stageFixture("ECS_CANARY_ROLLOUT", { scale: 10 }, 0),
    stageFixture("ECS_TRAFFIC_ROUTING", { primary: 90, canary: 10, baseline: 0 }, 1),
    stageFixture("ANALYSIS", { durationMs: 30 * MIN, metrics, consecutiveErrorLimit: 4 }, 2),
    stageFixture("WAIT_APPROVAL", { timeoutMs: 60 * MIN, approvers: [], minApproverNum: 1 }, 3),
    stageFixture("ECS_PRIMARY_ROLLOUT", {}, 4),
    stageFixture("ECS_TRAFFIC_ROUTING", { primary: 100, canary: 0, baseline: 0 }, 5),
    stageFixture("ECS_CANARY_CLEAN", {}, 6),
    stageFixture("ROLLBACK", {}, 7, { description: "Roll back" }),
  ];
  // Stage i ran from T0 + 5i min for 5 min (the analysis for 30).
  return planned.map((stage, i) => {
    const status = statuses[i] ?? "NOT_STARTED";
    const startedAt = status === "NOT_STARTED" ? undefined : T0 + i * 5 * MIN;
    const finished =
      status === "SUCCESS" || status === "FAILURE" || status === "SKIPPED" || status === "CANCELLED";
    return {
      ...stage,
      status,
      startedAt,
      finishedAt:
        finished && startedAt !== undefined
          ? startedAt + (stage.kind === "ANALYSIS" ? 30 : 5) * MIN
          : undefined,
    };
  });
}

let nextEventId = 1;

export function eventFixture(type: EventType, overrides: Partial<TimelineEvent> = {}): TimelineEvent {
  return {
    id: nextEventId++,
    deploymentId: "web-0a1b2c3d",
    at: T0,
    type,
    stageIndex: undefined,
    actor: undefined,
    message: "",
    data: {},
    ...overrides,
  };
}

/** One SEQUENTIAL tick with the counts of its window and the cumulative figures after it. */
export function sequentialTick(at: number, data: Record<string, unknown>, verdict = "PASS"): Measurement {
  return { deploymentId: "web-0a1b2c3d", stageIndex: 2, metric: "error-rate", at, verdict, data };
}

export function snapshotFixture(parts: Partial<DeploymentSnapshot> = {}): DeploymentSnapshot {
  return {
    deployment: deploymentFixture(),
    stages: canaryStages(["SUCCESS", "SUCCESS", "RUNNING"]),
    events: [],
    measurements: [],
    ...parts,
  };
}

/** A stage waiting for approval, as the runner stores it. */
export function waitingApproval(
  stage: Stage,
  question = "Approve web v1.4.2? 0/1 approvals so far",
  approvals: Array<{ actor: string; at: number }> = [],
  minApproverNum = 1,
): Stage {
  return {
    ...stage,
    state: { ...stage.state, approval: { request: { approvers: [], minApproverNum, question }, approvals } },
  };
}
