/**
 * One app's PipeCD config, validated and resolved by `src/config/`: its ECS inputs and target groups, its
 * pipeline of stages with typed options, and who is mentioned when. Durations are ms, percentages 0–100.
 */
import type { AnalysisMetric } from "./analysis-metric.js";
import type { StageKind } from "./stage-kind.js";

export interface TargetGroupRef {
  targetGroupArn: string;
  containerName: string;
  containerPort: number;
}

export interface StageOptionsByKind {
  ECS_SYNC: Record<string, never>;
  ECS_CANARY_ROLLOUT: { scale: number };
  ECS_BASELINE_ROLLOUT: { scale: number };
  /** Normalised: the three always sum to 100. */
  ECS_TRAFFIC_ROUTING: { primary: number; canary: number; baseline: number };
  ECS_PRIMARY_ROLLOUT: Record<string, never>;
  ECS_CANARY_CLEAN: Record<string, never>;
  ECS_BASELINE_CLEAN: Record<string, never>;
  ANALYSIS: {
    durationMs: number;
    metrics: AnalysisMetric[];
    consecutiveErrorLimit: number;
    /**
     * NO_DATA ticks in a row that pause the analysis, and the largest share (percent) of ticks without
     * usable data (analysis-decision.ts). The config always sets both; a stage stored by a release
     * before them has neither, and the stage reads the defaults then.
     */
    noDataLimit?: number;
    noDataShare?: number;
  };
  WAIT: { durationMs: number };
  WAIT_APPROVAL: { timeoutMs: number; approvers: string[]; minApproverNum: number };
  ROLLBACK: Record<string, never>;
}

export type StageOptions<K extends StageKind = StageKind> = StageOptionsByKind[K];

/** One configured pipeline stage, discriminated on `kind`. */
export type StageConfig = {
  [K in StageKind]: {
    kind: K;
    /** PipeCD `id`, or generated `stage-<index>`. */
    id: string;
    /** PipeCD `desc`, shown in Slack. */
    description: string;
    /** Per-stage timeout (PipeCD `timeout`); default 6h. */
    timeoutMs: number;
    options: StageOptionsByKind[K];
  };
}[StageKind];

export interface NotificationMention {
  /** PipeCD event name (`DEPLOYMENT_WAIT_APPROVAL`, …) or `*`. */
  event: string;
  slack: string[];
}

export interface AppConfig {
  name: string;
  /** Absolute path of app.pipecd.yaml. */
  file: string;
  labels: Record<string, string>;
  description: string;
  input: {
    serviceDefinitionFile: string;
    taskDefinitionFile: string;
    targetGroups: { primary?: TargetGroupRef; canary?: TargetGroupRef; baseline?: TargetGroupRef };
    /** `ELB` (weights on the ALB) or `SERVICE_DISCOVERY`; only ELB is supported for canary stages. */
    accessType: "ELB" | "SERVICE_DISCOVERY";
  };
  /** Normalised ECS API shapes (camelCase keys, nulls and empty strings dropped, cpu/memory as strings). */
  serviceDefinition: Record<string, unknown>;
  taskDefinition: Record<string, unknown>;
  /** Undefined when the app has no pipeline (quick sync only). */
  pipeline: StageConfig[] | undefined;
  autoRollback: boolean;
  /** Deployment-level timeout (`spec.timeout`), default 6h. */
  timeoutMs: number;
  mentions: NotificationMention[];
}
