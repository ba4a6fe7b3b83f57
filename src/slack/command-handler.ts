/**
 * `/deploy …`: parse, check who may do it where, hand it to the engine (or the lock table), and say what
 * happened in an ephemeral reply. Every refusal names what was wrong (DESIGN §6); nothing is recorded for
 * a refused command. Bolt has already acked the command by the time this runs.
 */
import type { AppEntry } from "../domain/app-entry.js";
import { unknownApp } from "../domain/refusal.js";
import { commandMistakeText } from "../views/command-mistake.js";
import * as replies from "../views/command-replies.js";
import { historyList } from "../views/history-list.js";
import { refusalReply } from "../views/refusal-replies.js";
import { parseDeployCommand } from "./deploy-command.js";
import { threadLink } from "./read-snapshot.js";
import { checkChannel, checkDeployer, checkMayStop, groupsMentioned } from "./slack-access.js";
import { actorOf, type SlackContext } from "./slack-context.js";
import { statusReply } from "./status-reply.js";

export interface SlashCommand {
  text: string;
  user: string;
  channel: string;
  /** Unique per invocation; a redelivered command carries the same one. */
  triggerId: string;
}

export async function handleDeployCommand(
  ctx: SlackContext,
  command: SlashCommand,
): Promise<replies.EphemeralReply> {
  const parsed = parseDeployCommand(command.text);
  const now = ctx.clock.now();
  switch (parsed.kind) {
    case "help":
      return replies.help();
    case "invalid":
      return replies.invalidCommand(commandMistakeText(parsed.mistake), parsed.usage);
    case "status": {
      if (parsed.app !== undefined && !ctx.entries.has(parsed.app)) return unknownAppReply(ctx, parsed.app);
      return statusReply(ctx, parsed.app);
    }
    case "history": {
      if (!ctx.entries.has(parsed.app)) return unknownAppReply(ctx, parsed.app);
      const deployments = ctx.store.deployments.history(parsed.app, 20);
      const links = new Map<string, string>();
      for (const d of deployments) {
        const url = threadLink(ctx.store, d.id, ctx.workspaceUrl());
        if (url) links.set(d.id, url);
      }
      return historyList(parsed.app, deployments, links, now);
    }
    case "lock":
    case "unlock": {
      const entry = ctx.entries.get(parsed.app);
      if (!entry) return unknownAppReply(ctx, parsed.app);
      const actor = await actorOf(ctx, command.user, groupsMentioned(entry));
      const allowed = mayManage(entry, actor.user, actor.groups);
      if (!allowed) return replies.notADeployer(entry.name, [...entry.deployers, ...entry.approvers]);
      if (parsed.kind === "unlock") {
        const previous = ctx.store.locks.unlock(entry.name);
        if (!previous) return replies.notLocked(entry.name);
        ctx.logger.info({ app: entry.name, actor: command.user }, "app unlocked");
        return replies.unlocked(previous, command.user);
      }
      const { lock, created } = ctx.store.locks.lock({
        app: entry.name,
        owner: command.user,
        reason: parsed.reason,
        createdAt: now,
      });
      if (!created) return replies.alreadyLocked(lock, now);
      ctx.logger.info({ app: entry.name, actor: command.user }, "app locked");
      return replies.locked(lock);
    }
    case "rollback":
    case "cancel":
    case "retry":
    case "fixed": {
      const entry = ctx.entries.get(parsed.app);
      if (!entry) return unknownAppReply(ctx, parsed.app);
      const active = ctx.store.deployments.activeForApp(entry.name);
      if (!active) return replies.noActiveDeployment(entry.name, STOP_ACTIONS[parsed.kind].action);
      const actor = await actorOf(ctx, command.user, groupsMentioned(entry));
      const allowed = checkMayStop(entry, active, actor);
      if (!allowed.ok) return replies.notAllowed(allowed.problem);
      const submitted = ctx.engine.submitCommand({
        deploymentId: active.id,
        kind: STOP_ACTIONS[parsed.kind].kind,
        actor: command.user,
        actorGroups: actor.groups,
        dedupeKey: `slack:${command.triggerId}`,
      });
      if (!submitted.ok) return refusalReply(submitted.refusal, { now });
      return replies.commandAccepted(parsed.kind, active);
    }
    case "deploy":
      return deploy(ctx, command, parsed);
  }
}

/**
 * The subcommands that act on the running deployment, as engine commands. Each only ever reduces risk
 * (roll back, stop, retry a rollback, end a rollback someone did by hand), so `checkMayStop` decides who.
 */
const STOP_ACTIONS = {
  rollback: { kind: "ROLLBACK", action: "roll back" },
  cancel: { kind: "CANCEL", action: "cancel" },
  retry: { kind: "RETRY_ROLLBACK", action: "retry" },
  fixed: { kind: "MARK_FIXED", action: "mark fixed" },
} as const;

async function deploy(
  ctx: SlackContext,
  command: SlashCommand,
  parsed: Extract<ReturnType<typeof parseDeployCommand>, { kind: "deploy" }>,
): Promise<replies.EphemeralReply> {
  const entry = ctx.entries.get(parsed.app);
  if (!entry) return unknownAppReply(ctx, parsed.app);
  const channel = checkChannel(entry, command.channel);
  if (!channel.ok) return replies.channelNotAllowed(entry.name, entry.channels);
  const overriders = ctx.freezes().flatMap((f) => f.overriders);
  const actor = await actorOf(ctx, command.user, [...groupsMentioned(entry), ...overriders]);
  const deployer = checkDeployer(entry, actor);
  if (!deployer.ok) return replies.notADeployer(entry.name, entry.deployers);
  const outcome = ctx.engine.requestDeployment({
    app: entry.name,
    version: parsed.version,
    requester: command.user,
    reason: parsed.reason,
    requesterGroups: actor.groups,
    overrideFreeze: parsed.overrideFreeze,
    // The thread belongs where the deploy was asked for; recorded before the first event is published.
    onAccepted: (deployment) =>
      ctx.store.slackThreads.ensure(deployment.id, command.channel, ctx.clock.now()),
  });
  if (!outcome.ok) {
    return refusalReply(outcome.refusal, {
      now: ctx.clock.now(),
      threadUrlOf: (id) => threadLink(ctx.store, id, ctx.workspaceUrl()),
    });
  }
  const { deployment, freezeOverride } = outcome;
  if (freezeOverride) {
    return replies.freezeOverridden(entry.name, freezeOverride.freeze.name, deployment.reason, command.user);
  }
  return replies.deploymentAccepted(deployment, threadLink(ctx.store, deployment.id, ctx.workspaceUrl()));
}

function unknownAppReply(ctx: SlackContext, name: string): replies.EphemeralReply {
  return refusalReply(unknownApp(name, ctx.entries.keys()), { now: ctx.clock.now() });
}

/** Locks are for the people who deploy or approve the app (anyone, when the app names nobody). */
function mayManage(entry: AppEntry, user: string, groups: readonly string[]): boolean {
  const people = [...entry.deployers, ...entry.approvers];
  return people.length === 0 || people.includes(user) || groups.some((g) => people.includes(g));
}
