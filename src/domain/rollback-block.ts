/**
 * What a blocked rollback keeps in its ROLLBACK stage's state (`rollbackBlock`): when the outage began,
 * how many attempts failed, what AWS said, when the next attempt is due and whether people were asked.
 * The engine writes it (`engine/rollback-block.ts`); the views read it to show the block and the Retry
 * now / Fixed by hand buttons. The schema is the stored shape, checked when the stage row is read
 * (`stage-state.ts`).
 */
import { z } from "zod";

/** A time in ms since the epoch. */
const instant = z.number();

export const rollbackBlockSchema = z.object({
  /** When the first failed attempt of this outage happened. */
  since: instant,
  /** Failed attempts in a row. */
  attempts: z.number().int().nonnegative(),
  error: z.string(),
  /** Whether waiting may heal it (see `KanariaError.transient`). */
  transient: z.boolean(),
  /** When the next attempt is due. */
  retryAt: instant,
  /** When people were asked by name; absent until then. */
  escalatedAt: instant.optional(),
});

export type RollbackBlock = z.output<typeof rollbackBlockSchema>;
