/**
 * The door into `@datadog/datadog-api-client`, through its public entry point only: the package root's
 * `client` and `v1` namespaces. The package has no `exports` map and documents no other entry, so its
 * `dist/` layout is private and may move in any release.
 *
 * The root loads every v1 and v2 API and model (about 2 s; `npm run bench:datadog-import` measures it),
 * so it is imported lazily, once per process, when the first Datadog provider is made (`serve` wiring,
 * the sandbox stack): the CLI's other commands never pay for it, and a provider has it loaded before
 * its first query rather than in the middle of a tick. Importing only the v1 metrics module would cost
 * a tenth of that, but only through those private paths. test/providers/datadog/client-import.test.ts
 * holds src/ to this (no static import of the package's values, no deep path).
 *
 * Each query is `v1.MetricsApi.queryMetrics` with a per-call configuration (the method's `options`):
 * the same server, keys and transport, with the query's abort signal in `httpConfig`, which is how the
 * client hands a signal to its HTTP library. So a per-query timeout aborts the request itself.
 *
 * `createConfiguration` consults `DD_SITE`, `DD_API_KEY` and `DD_APP_KEY` when an option is missing; we
 * always pass both keys and set the server explicitly, so the environment never decides (DESIGN §2:
 * only `config/` reads the environment).
 */
import type { client, v1 } from "@datadog/datadog-api-client";
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

type DatadogClientModule = typeof import("@datadog/datadog-api-client");

let loading: Promise<DatadogClientModule> | undefined;

function loadClient(): Promise<DatadogClientModule> {
  loading ??= import("@datadog/datadog-api-client");
  return loading;
}

/** Loads the client (the first time) and configures it for one account. */
export async function createMetricsApiClient(options: MetricsApiClientOptions): Promise<MetricsApiClient> {
  const { client, v1 } = await loadClient();
  const { endpoint } = options;
  const http = new FetchHttpLibrary(options.fetch, client.ResponseContext);
  const configure = (httpConfig: client.HttpConfiguration): client.Configuration => {
    const configuration = client.createConfiguration({
      authMethods: { apiKeyAuth: options.apiKey, appKeyAuth: options.applicationKey },
      httpApi: http,
      httpConfig,
      // Retries belong to the analysis stage (it owns the clock and the error budget), not the client.
      enableRetry: false,
      ...(endpoint.kind === "base-url"
        ? { baseServer: new client.BaseServerConfiguration(endpoint.url, {}) }
        : {}),
    });
    if (endpoint.kind === "site") configuration.setServerVariables({ site: endpoint.site });
    return configuration;
  };
  const api = new v1.MetricsApi(configure({}));
  return {
    queryMetrics: (from, to, query, signal) => api.queryMetrics({ from, to, query }, configure({ signal })),
  };
}
