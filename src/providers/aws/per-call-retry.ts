/**
 * The AWS SDK retry strategy Kanaria uses: retries belong to one call, never to the client.
 *
 * The SDK's standard and adaptive strategies share a retry quota across every call a client makes
 * (500 tokens, 5–14 per retry, refilled only by successes), and adaptive mode adds a client-wide
 * send-rate limiter. One app's failing service could drain the quota in a few dozen calls, after which
 * every other call — a rollback's ModifyListener included — failed after a single attempt. Here each call
 * gets its own token and the same `maxAttempts`, whatever other calls did.
 *
 * What is retried is the SDK's own classification (computed by its retry middleware from
 * @smithy/core's service-error-classification): THROTTLING and TRANSIENT (5xx 500/502/503/504,
 * timeouts, refused and reset connections, DNS failures); never CLIENT_ERROR nor SERVER_ERROR
 * (other 5xx), as in the SDK. Delays: capped exponential backoff with full jitter ("Exponential
 * Backoff And Jitter", AWS Architecture Blog), a larger base for throttling so a throttled account is
 * given room, and a server's Retry-After is honoured up to the cap. The SDK's middleware sleeps the
 * delay (real time: it models the network) and stops early when the call's abort signal fires.
 */
import type { ECSClientConfig } from "@aws-sdk/client-ecs";

type RetryStrategy = Extract<
  NonNullable<ECSClientConfig["retryStrategy"]>,
  { acquireInitialRetryToken: unknown }
>;
type RetryToken = Awaited<ReturnType<RetryStrategy["acquireInitialRetryToken"]>>;
type RetryErrorInfo = Parameters<RetryStrategy["refreshRetryTokenForRetry"]>[1];

export interface PerCallRetryOptions {
  /** Attempts per call, the first included (default 4). */
  maxAttempts?: number;
  /** Backoff base for transient errors (default 100 ms, the SDK's classic value). */
  baseDelayMs?: number;
  /** Backoff base for throttling (default 500 ms, the SDK's classic value). */
  throttlingBaseDelayMs?: number;
  /** No single wait is longer (default 5 s: a rollback must not sleep long between attempts). */
  maxDelayMs?: number;
  /** In [0, 1); default Math.random. Tests pass a fixed one. */
  random?: () => number;
}

export const DEFAULT_AWS_MAX_ATTEMPTS = 4;

export class PerCallRetryStrategy implements RetryStrategy {
  readonly mode = "kanaria-per-call";
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly throttlingBaseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly random: () => number;

  constructor(options: PerCallRetryOptions = {}) {
    this.maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? DEFAULT_AWS_MAX_ATTEMPTS));
    this.baseDelayMs = Math.max(0, options.baseDelayMs ?? 100);
    this.throttlingBaseDelayMs = Math.max(0, options.throttlingBaseDelayMs ?? 500);
    this.maxDelayMs = Math.max(0, options.maxDelayMs ?? 5_000);
    this.random = options.random ?? Math.random;
  }

  async acquireInitialRetryToken(): Promise<RetryToken> {
    return callToken(0, 0);
  }

  async refreshRetryTokenForRetry(token: RetryToken, info: RetryErrorInfo): Promise<RetryToken> {
    const retries = token.getRetryCount();
    const retryable = info.errorType === "THROTTLING" || info.errorType === "TRANSIENT";
    // Throwing ends the call; the SDK's middleware then rethrows the call's last error.
    if (!retryable || retries + 1 >= this.maxAttempts) throw info.error ?? new Error("no more attempts");
    const base = info.errorType === "THROTTLING" ? this.throttlingBaseDelayMs : this.baseDelayMs;
    let delay = this.random() * Math.min(this.maxDelayMs, base * 2 ** retries);
    if (info.retryAfterHint instanceof Date) {
      delay = Math.max(delay, Math.min(this.maxDelayMs, info.retryAfterHint.getTime() - Date.now()));
    }
    return callToken(retries + 1, Math.round(delay));
  }

  /** Nothing to refill: no state outlives a call. */
  recordSuccess(): void {}
}

function callToken(retryCount: number, delayMs: number): RetryToken {
  return { getRetryCount: () => retryCount, getRetryDelay: () => delayMs };
}
