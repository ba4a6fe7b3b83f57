/**
 * What was wrong with a `/deploy` line (`slack/deploy-command.ts` finds it), in words; the reply adds
 * the usage line of the form that was meant.
 */

/** Ways of typing `/deploy` wrong, as facts. */
export type CommandMistake =
  | { kind: "noVersion"; app: string }
  | { kind: "unknownOption"; option: string }
  /** `lock` without a reason (and maybe without an app). */
  | { kind: "noLockReason"; app: string | undefined }
  | { kind: "noApp"; subcommand: string }
  | { kind: "tooManyApps"; subcommand: string; apps: readonly string[] };

export function commandMistakeText(mistake: CommandMistake): string {
  switch (mistake.kind) {
    case "noVersion":
      return `which version of ${mistake.app}? Give the image tag, e.g. \`/deploy ${mistake.app} v1.4.2\``;
    case "unknownOption":
      return `unknown option ${mistake.option}`;
    case "noLockReason":
      return mistake.app === undefined
        ? "lock needs an app and a reason"
        : `lock needs a reason, so that others know why ${mistake.app} is locked`;
    case "noApp":
      return `${mistake.subcommand} needs an app`;
    case "tooManyApps":
      return mistake.subcommand === "status"
        ? "status takes at most one app"
        : `${mistake.subcommand} takes one app, got "${mistake.apps.join(" ")}"`;
  }
}
