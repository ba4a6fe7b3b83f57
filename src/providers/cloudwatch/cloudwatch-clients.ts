/**
 * The AWS SDK clients of one `type: CLOUDWATCH` analysis provider: CloudWatch for GetMetricData and
 * ELBv2 for the load balancer of an ALB target group (the `LoadBalancer` dimension of the ALB's own
 * counts). Same bounds as the ECS provider's clients (aws-clients.ts): a connect and a request timeout
 * on every attempt and per-call retries, so one hung connection never holds a tick for long.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { fromIni } from "@aws-sdk/credential-providers";
import type { CloudWatchProviderConfig } from "../../config/types.js";
import { observeAwsCalls } from "../../metrics/aws-call-middleware.js";
import { type AwsClientOptions, boundedRequestHandler, createAwsClients } from "../aws/aws-clients.js";
import { DEFAULT_AWS_MAX_ATTEMPTS, PerCallRetryStrategy } from "../aws/per-call-retry.js";

export interface CloudWatchClients {
  cloudwatch: CloudWatchClient;
  elbv2: ElasticLoadBalancingV2Client;
}

export function createCloudWatchClients(
  provider: CloudWatchProviderConfig,
  options: AwsClientOptions = {},
): CloudWatchClients {
  // The ELBv2 client is built exactly as for a cloud provider with the same region and credentials.
  const { elbv2 } = createAwsClients(
    {
      name: provider.name,
      type: "ECS",
      region: provider.region,
      ...(provider.credentialsFile ? { credentialsFile: provider.credentialsFile } : {}),
      ...(provider.profile ? { profile: provider.profile } : {}),
      endpoints: provider.endpoints.elbv2 ? { elbv2: provider.endpoints.elbv2 } : {},
      ...(provider.timeouts ? { timeouts: provider.timeouts } : {}),
    },
    options,
  );
  const maxAttempts = options.maxAttempts ?? options.retry?.maxAttempts ?? DEFAULT_AWS_MAX_ATTEMPTS;
  const credentials = options.credentials ?? credentialsFor(provider);
  const cloudwatch = new CloudWatchClient({
    region: provider.region,
    maxAttempts,
    retryStrategy: new PerCallRetryStrategy({ ...options.retry, maxAttempts }),
    requestHandler: boundedRequestHandler(provider.timeouts, options.timeouts),
    ...(credentials ? { credentials } : {}),
    ...(provider.endpoints.cloudwatch ? { endpoint: provider.endpoints.cloudwatch } : {}),
  });
  if (options.observer) observeAwsCalls(cloudwatch, "aws.cloudwatch", options.observer);
  return { cloudwatch, elbv2 };
}

function credentialsFor(provider: CloudWatchProviderConfig) {
  if (provider.credentialsFile) {
    return fromIni({
      filepath: provider.credentialsFile,
      ...(provider.profile ? { profile: provider.profile } : {}),
    });
  }
  if (provider.profile) return fromIni({ profile: provider.profile });
  return undefined;
}
