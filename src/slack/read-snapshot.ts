/**
 * Reads what the views draw a deployment from, in one go from the store. Slack permalinks are built
 * from the workspace URL (`auth.test`) and the thread root, so no API call is needed per link.
 */
import type { Store } from "../store/store.js";
import type { DeploymentSnapshot } from "../views/deployment-snapshot.js";

export function readSnapshot(
  store: Store,
  deploymentId: string,
  workspaceUrl: string | undefined,
): DeploymentSnapshot | undefined {
  const deployment = store.deployments.get(deploymentId);
  if (!deployment) return undefined;
  const stages = store.stages.list(deploymentId);
  const measurements = stages
    .filter((s) => s.kind === "ANALYSIS")
    .flatMap((s) => store.measurements.list(deploymentId, s.index));
  const threadUrl = threadLink(store, deploymentId, workspaceUrl);
  return {
    deployment,
    stages,
    events: store.events.list(deploymentId),
    measurements,
    ...(threadUrl ? { threadUrl } : {}),
  };
}

/** `https://acme.slack.com/archives/C123/p1700000000000100`, Slack's permalink shape. */
export function threadLink(
  store: Store,
  deploymentId: string,
  workspaceUrl: string | undefined,
): string | undefined {
  const thread = store.slackThreads.get(deploymentId);
  if (!thread?.rootTs || !workspaceUrl) return undefined;
  const base = workspaceUrl.endsWith("/") ? workspaceUrl : `${workspaceUrl}/`;
  return `${base}archives/${thread.channel}/p${thread.rootTs.replace(".", "")}`;
}
