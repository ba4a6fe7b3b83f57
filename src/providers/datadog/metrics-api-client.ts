/**
 * The narrow door into `@datadog/datadog-api-client`: only the v1 `MetricsApi` module and the common
 * configuration it needs are loaded, never the package root (which loads every v1 and v2 API and model,
 * ~2–4 s). The package has no `exports` map, so these deep paths are allowed under NodeNext; Node loads
 * the CommonJS files and its export detection finds the named exports. `npm run bench:datadog-import`
 * (bench/datadog-import-time.ts) measures both imports in fresh processes, and
 * test/providers/datadog/client-import.test.ts fails if any file under src/ imports the package root.
 *
 * We compose the request factory and response processor ourselves — exactly what
 * `MetricsApi.queryMetrics` does inside — rather than calling that facade, for two reasons: the facade
 * throws `ApiException(code, body)` on 429 and drops the response headers, so `X-RateLimit-Reset` would
 * be lost; and it has no per-call `signal`, so a per-query timeout could not abort the request.
 *
 * `createConfiguration` consults `DD_SITE`, `DD_API_KEY` and `DD_APP_KEY` when an option is missing; we
 * always pass both keys and set the server explicitly, so the environment never decides (DESIGN §2:
 * only `config/` reads the environment).
 */
import { createConfiguration } from "@datadog/datadog-api-client/dist/packages/datadog-api-client-common/configuration.js";
import type { HttpLibrary } from "@datadog/datadog-api-client/dist/packages/datadog-api-client-common/http/http.js";
import { BaseServerConfiguration } from "@datadog/datadog-api-client/dist/packages/datadog-api-client-common/servers.js";
import {
  MetricsApiRequestFactory,
  MetricsApiResponseProcessor,
} from "@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/apis/MetricsApi.js";
import type { DatadogEndpoint } from "./datadog-endpoint.js";

export interface MetricsApiClient {
  /** Builds `GET /api/v1/query?from=&to=&query=` with the auth headers and the configured server. */
  factory: MetricsApiRequestFactory;
  /** Parses and deserializes a 2xx body into `MetricsQueryResponse`; throws on anything else. */
  processor: MetricsApiResponseProcessor;
  http: HttpLibrary;
}

export interface MetricsApiClientOptions {
  endpoint: DatadogEndpoint;
  apiKey: string;
  applicationKey: string;
  http: HttpLibrary;
}

export function createMetricsApiClient(options: MetricsApiClientOptions): MetricsApiClient {
  const { endpoint } = options;
  const configuration = createConfiguration({
    authMethods: { apiKeyAuth: options.apiKey, appKeyAuth: options.applicationKey },
    httpApi: options.http,
    // Retries belong to the analysis stage (it owns the clock and the error budget), not the client.
    enableRetry: false,
    ...(endpoint.kind === "base-url" ? { baseServer: new BaseServerConfiguration(endpoint.url, {}) } : {}),
  });
  if (endpoint.kind === "site") configuration.setServerVariables({ site: endpoint.site });
  return {
    factory: new MetricsApiRequestFactory(configuration),
    processor: new MetricsApiResponseProcessor(),
    http: options.http,
  };
}
