/**
 * The Datadog client's transport hook (`HttpLibrary`, passed as `httpApi`), built on an injected
 * `fetch`. We use it instead of the client's default `IsomorphicFetchHttpLibrary` because that one
 * logs every failed request (timeouts included) to the console through its own global logger, and
 * retries with real-time `setTimeout` sleeps when asked to; Kanaria reports failures as values and
 * lets the analysis stage decide when to try again on its own clock.
 *
 * Contract: resolves with every HTTP response, whatever its status, with all response headers
 * (lower-cased names); rejects only when no response arrived (network error, abort via the request's
 * `signal`).
 */

import type { HttpLibrary } from "@datadog/datadog-api-client/dist/packages/datadog-api-client-common/http/http.js";
import {
  type RequestContext,
  ResponseContext,
} from "@datadog/datadog-api-client/dist/packages/datadog-api-client-common/http/http.js";

/** The part of WHATWG `fetch` the library uses; tests pass a recording fake. */
export type FetchFn = (url: string, init: RequestInit) => Promise<Response>;

export class FetchHttpLibrary implements HttpLibrary {
  // Not named `fetch`: `createConfiguration` overwrites a library's `fetch` property with its own option.
  readonly #fetch: FetchFn;

  constructor(fetchFn: FetchFn) {
    this.#fetch = fetchFn;
  }

  async send(request: RequestContext): Promise<ResponseContext> {
    const body = request.getBody();
    const init: RequestInit = {
      method: request.getHttpMethod(),
      headers: request.getHeaders(),
    };
    if (typeof body === "string") init.body = body;
    else if (body !== undefined) throw new TypeError("FetchHttpLibrary sends string bodies only");
    // The client declares its own structural AbortSignal type; at run time it is the one we set.
    const signal = request.getHttpConfig().signal as AbortSignal | undefined;
    if (signal !== undefined) init.signal = signal;

    const response = await this.#fetch(request.getUrl(), init);
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });
    return new ResponseContext(response.status, headers, {
      text: () => response.text(),
      binary: async () => Buffer.from(await response.arrayBuffer()),
    });
  }
}
