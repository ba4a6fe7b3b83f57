/**
 * The buttons' action ids and what their `value` carries. A click arrives from outside (Slack relays
 * whatever the payload says), so decoding validates everything and returns undefined on anything that
 * is not exactly what `encodeActionValue` produces; the handler then answers "unknown button" instead of
 * acting on a guessed deployment.
 */

export const ACTION_IDS = {
  approve: "kanaria.approve",
  rollback: "kanaria.rollback",
  retryRollback: "kanaria.retry_rollback",
  markFixed: "kanaria.mark_fixed",
} as const;

export type ActionName = keyof typeof ACTION_IDS;
export type ActionId = (typeof ACTION_IDS)[ActionName];

/** The deployment (and, for Approve, the stage waiting) a button acts on. */
export interface ActionTarget {
  deploymentId: string;
  /** The stage the button was drawn for; a click on a stale button (stage moved on) is then ignored. */
  stageIndex: number | undefined;
}

/** Value format version: a future change of format can still read (or cleanly refuse) old buttons. */
const PREFIX = "k1";
const DEPLOYMENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
const MAX_STAGE_INDEX = 10_000;

export function actionName(actionId: string): ActionName | undefined {
  for (const [name, id] of Object.entries(ACTION_IDS)) if (id === actionId) return name as ActionName;
  return undefined;
}

/** `k1|<deployment id>|<stage index or ->`; throws on an id that decoding would reject. */
export function encodeActionValue(target: ActionTarget): string {
  if (!DEPLOYMENT_ID.test(target.deploymentId)) {
    throw new RangeError(`deployment id ${JSON.stringify(target.deploymentId)} cannot be put on a button`);
  }
  if (target.stageIndex !== undefined && !validIndex(target.stageIndex)) {
    throw new RangeError(`stage index ${target.stageIndex} cannot be put on a button`);
  }
  return `${PREFIX}|${target.deploymentId}|${target.stageIndex ?? "-"}`;
}

export function decodeActionValue(value: unknown): ActionTarget | undefined {
  if (typeof value !== "string" || value.length > 300) return undefined;
  const parts = value.split("|");
  if (parts.length !== 3) return undefined;
  const [prefix, deploymentId, index] = parts as [string, string, string];
  if (prefix !== PREFIX || !DEPLOYMENT_ID.test(deploymentId)) return undefined;
  if (index === "-") return { deploymentId, stageIndex: undefined };
  if (!/^(0|[1-9][0-9]{0,4})$/.test(index)) return undefined;
  const stageIndex = Number(index);
  return validIndex(stageIndex) ? { deploymentId, stageIndex } : undefined;
}

function validIndex(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= MAX_STAGE_INDEX;
}
