/**
 * The grammar of `/deploy`: the text after the command, as Slack sends it, into one of its subcommands.
 * Pure, so that every way of typing it wrong is a table-driven test. Words are split on any whitespace;
 * Slack's auto-formatting of links and mentions (`<#C123|deploys>`, `<@U123>`) never reaches app names
 * or versions because those are checked by their own grammars later.
 */

export type DeployCommand =
  | { kind: "deploy"; app: string; version: string; reason: string; overrideFreeze: boolean }
  | { kind: "help" }
  | { kind: "status"; app: string | undefined }
  | { kind: "history"; app: string }
  | { kind: "lock"; app: string; reason: string }
  | { kind: "unlock"; app: string }
  | { kind: "rollback"; app: string }
  | { kind: "cancel"; app: string }
  /** A blocked rollback: try again now. */
  | { kind: "retry"; app: string }
  /** A blocked rollback's work was done by hand (audited). */
  | { kind: "fixed"; app: string }
  /** What was wrong, for the ephemeral reply (the usage line is added by the view). */
  | { kind: "invalid"; problem: string; usage: string };

export const OVERRIDE_FREEZE_FLAG = "--override-freeze";

/** One line per form, shown after every mistake. */
export const USAGE: Record<Exclude<DeployCommand["kind"], "invalid">, string> = {
  deploy: `/deploy <app> <version> [reason…] [${OVERRIDE_FREEZE_FLAG}]`,
  help: "/deploy help",
  status: "/deploy status [app]",
  history: "/deploy history <app>",
  lock: "/deploy lock <app> <reason…>",
  unlock: "/deploy unlock <app>",
  rollback: "/deploy rollback <app>",
  cancel: "/deploy cancel <app>",
  retry: "/deploy retry <app>",
  fixed: "/deploy fixed <app>",
};

/** Subcommand words; an app cannot be deployed under one of these names from Slack. */
const SUBCOMMANDS = new Set([
  "help",
  "status",
  "history",
  "lock",
  "unlock",
  "rollback",
  "cancel",
  "retry",
  "fixed",
]);

export function parseDeployCommand(text: string): DeployCommand {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [first, ...rest] = words;
  if (first === undefined) return { kind: "help" };
  const word = first.toLowerCase();
  if (!SUBCOMMANDS.has(word)) return parseDeploy(first, rest);
  switch (word) {
    case "help":
      return { kind: "help" };
    case "status":
      return rest.length <= 1
        ? { kind: "status", app: rest[0] }
        : invalid("status takes at most one app", "status");
    case "history":
      return oneApp("history", rest, (app) => ({ kind: "history", app }));
    case "unlock":
      return oneApp("unlock", rest, (app) => ({ kind: "unlock", app }));
    case "rollback":
      return oneApp("rollback", rest, (app) => ({ kind: "rollback", app }));
    case "cancel":
      return oneApp("cancel", rest, (app) => ({ kind: "cancel", app }));
    case "retry":
      return oneApp("retry", rest, (app) => ({ kind: "retry", app }));
    case "fixed":
      return oneApp("fixed", rest, (app) => ({ kind: "fixed", app }));
    case "lock": {
      const [app, ...reason] = rest;
      if (app === undefined) return invalid("lock needs an app and a reason", "lock");
      if (reason.length === 0)
        return invalid(`lock needs a reason, so that others know why ${app} is locked`, "lock");
      return { kind: "lock", app, reason: reason.join(" ") };
    }
    default:
      return invalid(`unknown subcommand "${first}"`, "help");
  }
}

function parseDeploy(app: string, rest: string[]): DeployCommand {
  const overrideFreeze = rest.includes(OVERRIDE_FREEZE_FLAG);
  const words = rest.filter((w) => w !== OVERRIDE_FREEZE_FLAG);
  const [version, ...reason] = words;
  if (version === undefined) {
    return invalid(`which version of ${app}? Give the image tag, e.g. \`/deploy ${app} v1.4.2\``, "deploy");
  }
  const unknownFlag = words.find((w) => w.startsWith("--"));
  if (unknownFlag) return invalid(`unknown option ${unknownFlag}`, "deploy");
  return { kind: "deploy", app, version, reason: reason.join(" "), overrideFreeze };
}

function oneApp(
  kind: "history" | "unlock" | "rollback" | "cancel" | "retry" | "fixed",
  rest: string[],
  make: (app: string) => DeployCommand,
): DeployCommand {
  if (rest.length === 0) return invalid(`${kind} needs an app`, kind);
  if (rest.length > 1) return invalid(`${kind} takes one app, got "${rest.join(" ")}"`, kind);
  return make(rest[0] as string);
}

function invalid(problem: string, form: keyof typeof USAGE): DeployCommand {
  return { kind: "invalid", problem, usage: USAGE[form] };
}
