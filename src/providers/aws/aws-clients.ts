/**
 * Builds the AWS SDK v3 clients for one `cloudProviders` entry: region, credentials (the default chain,
 * or PipeCD's piped-style `credentialsFile` + `profile`), endpoint overrides (kanaria.yaml; otherwise the
 * SDK's own `AWS_ENDPOINT_URL_ECS` / `AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2`), and adaptive retries
 * so throttling slows Kanaria down instead of failing a stage.
 */
import { ECSClient, type ECSClientConfig } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { fromIni } from "@aws-sdk/credential-providers";
import type { EcsProviderConfig } from "../../config/types.js";

type Credentials = NonNullable<ECSClientConfig["credentials"]>;

export interface AwsClients {
  ecs: ECSClient;
  elbv2: ElasticLoadBalancingV2Client;
}

export interface AwsClientOptions {
  /** Fixed credentials (the sandbox, tests); otherwise from the provider config or the default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  maxAttempts?: number;
}

export function createAwsClients(provider: EcsProviderConfig, options: AwsClientOptions = {}): AwsClients {
  const credentials = options.credentials ?? credentialsFor(provider);
  const common = {
    region: provider.region,
    retryMode: "adaptive",
    maxAttempts: options.maxAttempts ?? 8,
    ...(credentials ? { credentials } : {}),
  };
  return {
    ecs: new ECSClient({
      ...common,
      ...(provider.endpoints.ecs ? { endpoint: provider.endpoints.ecs } : {}),
    }),
    elbv2: new ElasticLoadBalancingV2Client({
      ...common,
      ...(provider.endpoints.elbv2 ? { endpoint: provider.endpoints.elbv2 } : {}),
    }),
  };
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
