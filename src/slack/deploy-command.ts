/**
 * The grammar of `/deploy`: the text after the command, as Slack sends it, into one of its subcommands.
 * Pure, so that every way of typing it wrong is a table-driven test. Words are split on any whitespace;
 * Slack's auto-formatting of links and mentions (`<#C123|deploys>`, `<@U123>`) never reaches app names
 * or versions because those are checked by their own grammars later.
 */
import type { CommandMistake } from "../views/command-mistake.js";

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
  /** What was wrong (worded by `views/command-mistake.ts`) and the usage line of the form meant. */
  | { kind: "invalid"; mistake: CommandMistake; usage: string };

type OneAppSubcommand = "history" | "unlock" | "rollback" | "cancel" | "retry" | "fixed";

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
const SUBCOMMANDS = [
  "help",
  "status",
  "history",
  "lock",
  "unlock",
  "rollback",
  "cancel",
  "retry",
  "fixed",
] as const;

function isSubcommand(word: string): word is (typeof SUBCOMMANDS)[number] {
  return (SUBCOMMANDS as readonly string[]).includes(word);
}

export function parseDeployCommand(text: string): DeployCommand {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [first, ...rest] = words;
  if (first === undefined) return { kind: "help" };
  const word = first.toLowerCase();
  if (!isSubcommand(word)) return parseDeploy(first, rest);
  switch (word) {
    case "help":
      return { kind: "help" };
    case "status":
      return rest.length <= 1
        ? { kind: "status", app: rest[0] }
        : invalid({ kind: "tooManyApps", subcommand: "status", apps: rest }, "status");
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
      if (app === undefined || reason.length === 0) return invalid({ kind: "noLockReason", app }, "lock");
      return { kind: "lock", app, reason: reason.join(" ") };
    }
  }
}

function parseDeploy(app: string, rest: string[]): DeployCommand {
  const overrideFreeze = rest.includes(OVERRIDE_FREEZE_FLAG);
  const words = rest.filter((w) => w !== OVERRIDE_FREEZE_FLAG);
  const [version, ...reason] = words;
  if (version === undefined) {
    return invalid({ kind: "noVersion", app }, "deploy");
  }
  const unknownFlag = words.find((w) => w.startsWith("--"));
  if (unknownFlag) return invalid({ kind: "unknownOption", option: unknownFlag }, "deploy");
  return { kind: "deploy", app, version, reason: reason.join(" "), overrideFreeze };
}

function oneApp(kind: OneAppSubcommand, rest: string[], make: (app: string) => DeployCommand): DeployCommand {
  if (rest.length === 0) return invalid({ kind: "noApp", subcommand: kind }, kind);
  if (rest.length > 1) return invalid({ kind: "tooManyApps", subcommand: kind, apps: rest }, kind);
  return make(rest[0] as string);
}

function invalid(mistake: CommandMistake, form: keyof typeof USAGE): DeployCommand {
  return { kind: "invalid", mistake, usage: USAGE[form] };
}
