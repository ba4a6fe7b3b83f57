/**
 * The validated, resolved shapes that `src/config/` hands to the rest of Kanaria. Everything here has
 * passed validation: durations are milliseconds, percentages are numbers 0–100, defaults are filled in,
 * references (providers, templates) are resolved. The rest of the code trusts these types.
 */
import type { StageKind } from "../domain/stage-kind.js";

/** Where a problem was found, precise enough for an editor to jump to. Lines and columns are 1-based. */
export interface SourcePosition {
  file: string;
  line: number;
  col: number;
}

export interface Diagnostic extends SourcePosition {
  severity: "error" | "warning";
  /** Field path inside the file, e.g. `spec.pipeline.stages[2].with.metrics[0].provider`. */
  path: string;
  /** What was wrong and what was expected. */
  message: string;
}

/** A secret is read from a file or an environment variable, never written into kanaria.yaml itself. */
export type SecretSource = { file: string } | { env: string };

export interface SlackSettings {
  botToken?: SecretSource;
  signingSecret?: SecretSource;
  /** Present → Socket Mode; absent → HTTP receiver. */
  appToken?: SecretSource;
  /** Web API base URL override (the sandbox Slack); default Slack's own. */
  apiUrl?: string;
  /** HTTP receiver port. */
  port: number;
}

export interface EcsProviderConfig {
  name: string;
  type: "ECS";
  region: string;
  credentialsFile?: string;
  profile?: string;
  endpoints: { ecs?: string; elbv2?: string };
  /** `config.timeouts` as written (ms); what is left out takes the AWS adapter's defaults. */
  timeouts?: { connectMs?: number; requestMs?: number };
}

export interface DatadogProviderConfig {
  name: string;
  type: "DATADOG";
  apiKey?: SecretSource;
  applicationKey?: SecretSource;
  /** e.g. `datadoghq.com`, `ap1.datadoghq.com`. */
  site: string;
  /** Full base URL override, e.g. the sandbox Datadog `http://127.0.0.1:4010`. */
  baseUrl?: string;
  /** `lag:` — each query window ends this far before now, since Datadog ingests late. Default 60 s. */
  lagMs?: number;
}

/** One app as kanaria.yaml lists it: where its PipeCD config lives and who may do what. */
export interface AppEntry {
  name: string;
  /** Absolute folder holding `app.pipecd.yaml` (or the file named by `configFile`). */
  dir: string;
  /** Absolute path of the app config file. */
  configFile: string;
  /** Name of the `cloudProviders` entry to deploy with. */
  cloudProvider: string;
  /** Slack channel ids where `/deploy <app>` is accepted; empty = any channel. */
  channels: string[];
  /** Slack user ids / user group ids (`S…`) allowed to deploy; empty = anyone in an allowed channel. */
  deployers: string[];
  /** Slack user ids / user group ids allowed to approve; empty = anyone except as `fourEyes` forbids. */
  approvers: string[];
  /** The requester may not approve their own deployment. */
  fourEyes: boolean;
}

/**
 * A recurring window in which `/deploy` is refused (kanaria.yaml `freezes:`), unless one of `overriders`
 * deploys anyway, which is audited. Each time `cron` fires, a window of `durationMs` starts.
 */
export interface FreezeWindow {
  /** Unique among the freezes; one word, shown in Slack. */
  name: string;
  /** node-cron expression (5 fields, or 6 with seconds first), read in `timezone`; already validated. */
  cron: string;
  /** How long each window lasts from its start: more than 0, at most 31 days. */
  durationMs: number;
  /** IANA time zone the cron expression is read in; default `UTC`. */
  timezone: string;
  /** Names of the apps it freezes (each one listed under `apps:`); undefined = every app. */
  apps: string[] | undefined;
  /** Slack user ids / user-group ids who may deploy during the freeze; empty = nobody. */
  overriders: string[];
  /** Shown to people whose deployment is refused; "" when not given. */
  reason: string;
}

export interface KanariaConfig {
  /** Absolute path of kanaria.yaml. */
  file: string;
  slack: SlackSettings;
  cloudProviders: EcsProviderConfig[];
  analysisProviders: DatadogProviderConfig[];
  store: { path: string };
  apps: AppEntry[];
  /** In the order written; empty when kanaria.yaml has no `freezes:`. */
  freezes: FreezeWindow[];
}

export interface TargetGroupRef {
  targetGroupArn: string;
  containerName: string;
  containerPort: number;
}

/** `{{ .Variant.Name }}` etc. are rendered at run time; the strings here are still templates. */
export interface ThresholdMetric {
  strategy: "THRESHOLD";
  common: MetricCommon;
  query: string;
  expected: { min?: number; max?: number };
}

export interface PreviousMetric {
  strategy: "PREVIOUS";
  common: MetricCommon;
  query: string;
  deviation: Deviation;
}

export interface ComparisonMetric {
  strategy: "CANARY_BASELINE" | "CANARY_PRIMARY";
  common: MetricCommon;
  query: string;
  deviation: Deviation;
  /** Values for `{{ .VariantCustomArgs.x }}` per variant. */
  variantArgs: {
    primary: Record<string, string>;
    canary: Record<string, string>;
    baseline: Record<string, string>;
  };
}

export interface SequentialMetric {
  strategy: "SEQUENTIAL";
  common: MetricCommon;
  /** Query template for the error count of one variant per interval. */
  errors: string;
  /** Query template for the request count of one variant per interval. */
  total: string;
  control: "PRIMARY" | "BASELINE";
  maxRatio: number;
  alpha: number;
  deviation: "HIGH";
  earlyPass: boolean;
  variantArgs: {
    primary: Record<string, string>;
    canary: Record<string, string>;
    baseline: Record<string, string>;
  };
}

export type Deviation = "HIGH" | "LOW" | "EITHER";

export interface MetricCommon {
  /** Display name: the template metric key, or `metrics[i]`. */
  name: string;
  provider: string;
  intervalMs: number;
  /** Fail the metric when failures > failureLimit. */
  failureLimit: number;
  skipOnNoData: boolean;
  /** Per-query timeout. */
  timeoutMs: number;
  dryRun: boolean;
  /** Values for `{{ .AppCustomArgs.x }}` (template `appArgs`). */
  appArgs: Record<string, string>;
}

export type AnalysisMetric = ThresholdMetric | PreviousMetric | ComparisonMetric | SequentialMetric;

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

/** The outcome of loading: whatever could be loaded, plus every problem found. Never throws on bad input. */
export interface LoadResult {
  config: KanariaConfig | undefined;
  apps: Map<string, AppConfig>;
  diagnostics: Diagnostic[];
}
