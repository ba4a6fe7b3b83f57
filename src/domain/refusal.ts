/**
 * Why a deployment request or a command was refused, as facts (who holds the lock, which freeze and
 * until when, the closest app names). The engine and the Slack handlers decide; the sentences are
 * written by `views/refusal-replies.ts` (Slack) and `views/refusal-text.ts` (plain text) only.
 */
import type { AppLock } from "./app-lock.js";
import { closestNames } from "./closest-names.js";
import type { Deployment } from "./deployment.js";
import type { ActiveFreeze } from "./freeze-window.js";
import type { StageKind } from "./stage-kind.js";

/** An app name nobody configured; `closest` are the known names it most likely meant (maybe none). */
export interface UnknownAppRefusal {
  kind: "unknownApp";
  app: string;
  closest: readonly string[];
}

export type DeploymentRefusal =
  | UnknownAppRefusal
  /** `problem` is `checkVersion`'s account of what is wrong with the tag. */
  | { kind: "invalidVersion"; version: string; problem: string }
  | { kind: "locked"; lock: AppLock }
  /** `mayOverride`: the requester is one of the freeze's overriders (and did not ask to override). */
  | { kind: "frozen"; app: string; freeze: ActiveFreeze; mayOverride: boolean }
  /** An overrider asked to override the freeze but gave no reason to record. */
  | { kind: "overrideNeedsReason"; app: string; version: string; freeze: ActiveFreeze }
  | { kind: "alreadyRunning"; active: Deployment }
  /** Stage kinds the app's pipeline needs that this build has no executor for. */
  | { kind: "noExecutor"; app: string; missing: readonly StageKind[] };

export type CommandRefusal = { kind: "unknownDeployment"; deploymentId: string };

/** The one place "did you mean" is decided for app names. */
export function unknownApp(app: string, known: Iterable<string>): UnknownAppRefusal {
  return { kind: "unknownApp", app, closest: closestNames(app, [...known]) };
}
