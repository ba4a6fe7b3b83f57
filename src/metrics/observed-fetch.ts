/**
 * Wraps a `fetch` so that every request is reported to a CallObserver: ok for an HTTP answer below
 * 400, error for any other status or when no answer came (network error, timeout, abort).
 */
import { type CallObserver, elapsedSince } from "./call-observer.js";

export function observedFetch<I, R extends { status: number }>(
  fetchFn: (input: I, init: RequestInit) => Promise<R>,
  service: string,
  operationOf: (input: I) => string,
  observer: CallObserver,
): (input: I, init: RequestInit) => Promise<R> {
  return async (input, init) => {
    const operation = operationOf(input);
    const start = performance.now();
    try {
      const response = await fetchFn(input, init);
      observer.observe(service, operation, response.status < 400 ? "ok" : "error", elapsedSince(start));
      return response;
    } catch (error) {
      observer.observe(service, operation, "error", elapsedSince(start));
      throw error;
    }
  };
}

/** The URL's path without its query string: one label value per endpoint, never per request. */
export function urlPath(input: string | URL | Request): string {
  const text = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  try {
    return new URL(text).pathname;
  } catch {
    return "unknown";
  }
}

/**
 * A Slack request's operation: the Web API method (`chat.postMessage`) for `…/api/<method>`, and
 * `response_url` for posts to a response URL, whose path carries a one-time token.
 */
export function slackOperation(input: string | URL | Request): string {
  const path = urlPath(input);
  const at = path.lastIndexOf("/api/");
  if (at >= 0) {
    const method = path.slice(at + "/api/".length);
    if (/^[A-Za-z0-9_.]+$/.test(method)) return method;
  }
  return "response_url";
}
