/**
 * The `analysisProviders` of kanaria.yaml as `Metrics` ports, by name: what `serve` analyses with and
 * what `check-config --online` probes. Secrets are read here, through config/ (only config/ reads them).
 */
import { readSecret } from "../config/read-secret.js";
import type {
  CloudWatchProviderConfig,
  DatadogProviderConfig,
  KanariaConfig,
  PrometheusProviderConfig,
} from "../config/types.js";
import { KanariaError } from "../domain/kanaria-error.js";
import type { Logger } from "../engine/logger.js";
import { systemClock } from "../engine/system-clock.js";
import type { CallObserver } from "../metrics/call-observer.js";
import { observedFetch, urlPath } from "../metrics/observed-fetch.js";
import type { Metrics } from "../ports.js";
import { AlbDimensionResolver } from "../providers/cloudwatch/alb-dimensions.js";
import { createCloudWatchClients } from "../providers/cloudwatch/cloudwatch-clients.js";
import { CloudWatchMetrics } from "../providers/cloudwatch/cloudwatch-metrics.js";
import { DatadogMetrics } from "../providers/datadog/datadog-metrics.js";
import { PrometheusMetrics } from "../providers/prometheus/prometheus-metrics.js";

/** `observer` counts the providers' calls for /metrics (an SDK middleware for CloudWatch, the fetch for the others). */
export async function analysisProviders(
  config: KanariaConfig,
  logger: Logger,
  observer?: CallObserver,
): Promise<Map<string, Metrics>> {
  const providers = new Map<string, Metrics>();
  for (const provider of config.analysisProviders) {
    if (provider.type === "CLOUDWATCH") providers.set(provider.name, cloudwatch(provider, observer));
    else if (provider.type === "PROMETHEUS")
      providers.set(provider.name, await prometheus(provider, logger, observer));
    else providers.set(provider.name, await datadog(provider, logger, observer));
  }
  return providers;
}

function cloudwatch(provider: CloudWatchProviderConfig, observer: CallObserver | undefined): Metrics {
  const clients = createCloudWatchClients(provider, observer ? { observer } : {});
  return new CloudWatchMetrics({
    cloudwatch: clients.cloudwatch,
    albDimensions: new AlbDimensionResolver(clients.elbv2),
    clock: systemClock,
    ...(provider.lagMs !== undefined ? { lagMs: provider.lagMs } : {}),
  });
}

async function prometheus(
  provider: PrometheusProviderConfig,
  logger: Logger,
  observer: CallObserver | undefined,
): Promise<Metrics> {
  const { basicAuth, bearerToken } = provider;
  return new PrometheusMetrics({
    address: provider.address,
    headers: provider.headers,
    ...(basicAuth
      ? {
          basicAuth: {
            username: await readSecret(basicAuth.username),
            password: await readSecret(basicAuth.password),
          },
        }
      : {}),
    ...(bearerToken ? { bearerToken: await readSecret(bearerToken) } : {}),
    ...(provider.lagMs !== undefined ? { lagMs: provider.lagMs } : {}),
    clock: systemClock,
    ...(observer
      ? { fetch: observedFetch((url: string, init) => fetch(url, init), "prometheus", urlPath, observer) }
      : {}),
    logger: logger.child({ component: "prometheus", provider: provider.name }),
  });
}

async function datadog(
  provider: DatadogProviderConfig,
  logger: Logger,
  observer: CallObserver | undefined,
): Promise<Metrics> {
  if (!provider.apiKey || !provider.applicationKey) {
    throw new KanariaError(
      "DATADOG_KEYS_MISSING",
      `analysis provider ${provider.name} needs apiKeyFile and applicationKeyFile (or apiKey/applicationKey: {env: …})`,
    );
  }
  return new DatadogMetrics({
    apiKey: await readSecret(provider.apiKey),
    applicationKey: await readSecret(provider.applicationKey),
    site: provider.site,
    ...(provider.baseUrl ? { baseUrl: provider.baseUrl } : {}),
    ...(provider.lagMs !== undefined ? { lagMs: provider.lagMs } : {}),
    clock: systemClock,
    ...(observer
      ? { fetch: observedFetch((url: string, init) => fetch(url, init), "datadog", urlPath, observer) }
      : {}),
    logger: logger.child({ component: "datadog", provider: provider.name }),
  });
}
