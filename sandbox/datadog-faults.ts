/**
 * The sandbox Datadog's knobs, settable while it runs: how its data arrives (ingestion lag, a partial
 * last bucket, gaps) and what goes wrong with its API (rate limiting, injected 429 / 5xx, `status:
 * "error"` in a 200, hung requests, latency).
 *
 * Count-limited faults (`times`) apply to the next `times` queries, then expire; without `times` they
 * stay until `clear()`. Injected faults are checked in the order they were added; the first that
 * applies decides. Latencies and hangs are real time even under a virtual clock: they model the
 * network, not the world.
 */

export interface DatadogDataSettings {
  /** Points newer than now − lag have not arrived (default 0). */
  lagMs: number;
  /** Report the bucket still filling up at the end of the window, with what has arrived (default true). */
  partialLastBucket: boolean;
  /** Minute starts (UTC ms) with no data at all. */
  gapMinutes: ReadonlySet<number>;
  /** Report buckets emptied by a gap as `null` instead of leaving them out (default false). */
  gapsAsNull: boolean;
}

export interface RateLimitSettings {
  /** Queries allowed per period (Datadog's default for `/api/v1/query`: 1600 per hour). */
  limit: number;
  periodSeconds: number;
}

export type DatadogFault =
  /** HTTP 429 with the rate-limit headers; `X-RateLimit-Reset` = `resetSeconds`. */
  | { kind: "rate-limit"; resetSeconds: number }
  | { kind: "server-error"; status: 500 | 502 | 503 | 504 }
  /** HTTP 200 with `status: "error"` and this message (Datadog does this for some query failures). */
  | { kind: "status-error"; message: string }
  /** The request is never answered (until the server closes): exercises client timeouts. */
  | { kind: "hang" };

export interface FaultOptions {
  /** Apply to the next `times` queries only (default: until cleared). */
  times?: number;
}

interface Rule {
  fault: DatadogFault;
  remaining: number | undefined;
}

export class DatadogFaults {
  private rules: Rule[] = [];
  private latency = 0;
  private data: DatadogDataSettings;
  private limits: RateLimitSettings;

  constructor(
    options: Partial<Omit<DatadogDataSettings, "gapMinutes">> & {
      gapMinutes?: Iterable<number>;
      rateLimit?: RateLimitSettings;
    } = {},
  ) {
    this.data = {
      lagMs: options.lagMs ?? 0,
      partialLastBucket: options.partialLastBucket ?? true,
      gapMinutes: new Set(options.gapMinutes ?? []),
      gapsAsNull: options.gapsAsNull ?? false,
    };
    this.limits = options.rateLimit ?? { limit: 1600, periodSeconds: 3600 };
  }

  dataSettings(): DatadogDataSettings {
    return this.data;
  }

  rateLimitSettings(): RateLimitSettings {
    return this.limits;
  }

  setLag(ms: number): void {
    this.data = { ...this.data, lagMs: Math.max(0, ms) };
  }

  setPartialLastBucket(on: boolean): void {
    this.data = { ...this.data, partialLastBucket: on };
  }

  /** Drops the minutes starting at these times (UTC ms, multiples of 60 000) from every metric. */
  dropMinutes(minuteStarts: Iterable<number>, options: { asNull?: boolean } = {}): void {
    this.data = {
      ...this.data,
      gapMinutes: new Set([...this.data.gapMinutes, ...minuteStarts]),
      gapsAsNull: options.asNull ?? this.data.gapsAsNull,
    };
  }

  setRateLimit(settings: RateLimitSettings): void {
    this.limits = { limit: Math.max(0, settings.limit), periodSeconds: Math.max(1, settings.periodSeconds) };
  }

  /** Real-time delay before every answer (0 turns it off). */
  setLatency(ms: number): void {
    this.latency = Math.max(0, ms);
  }

  latencyMs(): number {
    return this.latency;
  }

  rateLimited(resetSeconds: number, options: FaultOptions = {}): void {
    this.add({ kind: "rate-limit", resetSeconds }, options);
  }

  serverError(status: 500 | 502 | 503 | 504, options: FaultOptions = {}): void {
    this.add({ kind: "server-error", status }, options);
  }

  statusError(message: string, options: FaultOptions = {}): void {
    this.add({ kind: "status-error", message }, options);
  }

  hang(options: FaultOptions = {}): void {
    this.add({ kind: "hang" }, options);
  }

  /** Removes injected faults and gaps; keeps lag, partial-bucket, latency and rate-limit settings. */
  clear(): void {
    this.rules = [];
    this.data = { ...this.data, gapMinutes: new Set() };
  }

  /** The fault for the next query, if any; count-limited faults are consumed here. */
  take(): DatadogFault | undefined {
    const rule = this.rules.find((r) => r.remaining === undefined || r.remaining > 0);
    if (!rule) return undefined;
    if (rule.remaining !== undefined) rule.remaining--;
    this.rules = this.rules.filter((r) => r.remaining === undefined || r.remaining > 0);
    return rule.fault;
  }

  private add(fault: DatadogFault, options: FaultOptions): void {
    this.rules.push({ fault, remaining: options.times });
  }
}

/**
 * Datadog's fixed-window rate limit, on the world clock: at most `limit` queries per period, periods
 * aligned to the epoch. `X-RateLimit-Reset` is the number of seconds until the period ends.
 */
export class DatadogRateLimiter {
  private windowStart = Number.NEGATIVE_INFINITY;
  private used = 0;

  /** Counts one query at `nowMs`; returns the headers to send and whether the query is allowed. */
  admit(nowMs: number, settings: RateLimitSettings): { allowed: boolean; headers: Record<string, string> } {
    const periodMs = settings.periodSeconds * 1000;
    const start = Math.floor(nowMs / periodMs) * periodMs;
    if (start !== this.windowStart) {
      this.windowStart = start;
      this.used = 0;
    }
    const allowed = this.used < settings.limit;
    if (allowed) this.used++;
    const resetSeconds = Math.max(1, Math.ceil((start + periodMs - nowMs) / 1000));
    return {
      allowed,
      headers: rateLimitHeaders(settings, Math.max(0, settings.limit - this.used), resetSeconds),
    };
  }
}

export function rateLimitHeaders(
  settings: RateLimitSettings,
  remaining: number,
  resetSeconds: number,
): Record<string, string> {
  return {
    "x-ratelimit-limit": String(settings.limit),
    "x-ratelimit-period": String(settings.periodSeconds),
    "x-ratelimit-remaining": String(remaining),
    "x-ratelimit-reset": String(resetSeconds),
    "x-ratelimit-name": "query_metrics",
  };
}
