/**
 * Builds the AWS SDK v3 clients for one `cloudProviders` entry: region, credentials (the default chain,
 * or PipeCD's piped-style `credentialsFile` + `profile`), endpoint overrides (kanaria.yaml; otherwise the
 * SDK's own `AWS_ENDPOINT_URL_ECS` / `AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2`), bounded attempts and
 * per-call retries.
 *
 * Every attempt is bounded (DESIGN §4): the SDK's NodeHttpHandler gets a connect timeout and a request
 * timeout (whole request and response; `throwOnRequestTimeout` makes it an error instead of the SDK's
 * default warning). Without them a half-open connection — AWS accepting and never answering — held a
 * DescribeServices for minutes. Defaults: connect 3 s (a regional endpoint's TCP + TLS handshake takes
 * tens of ms; 3 s survives one lost SYN, retransmitted after 1 s), request 10 s (Kanaria's calls are
 * Describe*, Modify* and Create* on single resources, answered in well under 2 s; at 10 s a dead
 * connection costs a rollback at most 10 s per attempt once AWS is back, within DESIGN §10's 60 s).
 * `cloudProviders[].config.timeouts` overrides them. Retries: per-call-retry.ts.
 */
import { ECSClient, type ECSClientConfig } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { fromIni } from "@aws-sdk/credential-providers";
import type { EcsProviderConfig } from "../../config/types.js";
import { observeAwsCalls } from "../../metrics/aws-call-middleware.js";
import type { CallObserver } from "../../metrics/call-observer.js";
import {
  DEFAULT_AWS_MAX_ATTEMPTS,
  type PerCallRetryOptions,
  PerCallRetryStrategy,
} from "./per-call-retry.js";

export const DEFAULT_AWS_TIMEOUTS = { connectMs: 3_000, requestMs: 10_000 } as const;

type Credentials = NonNullable<ECSClientConfig["credentials"]>;

export interface AwsClients {
  ecs: ECSClient;
  elbv2: ElasticLoadBalancingV2Client;
}

export interface AwsClientOptions {
  /** Fixed credentials (the sandbox, tests); otherwise from the provider config or the default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Attempts per call (default 4); shorthand for `retry.maxAttempts`. */
  maxAttempts?: number;
  /** Backoff settings (tests use 0 ms delays); see per-call-retry.ts. */
  retry?: PerCallRetryOptions;
  /** Override the provider's (or the default) timeouts, in ms (tests use short ones). */
  timeouts?: { connectMs?: number; requestMs?: number };
  /** Counts and times every call (`serve`'s /metrics). */
  observer?: CallObserver;
}

/**
 * Each attempt's bounds: the caller's override, else the provider's `config.timeouts`, else the defaults.
 * A half-open connection becomes a TimeoutError (retried), never a stall.
 */
export function boundedRequestHandler(
  configured: { connectMs?: number; requestMs?: number } | undefined,
  override: { connectMs?: number; requestMs?: number } | undefined,
) {
  return {
    connectionTimeout: override?.connectMs ?? configured?.connectMs ?? DEFAULT_AWS_TIMEOUTS.connectMs,
    requestTimeout: override?.requestMs ?? configured?.requestMs ?? DEFAULT_AWS_TIMEOUTS.requestMs,
    throwOnRequestTimeout: true,
  };
}

export function createAwsClients(provider: EcsProviderConfig, options: AwsClientOptions = {}): AwsClients {
  const credentials = options.credentials ?? credentialsFor(provider);
  const maxAttempts = options.maxAttempts ?? options.retry?.maxAttempts ?? DEFAULT_AWS_MAX_ATTEMPTS;
  const retry = { ...options.retry, maxAttempts };
  const common = {
    region: provider.region,
    // Only the `amz-sdk-request` header reads it; the retry strategy decides.
    maxAttempts,
    requestHandler: boundedRequestHandler(provider.timeouts, options.timeouts),
    ...(credentials ? { credentials } : {}),
  };
  const clients = {
    // One strategy per client is enough: it keeps no state between calls.
    ecs: new ECSClient({
      ...common,
      retryStrategy: new PerCallRetryStrategy(retry),
      ...(provider.endpoints.ecs ? { endpoint: provider.endpoints.ecs } : {}),
    }),
    elbv2: new ElasticLoadBalancingV2Client({
      ...common,
      retryStrategy: new PerCallRetryStrategy(retry),
      ...(provider.endpoints.elbv2 ? { endpoint: provider.endpoints.elbv2 } : {}),
    }),
  };
  if (options.observer) {
    observeAwsCalls(clients.ecs, "aws.ecs", options.observer);
    observeAwsCalls(clients.elbv2, "aws.elbv2", options.observer);
  }
  return clients;
}

/** Undefined = the SDK's default chain (env, shared config, SSO, container/instance roles). */
function credentialsFor(provider: EcsProviderConfig): Credentials | undefined {
  if (provider.credentialsFile) {
    return fromIni({
      filepath: provider.credentialsFile,
      ...(provider.profile ? { profile: provider.profile } : {}),
    });
  }
  if (provider.profile) return fromIni({ profile: provider.profile });
  return undefined;
}
