/**
 * Ephemeral answers to `/deploy`: usage and help, one reply per refusal, and the confirmations. Each
 * refusal says what was wrong, what would be right (closest app names, allowed channels, who holds the
 * lock and since when, how to override a freeze) and, where it helps, the usage line — people read these
 * once, mid-incident, and should not need the docs.
 */
import type { KnownBlock } from "@slack/types";
import type { AppLock } from "../domain/app-lock.js";
import type { Deployment } from "../domain/deployment.js";
import { context, fallback, type MessagePayload, section } from "./block-kit.js";
import {
  ago,
  channelLink,
  escapeMrkdwn,
  formatDuration,
  link,
  mention,
  slackDate,
  userText,
} from "./mrkdwn.js";
import { DEPLOYMENT_STATUS_LABEL } from "./stage-format.js";

export type EphemeralReply = MessagePayload;

export const USAGE_LINE =
  "`/deploy &lt;app&gt; &lt;version&gt; [reason…]` · `/deploy help` for every subcommand";

/** A freeze window in force, as the caller resolved it from config and the clock. */
export interface FreezeNotice {
  name: string;
  /** When the window ends (ms); undefined when it has no end in sight. */
  until: number | undefined;
  reason?: string;
  /** Slack ids allowed to override; empty = nobody. */
  overriders: string[];
}

function reply(body: string, options: { usage?: boolean; note?: string } = {}): EphemeralReply {
  const blocks: KnownBlock[] = [section(body)];
  const notes = [options.note, options.usage ? `Usage: ${USAGE_LINE}` : undefined].filter(
    (n): n is string => n !== undefined,
  );
  if (notes.length > 0) blocks.push(context(...notes));
  return { text: fallback([body, ...notes].join("\n")), blocks };
}

function app(name: string): string {
  return `*${userText(name, 100)}*`;
}

export function usage(): EphemeralReply {
  return reply(`Usage: ${USAGE_LINE}`);
}

const SUBCOMMANDS: ReadonlyArray<readonly [string, string, string]> = [
  ["`/deploy <app> <version> [reason…]`", "start a deployment", "/deploy web v1.4.2 fix checkout timeout"],
  ["`/deploy status [app]`", "what is running, the current versions and locks", "/deploy status web"],
  ["`/deploy history <app>`", "the last deployments of an app", "/deploy history web"],
  [
    "`/deploy lock <app> <reason>`",
    "stop new deployments of an app until unlocked",
    "/deploy lock web incident review",
  ],
  ["`/deploy unlock <app>`", "lift a lock", "/deploy unlock web"],
  ["`/deploy rollback <app>`", "roll back the running deployment now", "/deploy rollback web"],
  ["`/deploy cancel <app>`", "stop the running deployment and undo what it changed", "/deploy cancel web"],
  ["`/deploy retry <app>`", "a blocked rollback tries again now", "/deploy retry web"],
  [
    "`/deploy fixed <app>`",
    "end a blocked rollback you finished by hand (recorded with your name)",
    "/deploy fixed web",
  ],
  [
    "`/deploy <app> <version> --override-freeze <reason>`",
    "deploy during a freeze window (if you may; audited)",
    "/deploy web v1.4.3 --override-freeze hotfix for INC-42",
  ],
  ["`/deploy help`", "this list", "/deploy help"],
];

export function help(): EphemeralReply {
  const lines = SUBCOMMANDS.map(
    ([syntax, what, example]) => `${escapeMrkdwn(syntax)} — ${what}\n      e.g. \`${escapeMrkdwn(example)}\``,
  );
  return reply(
    `*Kanaria* deploys to ECS with a canary, checks it against metrics and rolls back on its own.\n${lines.join("\n")}`,
    {
      note: "Ask me in a channel too: `@kanaria status`, `@kanaria history web`, `@kanaria who deployed web last`.",
    },
  );
}

export function unknownApp(name: string, closest: readonly string[]): EphemeralReply {
  const hint =
    closest.length > 0
      ? ` Did you mean ${closest
          .slice(0, 5)
          .map((c) => `\`${userText(c, 100)}\``)
          .join(", ")}?`
      : " `/deploy status` lists the apps.";
  return reply(`I don't know an app called ${app(name)}.${hint}`, { usage: true });
}

export function missingArgument(what: string, example: string): EphemeralReply {
  return reply(`Missing ${userText(what, 200)}: e.g. \`${userText(example, 200)}\``, { usage: true });
}

export function invalidVersion(version: string, reason: string): EphemeralReply {
  return reply(`\`${userText(version, 150)}\` is not a version I can deploy: ${userText(reason, 500)}`, {
    usage: true,
  });
}

export function channelNotAllowed(appName: string, channels: readonly string[]): EphemeralReply {
  const where = channels.slice(0, 30).map(channelLink).join(", ");
  return reply(`${app(appName)} can't be deployed from this channel. Use ${where || "an allowed channel"}.`);
}

export function notADeployer(appName: string, deployers: readonly string[]): EphemeralReply {
  const who = deployers.slice(0, 30).map(mention).join(", ");
  return reply(
    `You're not a deployer of ${app(appName)}.${who ? ` Deployers: ${who} — ask one of them, or ask to be added in kanaria.yaml.` : ""}`,
  );
}

