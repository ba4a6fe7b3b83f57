/**
 * The metric progress an ANALYSIS executor computed on its last step, so that the next step folds only
 * the ticks stored since instead of refolding the whole analysis (a SEQUENTIAL update walks the whole
 * ratio grid, and 100 concurrent analyses refolding every step were a third of the process's garbage).
 *
 * Only a cache: the measurements table stays the truth. An entry is used only when the stored ticks are
 * exactly the ones it was folded from — same count, same last tick — which holds because ticks are
 * append-only and stored once per (metric, at); anything else (a restart, an evicted entry, ticks
 * another process stored) just refolds. The check needs only the count and the last tick's time
 * (`StoredTally`, one SQL aggregate), not the ticks themselves: reading and decoding every stored tick
 * on every step made a long analysis (a replay of a day of 1-minute ticks) quadratic. One memo per executor instance, i.e. per engine, so that the
 * deployment ids of two databases never meet in one memo.
 */
import type { MetricProgress } from "../analysis/metric-progress.js";

/** How many ticks of a metric are stored, and the time of the last one (undefined: none). */
export interface StoredTally {
  count: number;
  lastAt: number | undefined;
}

/** The tally of ticks in time order. */
export function tallyOf(ticks: ReadonlyArray<{ at: number }>): StoredTally {
  return { count: ticks.length, lastAt: ticks[ticks.length - 1]?.at };
}

interface Entry {
  ticks: number;
  progress: MetricProgress;
}

/** Entries kept: a few metrics of every analysis a process runs at once (DESIGN §10: 100). */
const DEFAULT_LIMIT = 1024;

export class ProgressMemo {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly limit: number = DEFAULT_LIMIT) {}

  /** The progress folded from exactly the stored ticks `tally` describes, if this memo holds it. */
  lookup(key: string, tally: StoredTally): MetricProgress | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.ticks !== tally.count) return undefined;
    if (entry.progress.lastAt !== tally.lastAt) return undefined;
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
