import type { Database } from "better-sqlite3";

/**
 * Slack delivery keys already taken (see src/slack/delivery-log.ts for which keys and for how long).
 * Durable, so that a captured request replayed after a restart is still recognised.
 */
export class SlackDeliveryRepository {
  constructor(private readonly db: Database) {}

  /**
   * Records `key` as seen at `at` and returns true, or returns false when it was seen already; keys
   * seen before `forgetBefore` are deleted first (in the same transaction, so one commit per call).
   */
  first(key: string, at: number, forgetBefore: number): boolean {
    return this.db
      .transaction(() => {
        this.db.prepare("DELETE FROM slack_deliveries WHERE seen_at < ?").run(forgetBefore);
        const inserted = this.db
          .prepare(
            "INSERT INTO slack_deliveries (delivery_key, seen_at) VALUES (?, ?) ON CONFLICT (delivery_key) DO NOTHING",
          )
          .run(key, at);
        return inserted.changes === 1;
      })
      .immediate();
  }

  /** How many keys are remembered (tests and diagnostics). */
  count(): number {
    return this.db.prepare("SELECT COUNT(*) FROM slack_deliveries").pluck().get() as number;
  }
}
