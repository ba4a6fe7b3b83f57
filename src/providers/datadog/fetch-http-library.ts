/**
 * The Datadog client's transport (its public `HttpLibrary` interface, passed as `httpApi`), built on an
 * injected `fetch`. We use it instead of the client's default `IsomorphicFetchHttpLibrary` because that
 * one logs every failed request (timeouts included) to the console through its own global logger, and
 * retries with real-time `setTimeout` sleeps when asked to; Kanaria reports failures as values and lets
 * the analysis stage decide when to try again on its own clock.
 *
 * Contract: resolves with every 2xx response, with all response headers (lower-cased names), for the
 * client to deserialize. Rejects with `DatadogHttpError` (status, headers, body text) for any other
 * status, and with `DatadogNetworkError` when no response arrived (refused, reset, aborted through the
 * request's `signal`). The client's `MetricsApi.queryMetrics` passes a transport's rejection through as
 * it is. It would turn a non-2xx response into an `ApiException(code, body)`, which drops the headers,
 * and with them the `X-RateLimit-Reset` of a 429; that is why the transport classifies the status itself.
 */
import type { client } from "@datadog/datadog-api-client";
// The class the root re-exports as `client.ResponseContext` (see metrics-api-client.ts for why not the root).
import { ResponseContext } from "@datadog/datadog-api-client/dist/packages/datadog-api-client-common/index.js";

/** The part of WHATWG `fetch` the library uses; tests pass a recording fake. */
export type FetchFn = (url: string, init: RequestInit) => Promise<Response>;

/** A response whose status is not 2xx. */
export class DatadogHttpError extends Error {
  constructor(
    readonly status: number,
    /** Lower-cased names. */
    readonly headers: Readonly<Record<string, string>>,
    readonly body: string,
  ) {
    super(`HTTP ${status}`);
    this.name = "DatadogHttpError";
  }
}

/** No response: the request never reached Datadog, or its answer never came back. */
export class DatadogNetworkError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = "DatadogNetworkError";
  }
}

export class FetchHttpLibrary implements client.HttpLibrary {
  // Not named `fetch`: `createConfiguration` overwrites a library's `fetch` property with its own option.
  readonly #fetch: FetchFn;

  constructor(fetchFn: FetchFn) {
    this.#fetch = fetchFn;
  }

  async send(request: client.RequestContext): Promise<client.ResponseContext> {
    const body = request.getBody();
    const init: RequestInit = {
      method: request.getHttpMethod(),
      headers: request.getHeaders(),
    };
    if (typeof body === "string") init.body = body;
    else if (body !== undefined) throw new TypeError("FetchHttpLibrary sends string bodies only");
    // The client declares its own structural AbortSignal type; at run time it is the one we passed in.
    const signal = request.getHttpConfig().signal as AbortSignal | undefined;
    if (signal !== undefined) init.signal = signal;

    let response: Response;
    try {
      response = await this.#fetch(request.getUrl(), init);
    } catch (cause) {
      throw new DatadogNetworkError(cause);
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });
    if (response.status < 200 || response.status > 299) {
      throw new DatadogHttpError(response.status, headers, await response.text());
    }
    return new ResponseContext(response.status, headers, {
      text: () => response.text(),
      binary: async () => Buffer.from(await response.arrayBuffer()),
    });
  }
}
