/**
 * The App Home tab: active deployments, the approvals the viewer may give, locks and recent history.
 * Published when a user opens the tab, and republished (coalesced) for users who opened it in the last
 * hour whenever deployments change, so an open Home does not go stale while someone waits to approve.
 */
import type { WebClient } from "@slack/web-api";
import { mayApprove } from "../domain/approval.js";
import { approvalRulesFor } from "../engine/apply-command.js";
import type { Logger } from "../engine/logger.js";
import { appHome } from "../views/app-home.js";
import { type DeploymentSnapshot, pendingApproval } from "../views/deployment-snapshot.js";
import type { ChannelSendQueue } from "./channel-send-queue.js";
import { readSnapshot, threadLink } from "./read-snapshot.js";
import type { SlackContext } from "./slack-context.js";

const VIEWER_TTL_MS = 3_600_000;
const RECENT = 15;

export class HomePublisher {
  /** user → when they last opened the Home tab. */
  private readonly viewers = new Map<string, number>();
  private readonly log: Logger;

  constructor(
    private readonly client: WebClient,
    private readonly queue: ChannelSendQueue,
    private readonly context: () => SlackContext | undefined,
    logger: Logger,
  ) {
    this.log = logger.child({ component: "app-home" });
  }

  opened(user: string): void {
    const ctx = this.context();
    if (!ctx) return;
    this.viewers.set(user, ctx.clock.now());
    this.enqueue(user);
  }

  /** Republishes for recent viewers; cheap to call often (the queue keeps one publish per user). */
  refreshSoon(): void {
    const ctx = this.context();
    if (!ctx) return;
    const now = ctx.clock.now();
    for (const [user, at] of this.viewers) {
      if (now - at > VIEWER_TTL_MS) this.viewers.delete(user);
      else this.enqueue(user);
    }
  }

  private enqueue(user: string): void {
    // Home views are per user, not per channel: each user gets a queue of their own.
    this.queue.enqueue(`home:${user}`, {
      key: `home:${user}`,
      run: async () => {
        const ctx = this.context();
        if (!ctx) return;
        await this.client.views.publish({ user_id: user, view: await homeFor(ctx, user) });
      },
      onGiveUp: (error) => this.log.warn({ err: error, user }, "App Home not published"),
    });
  }
}

export async function homeFor(ctx: SlackContext, user: string): Promise<ReturnType<typeof appHome>> {
  const url = ctx.workspaceUrl();
  const active = ctx.store.deployments
    .activeIds()
    .map((id) => readSnapshot(ctx.store, id, url))
    .filter((s): s is DeploymentSnapshot => s !== undefined);
  const pendingApprovals: DeploymentSnapshot[] = [];
  for (const snapshot of active) {
    const pending = pendingApproval(snapshot);
    if (!pending) continue;
    const rules = approvalRulesFor(snapshot.deployment, pending.stage);
    const groups = await ctx.groups.groupsOf(user, rules.approvers);
    const already = pending.approval.approvals.some((a) => a.actor === user);
    if (!already && mayApprove(rules, user, groups).ok) pendingApprovals.push(snapshot);
  }
  const recent = ctx.store.deployments.recent(RECENT);
  const threadLinks = new Map<string, string>();
  for (const d of [...recent, ...active.map((s) => s.deployment)]) {
    const link = threadLink(ctx.store, d.id, url);
    if (link) threadLinks.set(d.id, link);
  }
  return appHome({
    userId: user,
    active,
    pendingApprovals,
    locks: ctx.store.locks.list(),
    recent,
    threadLinks,
    now: ctx.clock.now(),
  });
}
