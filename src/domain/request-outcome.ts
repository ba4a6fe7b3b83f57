/**
 * What the engine answers to a deployment request or a command: accepted (with what the caller needs
 * to say so, such as the freeze that was overridden) or refused with a reason from `refusal.ts`. The
 * `ok` flag follows the house's other checks (`checkVersion`, `checkApprover`).
 */
import type { Command, Deployment } from "./deployment.js";
import type { ActiveFreeze } from "./freeze-window.js";
import type { CommandRefusal, DeploymentRefusal } from "./refusal.js";

export type DeploymentRequestOutcome =
  /** `freezeOverride`: the freeze in force that this deployment overrode (recorded and audited). */
  | { ok: true; deployment: Deployment; freezeOverride?: ActiveFreeze }
  | { ok: false; refusal: DeploymentRefusal };

export type CommandOutcome =
  /** `duplicate`: the same dedupe key was recorded before; nothing new was recorded. */
  { ok: true; command: Command; duplicate: boolean } | { ok: false; refusal: CommandRefusal };
