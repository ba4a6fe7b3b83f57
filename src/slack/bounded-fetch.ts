/**
 * A `fetch` whose every request — answer and body — ends within `timeoutMs` of real time, for the
 * Slack Web API client and Bolt's `respond()` (which posts to response URLs with the client's fetch and
 * has no timeout of its own). A caller's own signal still aborts it earlier.
 *
 * Why: a Slack connection that is accepted and never answered would otherwise hold a channel's send
 * queue (and a click's answer) for as long as the socket lives.
 *
 * With a CallObserver, every request is also counted and timed (`serve`'s /metrics), per Web API method.
 */
import type { CallObserver } from "../metrics/call-observer.js";
import { observedFetch, slackOperation } from "../metrics/observed-fetch.js";

/** Long enough for a chart upload on a slow link; short enough that a hung call frees its queue. */
export const DEFAULT_SLACK_TIMEOUT_MS = 20_000;

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export function boundedFetch(
  timeoutMs: number,
  fetchFn: FetchLike = (input, init) => fetch(input, init),
  observer?: CallObserver,
): FetchLike {
  const send = observer ? observedFetch(fetchFn, "slack", slackOperation, observer) : fetchFn;
  return (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return send(input, { ...init, signal });
  };
}
