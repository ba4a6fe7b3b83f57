/**
 * `/deploy status [app]` and the mention "what is running in web": per app the live version, the
 * deployment under way and the lock, drawn from the store.
 */
import type { MessagePayload } from "../views/block-kit.js";
import type { DeploymentSnapshot } from "../views/deployment-snapshot.js";
import { statusSummary } from "../views/history-list.js";
import { readSnapshot } from "./read-snapshot.js";
import type { SlackContext } from "./slack-context.js";

/** How many recent deployments per app the summary looks at (the live version is among them). */
const RECENT_PER_APP = 10;

export function statusReply(ctx: SlackContext, app: string | undefined): MessagePayload {
  const apps = app === undefined ? [...ctx.entries.keys()].sort() : [app];
  const snapshots: DeploymentSnapshot[] = [];
  for (const name of apps) {
    for (const d of ctx.store.deployments.history(name, RECENT_PER_APP)) {
      const snapshot = readSnapshot(ctx.store, d.id, ctx.workspaceUrl());
      if (snapshot) snapshots.push(snapshot);
    }
  }
  const locks = ctx.store.locks.list().filter((l) => apps.includes(l.app));
  return statusSummary(snapshots, locks, ctx.clock.now());
}
