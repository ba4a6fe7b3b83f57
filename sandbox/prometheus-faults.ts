/**
 * The sandbox Prometheus's knobs, settable while it runs: how its data arrives (ingestion lag, minutes
 * nobody could scrape) and what goes wrong with its API, as a real Prometheus (or the proxy in front of
 * one) fails:
 *
 * - `error`: an error envelope with the status Prometheus uses for it — `timeout` (503: the query
 *   outlived `--query.timeout`), `unavailable` (503: the TSDB is not ready), `execution` (422), `internal`
 *   (500);
 * - `bad-gateway`: a proxy's 502 with an HTML page instead of JSON;
 * - `hang`: the request is read and never answered while the fault lasts (the client's timeout fires);
 * - `reset`: the connection is reset before any answer.
 *
 * A fault applies for the next `times` queries (count-limited), or over a stretch of world time
 * (`from` inclusive, `until` exclusive: an outage window as in fault-windows.ts). The first that applies
 * decides. Latency is real time even under a virtual clock: it models the network.
 */

export type PrometheusFault =
  | { kind: "error"; errorType: "timeout" | "unavailable" | "execution" | "internal"; message: string }
  | { kind: "bad-gateway" }
  | { kind: "hang" }
  | { kind: "reset" };

/** The HTTP status Prometheus answers each error type with. */
export const ERROR_STATUS: Record<Extract<PrometheusFault, { kind: "error" }>["errorType"], number> = {
  timeout: 503,
  unavailable: 503,
  execution: 422,
  internal: 500,
};

interface Rule {
  fault: PrometheusFault;
  remaining: number | undefined;
  from: number;
  until: number;
}

export interface PrometheusDataSettings {
  /** Samples newer than now − lag have not been ingested (default 0). */
  lagMs: number;
  /** Minute starts (UTC ms) without any sample: a failed scrape, a restart. */
  gapMinutes: ReadonlySet<number>;
}

export class PrometheusFaults {
  private rules: Rule[] = [];
  private data: PrometheusDataSettings;
  private latency = 0;

  constructor(options: { lagMs?: number; gapMinutes?: Iterable<number> } = {}) {
    this.data = { lagMs: options.lagMs ?? 0, gapMinutes: new Set(options.gapMinutes ?? []) };
  }

  dataSettings(): PrometheusDataSettings {
    return this.data;
  }

  setLag(ms: number): void {
    this.data = { ...this.data, lagMs: Math.max(0, ms) };
  }

  addGap(minuteStartMs: number): void {
    this.data = { ...this.data, gapMinutes: new Set([...this.data.gapMinutes, minuteStartMs]) };
  }

  setLatency(ms: number): void {
    this.latency = Math.max(0, ms);
  }

  latencyMs(): number {
    return this.latency;
  }

  /** For the next `times` queries (default: until cleared). */
  inject(fault: PrometheusFault, options: { times?: number } = {}): void {
    this.rules.push({
      fault,
      remaining: options.times,
      from: Number.NEGATIVE_INFINITY,
      until: Number.POSITIVE_INFINITY,
    });
  }

  /** Over world time `[from, until)`; returns a function that removes it. */
  window(fault: PrometheusFault, from: number, until: number): () => void {
    if (!(until > from))
      throw new Error(`a fault window must end after it starts (from ${from}, until ${until})`);
    const rule: Rule = { fault, remaining: undefined, from, until };
    this.rules.push(rule);
    return () => {
      this.rules = this.rules.filter((r) => r !== rule);
    };
  }

  /** The fault that decides a query arriving at world time `now`, if any (a count-limited one is used up). */
  take(now: number): PrometheusFault | undefined {
    const rule = this.rules.find((r) => r.from <= now && now < r.until);
    if (!rule) return undefined;
    if (rule.remaining !== undefined) {
      rule.remaining--;
      if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
    }
    return rule.fault;
  }

  clear(): void {
    this.rules = [];
    this.latency = 0;
  }
}
