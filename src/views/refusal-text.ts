/**
 * A refusal (`domain/refusal.ts`) as one plain-text sentence, for logs, the CLI and errors thrown by
 * scripts and tests; Slack replies are `refusal-replies.ts`. Times are UTC to the minute.
 */
import type { CommandRefusal, DeploymentRefusal } from "../domain/refusal.js";

export function refusalText(refusal: DeploymentRefusal | CommandRefusal): string {
  switch (refusal.kind) {
    case "unknownApp": {
      const hint = refusal.closest.length > 0 ? ` Did you mean ${refusal.closest.join(", ")}?` : "";
      return `There is no app named "${refusal.app}".${hint}`;
    }
    case "invalidVersion":
      return refusal.problem;
    case "locked": {
      const { lock } = refusal;
      return `${lock.app} is locked by ${lock.owner} since ${utcMinute(lock.createdAt)}: ${lock.reason}`;
    }
    case "alreadyRunning": {
      const { active } = refusal;
      return (
        `${active.app} is already being deployed: ${active.version} by ${active.requester} ` +
        `since ${utcMinute(active.createdAt)} (${active.status}, deployment ${active.id})`
      );
    }
    case "frozen": {
      const { freeze, endsAt } = refusal.freeze;
      const why = freeze.reason ? ` (${freeze.reason})` : "";
      const how = refusal.mayOverride
        ? " You may override it: repeat the command with --override-freeze and a reason; the override is recorded."
        : freeze.overriders.length > 0
          ? ` Only ${freeze.overriders.join(", ")} may override it.`
          : " Nobody may override it.";
      return `${refusal.app} is frozen by "${freeze.name}"${why} until ${utcMinute(endsAt)}.${how}`;
    }
    case "overrideNeedsReason":
      return `overriding the freeze "${refusal.freeze.freeze.name}" needs a reason: /deploy ${refusal.app} ${refusal.version} <reason> --override-freeze`;
    case "noExecutor":
      return `this Kanaria cannot run ${refusal.missing.join(", ")} stages yet, which ${refusal.app}'s pipeline needs`;
    case "unknownDeployment":
      return `there is no deployment ${refusal.deploymentId}`;
  }
}

/** `2026-11-22 09:00 UTC`. */
export function utcMinute(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
