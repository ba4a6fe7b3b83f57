/**
 * Every request the sandbox Datadog received, in arrival order, so tests can count queries (one request
 * for canary and control) and wait until a request has arrived (a hung one, to time it out).
 */

export interface DatadogRequestRecord {
  /** World time at arrival. */
  atMs: number;
  method: string;
  path: string;
  /** The `query` parameter, when present. */
  query: string | undefined;
  /** Undefined while the request is unanswered (a hung request stays so). */
  status: number | undefined;
}

export class DatadogRequestLog {
  private readonly records: DatadogRequestRecord[] = [];
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  /** Records an arrival; the caller sets `status` on the returned record when it answers. */
  arrive(record: Omit<DatadogRequestRecord, "status">): DatadogRequestRecord {
    const entry: DatadogRequestRecord = { ...record, status: undefined };
    this.records.push(entry);
    const ready = this.waiters.filter((w) => this.records.length >= w.count);
    this.waiters = this.waiters.filter((w) => this.records.length < w.count);
    for (const w of ready) w.resolve();
    return entry;
  }

  all(): readonly DatadogRequestRecord[] {
    return this.records;
  }

  /** Queries to `/api/v1/query`, in order. */
  queries(): DatadogRequestRecord[] {
    return this.records.filter((r) => r.path === "/api/v1/query");
  }

  /** Resolves once `count` requests in total have arrived. */
  waitFor(count: number): Promise<void> {
    if (this.records.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}