export function appLocked(lock: AppLock, now: number): EphemeralReply {
  return reply(
    `🔒 ${app(lock.app)} is locked by ${mention(lock.owner)} since ${slackDate(lock.createdAt, "date_time")} (${ago(lock.createdAt, now)}): ${userText(lock.reason, 1000)}`,
    { note: `When it is safe again: \`/deploy unlock ${userText(lock.app, 100)}\`` },
  );
}

export function alreadyRunning(
  active: Deployment,
  threadUrl: string | undefined,
  now: number,
): EphemeralReply {
  const thread = threadUrl ? ` ${link(threadUrl, "See its thread")}.` : "";
  return reply(
    `${app(active.app)} is already being deployed: ${active.version} by ${mention(active.requester)} since ${slackDate(active.createdAt, "date_time")} (${ago(active.createdAt, now)}, ${DEPLOYMENT_STATUS_LABEL[active.status].toLowerCase()}).${thread}`,
    { note: `One deployment per app at a time. To stop it: \`/deploy cancel ${userText(active.app, 100)}\`` },
  );
}

export function freezeInForce(appName: string, freeze: FreezeNotice, now: number): EphemeralReply {
  const until =
    freeze.until === undefined
      ? "until further notice"
      : `until ${slackDate(freeze.until, "date_time")} (in ${formatDuration(Math.max(0, freeze.until - now))})`;
  const why = freeze.reason ? `: ${userText(freeze.reason, 500)}` : "";
  // A freeze that names no overriders cannot be overridden (the engine decides the same way).
  const note =
    freeze.overriders.length > 0
      ? `${freeze.overriders.slice(0, 30).map(mention).join(", ")} may override it, with a reason that is recorded: \`/deploy ${userText(appName, 100)} &lt;version&gt; --override-freeze &lt;reason&gt;\``
      : "Nobody may override this freeze; wait until it ends.";
  return reply(`❄️ ${app(appName)} is frozen by *${userText(freeze.name, 100)}* ${until}${why}.`, { note });
}

export function locked(lock: AppLock): EphemeralReply {
  return reply(`🔒 ${app(lock.app)} locked by ${mention(lock.owner)}: ${userText(lock.reason, 1000)}`, {
    note: `No deployment of it starts until \`/deploy unlock ${userText(lock.app, 100)}\`.`,
  });
}

/** `lock` on an app that was already locked: the existing lock stands. */
export function alreadyLocked(lock: AppLock, now: number): EphemeralReply {
  return reply(
    `${app(lock.app)} was already locked by ${mention(lock.owner)} since ${slackDate(lock.createdAt, "date_time")} (${ago(lock.createdAt, now)}): ${userText(lock.reason, 1000)}`,
  );
}

export function unlocked(previous: AppLock, actor: string): EphemeralReply {
  return reply(
    `🔓 ${app(previous.app)} unlocked by ${mention(actor)} (it was locked by ${mention(previous.owner)}: ${userText(previous.reason, 500)}).`,
  );
}

export function notLocked(appName: string): EphemeralReply {
  return reply(`${app(appName)} isn't locked; nothing to unlock.`);
}

export function noActiveDeployment(appName: string, action: string): EphemeralReply {
  return reply(`Nothing to ${userText(action, 50)}: no deployment of ${app(appName)} is running.`);
}

export function deploymentAccepted(
  active: Pick<Deployment, "app" | "version">,
  threadUrl: string | undefined,
): EphemeralReply {
  const thread = threadUrl
    ? ` Follow it in ${link(threadUrl, "its thread")}.`
    : " I'll post its progress in a thread here.";
  return reply(`🚀 Deploying ${app(active.app)} ${active.version}.${thread}`);
}

export function commandAccepted(kind: string, active: Pick<Deployment, "app" | "version">): EphemeralReply {
  return reply(
    `👌 ${userText(kind.toLowerCase(), 50)} of ${app(active.app)} ${active.version} requested; the thread shows when it is done.`,
  );
}

export function freezeOverridden(
  appName: string,
  freezeName: string,
  reason: string,
  actor: string,
): EphemeralReply {
  return reply(
    `⚠️ ${mention(actor)} overrode the *${userText(freezeName, 100)}* freeze to deploy ${app(appName)}: ${userText(reason, 1000)}`,
  );
}

/** A command or click refused for a reason the caller states (a permission, a stale button…). */
export function notAllowed(problem: string): EphemeralReply {
  return reply(`🙅 Not done: ${userText(problem, 1500)}`);
}

/** A `/deploy` line that does not parse; `usageLine` is the subcommand's own syntax when known. */
export function invalidCommand(problem: string, usageLine?: string): EphemeralReply {
  const body = `${userText(problem, 1000)}${usageLine ? `\nUsage: \`${userText(usageLine, 300)}\`` : ""}`;
  return reply(body, { usage: usageLine === undefined });
}

/** What `@kanaria` answers to. */
export function mentionHelp(): EphemeralReply {
  return reply(
    [
      "Ask me in a channel:",
      "`@kanaria status` or `@kanaria what is running in web` — live versions, running deployments, locks",
      "`@kanaria history web` — the last deployments of an app",
      "`@kanaria who deployed web last` — the last deployment of an app",
    ].join("\n"),
    { note: `To deploy: ${USAGE_LINE}` },
  );
}
