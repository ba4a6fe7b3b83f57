/**
 * Remembers the Slack deliveries taken (a command's trigger id, a click's trigger id and action ts, an
 * event's id) so that a delivery Slack retries, a click it sends twice, or a signed request someone
 * captured and sends again is acted on once. In the store, not in memory: a replay after a restart of
 * the bot must be recognised too.
 *
 * How long: a request signed at T passes the signature check while |now − T| ≤ 5 minutes, so it can
 * arrive first as early as T − 5 min and again as late as T + 5 min — ten minutes apart. Keys are kept
 * that long, and forgotten after. Time is the wall clock, the one the signature check reads (a
 * deployment's clock may be virtual in tests).
 */
import { SIGNATURE_WINDOW_SECONDS } from "./slack-request-gate.js";

/** A replayed request arrives at most this long after the first delivery (see above). */
export const DELIVERY_MEMORY_MS = 2 * SIGNATURE_WINDOW_SECONDS * 1000;

/** Where the keys are kept (the store's SlackDeliveryRepository). */
export interface DeliveryKeys {
  /** Records `key` seen at `at`: true the first time; forgets keys seen before `forgetBefore`. */
  first(key: string, at: number, forgetBefore: number): boolean;
}

export class DeliveryLog {
  constructor(
    private readonly keys: DeliveryKeys,
    private readonly now: () => number = Date.now,
  ) {}

  /** True the first time `id` is seen within the memory (and records it), false for a repeat. */
  first(id: string): boolean {
    const now = this.now();
    return this.keys.first(id, now, now - DELIVERY_MEMORY_MS);
  }
}
