/**
 * The door into `@datadog/datadog-api-client`. Kanaria calls the client's public API: `v1.MetricsApi`
 * and its `queryMetrics`, configured through the public `client` namespace (`createConfiguration`,
 * `BaseServerConfiguration`, the `HttpLibrary` interface). It loads those two public names from the
 * modules that define them rather than from the package root, and that is the one thing it does off the
 * public entry point, because the root cannot meet two needs (`npm run bench:datadog-import`):
 *
 * - memory: the root loads every v1 and v2 API and model, about 140 MB of RSS that stays for the life of
 *   the process, against 30 MB for these two modules; `serve` must hold 100 deployments under 300 MB
 *   (DESIGN §10) and measured ~258 MB with the two modules;
 * - start-up: about 2 s to import, against a tenth of that.
 *
 * The package has no `exports` map, so Node allows these paths. What they export is the very objects
 * the root re-exports as `client` and `v1.MetricsApi`: test/providers/datadog/client-import.test.ts
 * checks that identity (so a release that moves them fails a test, not a deployment) and that src/
 * imports nothing else of the package. Types come from the root (type-only imports load nothing).
 *
 * Each query is `MetricsApi.queryMetrics` with a per-call configuration (the method's `options`): the
 * same server, keys and transport, with the query's abort signal in `httpConfig`, which is how the
 * client hands a signal to its HTTP library. So a per-query timeout aborts the request itself.
 *
 * `createConfiguration` consults `DD_SITE`, `DD_API_KEY` and `DD_APP_KEY` when an option is missing; we
 * always pass both keys and set the server explicitly, so the environment never decides (DESIGN §2:
 * only `config/` reads the environment).
 */
import type { client, v1 } from "@datadog/datadog-api-client";
import {
  BaseServerConfiguration,
  createConfiguration,
} from "@datadog/datadog-api-client/dist/packages/datadog-api-client-common/index.js";
import { MetricsApi } from "@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/apis/MetricsApi.js";
import type { DatadogEndpoint } from "./datadog-endpoint.js";
import { type FetchFn, FetchHttpLibrary } from "./fetch-http-library.js";

export interface MetricsApiClient {
  /**
   * `GET /api/v1/query?from=&to=&query=` (seconds since the epoch). Rejects as the transport does
   * (fetch-http-library.ts), or with the client's own error for a 2xx body it cannot deserialize.
   */
  queryMetrics(
    fromSeconds: number,
    toSeconds: number,
    query: string,
    signal: AbortSignal,
  ): Promise<v1.MetricsQueryResponse>;
}

export interface MetricsApiClientOptions {
  endpoint: DatadogEndpoint;
  apiKey: string;
  applicationKey: string;
  fetch: FetchFn;
}

export function createMetricsApiClient(options: MetricsApiClientOptions): MetricsApiClient {
  const { endpoint } = options;
  const http = new FetchHttpLibrary(options.fetch);
  const configure = (httpConfig: client.HttpConfiguration): client.Configuration => {
    const configuration = createConfiguration({
      authMethods: { apiKeyAuth: options.apiKey, appKeyAuth: options.applicationKey },
      httpApi: http,
      httpConfig,
      // Retries belong to the analysis stage (it owns the clock and the error budget), not the client.
      enableRetry: false,
      ...(endpoint.kind === "base-url" ? { baseServer: new BaseServerConfiguration(endpoint.url, {}) } : {}),
    });
    if (endpoint.kind === "site") configuration.setServerVariables({ site: endpoint.site });
    return configuration;
  };
  const api = new MetricsApi(configure({}));
  return {
    queryMetrics: (from, to, query, signal) => api.queryMetrics({ from, to, query }, configure({ signal })),
  };
}
