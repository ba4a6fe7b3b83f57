/**
 * How long Datadog asks us to wait after a 429. Datadog sends `X-RateLimit-Reset` as the number of
 * seconds until the current rate-limit period ends (not an epoch time), alongside `X-RateLimit-Limit`,
 * `-Period` and `-Remaining`.
 */

/** Milliseconds until the rate limit resets, or undefined when the header is missing or malformed. */
export function retryAfterMs(headers: Readonly<Record<string, string>>): number | undefined {
  const raw = headers["x-ratelimit-reset"];
  if (raw === undefined || raw.trim() === "") return undefined;
  const seconds = Number(raw.trim());
  if (!Number.isFinite(seconds) || seconds < 0) return undefined;
  return Math.round(seconds * 1000);
}
