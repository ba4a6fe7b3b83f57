/**
 * Faults to inject into the sandbox Slack while it runs:
 *
 * - `rateLimitChannel(channel, …)`: a 429 storm in one channel only: every call naming that channel
 *   (`channel` / `channel_id`) is answered 429 `ratelimited` with `Retry-After: retryAfterSeconds`.
 * - `down(…)`: HTTP 503 for every request (Web API, uploads, response URLs).
 *
 * A fault lasts for the next `count` matching requests, or until the clock reaches `untilMs`, or (with
 * neither) until `clear()`. Time is the injected clock's, so a virtual clock can end a storm.
 */

export interface FaultWindow {
  /** The next `count` matching requests only. */
  count?: number;
  /** Until this time (clock ms). */
  untilMs?: number;
}

interface Rule {
  kind: "ratelimit" | "down";
  channel: string | undefined;
  retryAfterSeconds: number;
  remaining: number | undefined;
  untilMs: number | undefined;
}

export type SlackFault = { kind: "ratelimit"; retryAfterSeconds: number } | { kind: "down" };

export class SlackFaults {
  private rules: Rule[] = [];

  constructor(private readonly clock: { now(): number }) {}

  rateLimitChannel(channel: string, options: FaultWindow & { retryAfterSeconds: number }): void {
    this.rules.push({
      kind: "ratelimit",
      channel,
      retryAfterSeconds: Math.max(1, Math.ceil(options.retryAfterSeconds)),
      remaining: options.count,
      untilMs: options.untilMs,
    });
  }

  down(options: FaultWindow = {}): void {
    this.rules.push({
      kind: "down",
      channel: undefined,
      retryAfterSeconds: 0,
      remaining: options.count,
      untilMs: options.untilMs,
    });
  }

  clear(): void {
    this.rules = [];
  }

  /**
   * The fault for one request (`channel` undefined when it names none), consuming a count-limited rule.
   * `down` wins over a channel's rate limit.
   */
  take(channel: string | undefined): SlackFault | undefined {
    const now = this.clock.now();
    this.rules = this.rules.filter(
      (r) => (r.remaining === undefined || r.remaining > 0) && (r.untilMs === undefined || now < r.untilMs),
    );
    const rule =
      this.rules.find((r) => r.kind === "down") ??
      this.rules.find((r) => r.kind === "ratelimit" && channel !== undefined && r.channel === channel);
    if (!rule) return undefined;
    if (rule.remaining !== undefined) rule.remaining--;
    return rule.kind === "down"
      ? { kind: "down" }
      : { kind: "ratelimit", retryAfterSeconds: rule.retryAfterSeconds };
  }
}
