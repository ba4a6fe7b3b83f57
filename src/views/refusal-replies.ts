/**
 * A refusal (`domain/refusal.ts`) as the ephemeral Slack reply that explains it. The engine and the
 * handlers only state the facts; every sentence a refused `/deploy`, mention or click gets is chosen here.
 */
import type { CommandRefusal, DeploymentRefusal } from "../domain/refusal.js";
import * as replies from "./command-replies.js";
import { refusalText } from "./refusal-text.js";

export interface RefusalContext {
  now: number;
  /** The Slack thread of a deployment, when it has one (for "already being deployed"). */
  threadUrlOf?: (deploymentId: string) => string | undefined;
}

export function refusalReply(
  refusal: DeploymentRefusal | CommandRefusal,
  { now, threadUrlOf }: RefusalContext,
): replies.EphemeralReply {
  switch (refusal.kind) {
    case "unknownApp":
      return replies.unknownApp(refusal.app, refusal.closest);
    case "invalidVersion":
      return replies.invalidVersion(refusal.version, refusal.problem);
    case "locked":
      return replies.appLocked(refusal.lock, now);
    case "alreadyRunning":
      return replies.alreadyRunning(refusal.active, threadUrlOf?.(refusal.active.id), now);
    case "frozen": {
      const { freeze, endsAt } = refusal.freeze;
      return replies.freezeInForce(
        refusal.app,
        { name: freeze.name, until: endsAt, reason: freeze.reason, overriders: freeze.overriders },
        now,
      );
    }
    case "overrideNeedsReason":
      return replies.missingArgument(
        "a reason for overriding the freeze (it is recorded)",
        `/deploy ${refusal.app} ${refusal.version} <reason> --override-freeze`,
      );
    case "noExecutor":
    case "unknownDeployment":
      return replies.notAllowed(refusalText(refusal));
  }
}
