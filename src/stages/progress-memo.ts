/**
 * The metric progress an ANALYSIS executor computed on its last step, so that the next step folds only
 * the ticks stored since instead of refolding the whole analysis (a SEQUENTIAL update walks the whole
 * ratio grid, and 100 concurrent analyses refolding every step were a third of the process's garbage).
 *
 * Only a cache: the measurements table stays the truth. An entry is used only when the stored ticks are
 * exactly the ones it was folded from — same count, same last tick — which holds because ticks are
 * append-only and stored once per (metric, at); anything else (a restart, an evicted entry, ticks
 * another process stored) just refolds. One memo per executor instance, i.e. per engine, so that the
 * deployment ids of two databases never meet in one memo.
 */
import type { MetricProgress, TickRecord } from "../analysis/metric-progress.js";

interface Entry {
  ticks: number;
  progress: MetricProgress;
}

/** Entries kept: a few metrics of every analysis a process runs at once (DESIGN §10: 100). */
const DEFAULT_LIMIT = 1024;

export class ProgressMemo {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly limit: number = DEFAULT_LIMIT) {}

  /** The progress folded from exactly `ticks` (in time order), if this memo holds it. */
  lookup(key: string, ticks: readonly TickRecord[]): MetricProgress | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.ticks !== ticks.length) return undefined;
    if (entry.progress.lastAt !== ticks[ticks.length - 1]?.at) return undefined;
    return entry.progress;
  }

  /** Records the progress folded from the first `ticks` stored ticks; evicts the oldest past the limit. */
  store(key: string, ticks: number, progress: MetricProgress): void {
    this.entries.delete(key);
    this.entries.set(key, { ticks, progress });
    if (this.entries.size > this.limit) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  /** Forgets every metric of one analysis (it ended). */
  forget(prefix: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
