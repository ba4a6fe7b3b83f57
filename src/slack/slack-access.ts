/**
 * Who may do what from Slack, per app (kanaria.yaml `apps[].channels / deployers / approvers`). Pure:
 * group memberships are resolved before these are asked. Approvals themselves are decided by the engine
 * (`domain/approval.ts`); these are the edge checks that answer a refused person at once.
 */
import type { AppEntry } from "../domain/app-entry.js";
import type { Deployment } from "../domain/deployment.js";
import { mention } from "../views/mrkdwn.js";

export interface Actor {
  user: string;
  /** User groups (S…) the user belongs to, among those the config mentions. */
  groups: readonly string[];
}

export type AccessCheck =
  | { ok: true }
  | { ok: false; code: "CHANNEL" | "NOT_DEPLOYER" | "NOT_ALLOWED"; problem: string };

export function checkChannel(entry: AppEntry, channel: string): AccessCheck {
  if (entry.channels.length === 0 || entry.channels.includes(channel)) return { ok: true };
  return {
    ok: false,
    code: "CHANNEL",
    problem: `${entry.name} is deployed from ${entry.channels.map((c) => `<#${c}>`).join(", ")}, not from this channel`,
  };
}

export function checkDeployer(entry: AppEntry, actor: Actor): AccessCheck {
  if (entry.deployers.length === 0 || listed(entry.deployers, actor)) return { ok: true };
  return {
    ok: false,
    code: "NOT_DEPLOYER",
    problem: `you are not one of ${entry.name}'s deployers (${entry.deployers.map(mention).join(", ")})`,
  };
}

/**
 * Rolling back or cancelling only ever reduces risk, so anyone who could have started the deployment,
 * approve it, or who asked for it may do it.
 */
export function checkMayStop(entry: AppEntry, deployment: Deployment, actor: Actor): AccessCheck {
  const open = entry.deployers.length === 0 && entry.approvers.length === 0;
  if (open || actor.user === deployment.requester) return { ok: true };
  if (listed(entry.deployers, actor) || listed(entry.approvers, actor)) return { ok: true };
  return {
    ok: false,
    code: "NOT_ALLOWED",
    problem: `only ${entry.name}'s deployers, approvers or the requester may stop this deployment`,
  };
}

/** The S… ids a check for `entry` may need memberships of. */
export function groupsMentioned(entry: AppEntry): string[] {
  return [...entry.deployers, ...entry.approvers].filter((p) => p.startsWith("S"));
}

function listed(list: readonly string[], actor: Actor): boolean {
  return list.includes(actor.user) || actor.groups.some((g) => list.includes(g));
}
