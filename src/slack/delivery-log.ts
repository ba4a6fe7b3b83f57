/**
 * Remembers the last N delivery ids (event ids, trigger ids) so that a delivery Slack retries, or a
 * click it sends twice, is handled once. In memory on purpose: Slack retries within minutes, and the
 * commands a click records are deduplicated durably in the store anyway.
 */
export class DeliveryLog {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity: number) {}

  /** True the first time `id` is seen (and records it), false for a repeat. */
  first(id: string): boolean {
    if (this.seen.has(id)) return false;
    this.seen.add(id);
    if (this.seen.size > this.capacity) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    return true;
  }
}
