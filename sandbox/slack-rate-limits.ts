/**
 * Slack's Web API rate limits, on the injected clock. Slack limits each method per workspace by tier
 * (Tier 2 ≈ 20/min, Tier 3 ≈ 50/min, Tier 4 ≈ 100/min, bursts tolerated), and `chat.postMessage`
 * additionally per channel (about one message per second, short bursts allowed). A call over the limit
 * gets HTTP 429 with `Retry-After` (whole seconds) and `{ok: false, error: "ratelimited"}`.
 *
 * Modelled as token buckets: `burst` calls at once, refilled at `perMinute / 60` per second. A per-channel
 * rule keeps one bucket per channel, so a busy channel never throttles another.
 */

export interface RateLimitRule {
  /** Sustained calls per minute. */
  perMinute: number;
  /** Calls allowed back to back before the sustained rate applies. */
  burst: number;
  /** One bucket per channel (the `channel` / `channel_id` argument) instead of one per workspace. */
  perChannel: boolean;
}

/** Per method; `null` switches a method's limit off. Methods not listed are not limited. */
export type RateLimitConfig = Record<string, RateLimitRule | null>;

const TIER_2: RateLimitRule = { perMinute: 20, burst: 5, perChannel: false };
const TIER_3: RateLimitRule = { perMinute: 50, burst: 10, perChannel: false };
const TIER_4: RateLimitRule = { perMinute: 100, burst: 20, perChannel: false };

/** Slack's documented tiers for the methods the sandbox serves. */
export const DEFAULT_RATE_LIMITS: Readonly<RateLimitConfig> = {
  "auth.test": TIER_4,
  "chat.postMessage": { perMinute: 60, burst: 3, perChannel: true },
  "chat.update": TIER_3,
  "chat.postEphemeral": TIER_4,
  "files.getUploadURLExternal": TIER_4,
  "files.completeUploadExternal": TIER_4,
  "views.publish": TIER_4,
  "views.open": TIER_4,
  "usergroups.users.list": TIER_2,
  "users.info": TIER_4,
};

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  atMs: number;
}

export class SlackRateLimiter {
  private readonly rules: RateLimitConfig;
  private readonly buckets = new Map<string, Bucket>();

  /** `overrides` replace the defaults method by method (`null` turns one off). */
  constructor(overrides: Partial<RateLimitConfig> = {}) {
    this.rules = { ...DEFAULT_RATE_LIMITS };
    for (const [method, rule] of Object.entries(overrides)) {
      if (rule !== undefined) this.rules[method] = rule;
    }
  }

  rule(method: string): RateLimitRule | null {
    return this.rules[method] ?? null;
  }

  /** Counts one call of `method` (in `channel`, for per-channel rules) at `nowMs`. */
  admit(method: string, channel: string | undefined, nowMs: number): RateDecision {
    const rule = this.rule(method);
    if (!rule) return { allowed: true };
    const key = rule.perChannel ? `${method}:${channel ?? ""}` : method;
    const perMs = rule.perMinute / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: rule.burst, atMs: nowMs };
    bucket.tokens = Math.min(rule.burst, bucket.tokens + Math.max(0, nowMs - bucket.atMs) * perMs);
    bucket.atMs = nowMs;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    const waitMs = (1 - bucket.tokens) / perMs;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }
}
