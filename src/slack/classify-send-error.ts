/**
 * What a failed Slack Web API call means for the send queue: wait and try again (rate limited), try
 * again later with backoff (transient), or stop now (permanent). Pure: it only reads the error.
 *
 * Errors are recognised by their `code` (and fields), not by `instanceof`, so that errors that crossed
 * a module boundary (a second copy of @slack/web-api, a test double) are classified the same way.
 */

/** `@slack/web-api` ErrorCode values the queue reads (see node_modules/@slack/web-api/dist/errors.d.ts). */
const RATE_LIMITED_CODE = "slack_webapi_rate_limited_error";
const PLATFORM_ERROR_CODE = "slack_webapi_platform_error";

/**
 * Slack platform errors (`ok: false`, the `error` string) that no retry can fix: the payload, the
 * channel or the token is wrong. Retrying them would only hold up the channel's queue.
 */
export const NON_RETRYABLE_SLACK_ERRORS: ReadonlySet<string> = new Set([
  "invalid_blocks",
  "channel_not_found",
  "not_in_channel",
  "invalid_auth",
  "msg_too_long",
  "cant_update_message",
  // Same nature as the ones above: archived channel, missing scope or revoked/absent token, bad args.
  "is_archived",
  "missing_scope",
  "not_authed",
  "account_inactive",
  "token_revoked",
  "message_not_found",
  "invalid_arguments",
]);

export type SendErrorClass =
  /** HTTP 429: pause the channel for `retryAfterMs`, then send the same job again. */
  | { kind: "rate-limited"; retryAfterMs: number }
  /** Will never succeed; `reason` is Slack's error string. */
  | { kind: "permanent"; reason: string }
  /** Network error, 5xx, unknown platform error: retry with backoff, a finite number of times. */
  | { kind: "transient"; reason: string };

/** Used when a 429 carries no usable Retry-After (Slack always sends one; this is a floor, not a guess). */
const FALLBACK_RETRY_AFTER_MS = 1_000;

export function classifySendError(error: unknown): SendErrorClass {
  const fields = typeof error === "object" && error !== null ? (error as Record<string, unknown>) : {};
  const code = typeof fields.code === "string" ? fields.code : undefined;

  if (code === RATE_LIMITED_CODE) {
    const seconds = fields.retryAfter;
    const retryAfterMs =
      typeof seconds === "number" && Number.isFinite(seconds) && seconds > 0
        ? seconds * 1_000
        : FALLBACK_RETRY_AFTER_MS;
    return { kind: "rate-limited", retryAfterMs };
  }

  if (code === PLATFORM_ERROR_CODE) {
    const data = fields.data;
    const reason =
      typeof data === "object" && data !== null && typeof (data as { error?: unknown }).error === "string"
        ? (data as { error: string }).error
        : "unknown_platform_error";
    return NON_RETRYABLE_SLACK_ERRORS.has(reason)
      ? { kind: "permanent", reason }
      : { kind: "transient", reason };
  }

  const reason = code ?? (error instanceof Error ? error.message : String(error));
  return { kind: "transient", reason };
}
