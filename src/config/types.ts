/**
 * The validated, resolved shapes that `src/config/` hands to the rest of Kanaria. Everything here has
 * passed validation: durations are milliseconds, percentages are numbers 0–100, defaults are filled in,
 * references (providers, templates) are resolved. The rest of the code trusts these types.
 */

import type { AppConfig } from "../domain/app-config.js";
import type { AppEntry } from "../domain/app-entry.js";
import type { FreezeWindow } from "../domain/freeze-window.js";
import type { MetricsSettings } from "./read-metrics-settings.js";

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

export interface CloudWatchProviderConfig {
  name: string;
  type: "CLOUDWATCH";
  region: string;
  credentialsFile?: string;
  profile?: string;
  /** The `cloudProviders` entry whose region, credentials and ELBv2 endpoint were reused, if named. */
  cloudProvider?: string;
  /** `elbv2` finds an ALB target group's load balancer (the `LoadBalancer` dimension). */
  endpoints: { cloudwatch?: string; elbv2?: string };
  timeouts?: { connectMs?: number; requestMs?: number };
  /** `lag:` — each query window ends this far before now; the provider's default when absent. */
  lagMs?: number;
}

/** `type: PROMETHEUS` (config/read-prometheus-provider.ts); secrets are files, never values. */
export interface PrometheusProviderConfig {
  name: string;
  type: "PROMETHEUS";
  /** The server's base URL, path prefix included. */
  address: string;
  basicAuth?: { username: SecretSource; password: SecretSource };
  bearerToken?: SecretSource;
  /** Sent with every query (a tenant header); never Authorization. */
  headers: Record<string, string>;
  /** `lag:` — each query window ends this far before now. Default 30 s (providers/prometheus). */
  lagMs?: number;
}

/** An `analysisProviders` entry, by `type`. */
export type AnalysisProviderConfig =
  | DatadogProviderConfig
  | CloudWatchProviderConfig
  | PrometheusProviderConfig;

export interface KanariaConfig {
  /** Absolute path of kanaria.yaml. */
  file: string;
  slack: SlackSettings;
  cloudProviders: EcsProviderConfig[];
  analysisProviders: AnalysisProviderConfig[];
  store: { path: string };
  apps: AppEntry[];
  /** In the order written; empty when kanaria.yaml has no `freezes:`. */
  freezes: FreezeWindow[];
  /** kanaria.yaml's `metrics:` section (read-metrics-settings.ts); absent when the file has none. */
  metrics?: MetricsSettings;
}

/** The outcome of loading: whatever could be loaded, plus every problem found. Never throws on bad input. */
export interface LoadResult {
  config: KanariaConfig | undefined;
  apps: Map<string, AppConfig>;
  diagnostics: Diagnostic[];
}
