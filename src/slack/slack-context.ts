/**
 * What the Slack handlers share: the engine to hand work to, the store to read from, the app entries of
 * kanaria.yaml (who may do what where), group memberships, and the clock. Handlers validate, record and
 * answer; they never call AWS or Datadog (DESIGN §2).
 */
import type { AppEntry } from "../domain/app-entry.js";
import type { FreezeWindow } from "../domain/freeze-window.js";
import type { Engine } from "../engine/engine.js";
import type { Logger } from "../engine/logger.js";
import type { Clock } from "../ports.js";
import type { Store } from "../store/store.js";
import type { Actor } from "./slack-access.js";
import type { UserGroups } from "./user-group-directory.js";

export interface SlackContext {
  engine: Engine;
  store: Store;
  entries: ReadonlyMap<string, AppEntry>;
  freezes: () => readonly FreezeWindow[];
  groups: UserGroups;
  clock: Clock;
  logger: Logger;
  /** From `auth.test`, for thread permalinks; undefined until known. */
  workspaceUrl: () => string | undefined;
}

/** The user with the groups (among `candidates`) they belong to. */
export async function actorOf(
  ctx: SlackContext,
  user: string,
  candidates: readonly string[],
): Promise<Actor> {
  return { user, groups: await ctx.groups.groupsOf(user, candidates) };
}
