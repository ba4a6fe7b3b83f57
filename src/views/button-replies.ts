/**
 * Ephemeral answers to a button click that cannot be taken: a button that is not ours or is outdated,
 * a deployment that is gone, an approval nobody waits for any more.
 */
import type { Deployment } from "../domain/deployment.js";
import { type EphemeralReply, notAllowed } from "./command-replies.js";

export function unknownButton(): EphemeralReply {
  return notAllowed("this button is not one of Kanaria's (or it is outdated)");
}

export function deploymentGone(deploymentId: string): EphemeralReply {
  return notAllowed(`there is no deployment ${deploymentId} any more`);
}

export function nothingToApprove(deployment: Pick<Deployment, "app" | "version" | "status">): EphemeralReply {
  const status = deployment.status.toLowerCase().replace("_", " ");
  return notAllowed(
    `nothing of ${deployment.app} ${deployment.version} waits for approval any more (${status})`,
  );
}
