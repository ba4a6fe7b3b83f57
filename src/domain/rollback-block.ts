/**
 * What a blocked rollback keeps in its ROLLBACK stage's state (`rollbackBlock`): when the outage began,
 * how many attempts failed, what AWS said, when the next attempt is due and whether people were asked.
 * The engine writes it (`engine/rollback-block.ts`); the views read it to show the block and the Retry
 * now / Fixed by hand buttons.
 */

export const ROLLBACK_BLOCK_KEY = "rollbackBlock";

export interface RollbackBlock {
  /** When the first failed attempt of this outage happened. */
  since: number;
  /** Failed attempts in a row. */
  attempts: number;
  error: string;
  /** Whether waiting may heal it (see `KanariaError.transient`). */
  transient: boolean;
  /** When the next attempt is due. */
  retryAt: number;
  /** When people were asked by name; undefined until then. */
  escalatedAt: number | undefined;
}

/** The stored block, or undefined when the stage is not blocked (or the value is not a block). */
export function readRollbackBlock(state: Readonly<Record<string, unknown>>): RollbackBlock | undefined {
  const raw = state[ROLLBACK_BLOCK_KEY];
  if (typeof raw !== "object" || raw === null) return undefined;
  const b = raw as Record<string, unknown>;
  const num = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
  if (!num(b.since) || !num(b.attempts) || !num(b.retryAt)) return undefined;
  if (typeof b.error !== "string" || typeof b.transient !== "boolean") return undefined;
  return {
    since: b.since,
    attempts: b.attempts,
    error: b.error,
    transient: b.transient,
    retryAt: b.retryAt,
    escalatedAt: num(b.escalatedAt) ? b.escalatedAt : undefined,
  };
}
