/**
 * The engine's side of clean starts (`stages/clean-start.ts` looks and repairs): who counts as a
 * running owner of a task set, what a deployment's thread is told before its first stage, and the
 * check of every idle app when the engine starts.
 */
import type { Deployment } from "../domain/deployment.js";
import { isTerminalDeploymentStatus } from "../domain/status.js";
import type { Notifier } from "../ports.js";
import type { CleanStart, CleanStartOutcome, OwnerCheck } from "../stages/clean-start.js";
import type { Store } from "../store/store.js";
import { beginRollback } from "./begin-rollback.js";
import type { AppSource } from "./engine.js";
import type { JournalWriter } from "./journal.js";
import type { Logger } from "./logger.js";
import type { StagePorts } from "./stage-executor.js";

/** Deployments still running own their task sets; `except` (the one starting) owns nothing yet. */
export function runningOwners(store: Store, except?: string): OwnerCheck {
  return (owner) => {
    const status = owner === except ? undefined : store.deployments.summary(owner)?.status;
    return status !== undefined && !isTerminalDeploymentStatus(status);
  };
}

/**
 * A deployment's clean start, with a report that survives a crash: what it found is saved in the
 * deployment's context before anything is repaired, so a process killed mid-repair still reports the
 * repair once it resumes, though the second look then finds the service clean.
 */
export async function reportedCleanStart(
  cleanStart: CleanStart,
  store: Store,
  deployment: Deployment,
  ports: StagePorts,
): Promise<CleanStartOutcome> {
  const { id } = deployment;
  const saveFound = (found: readonly string[]) =>
    store.transaction(() => {
      const latest = store.deployments.get(id);
      if (latest) store.deployments.setContext(id, { ...latest.context, cleanStartFound: [...found] });
    });
  const outcome = await cleanStart(deployment.appConfig, ports, runningOwners(store, id), saveFound);
  const earlier = store.deployments.get(id)?.context.cleanStartFound;
  if (!earlier) return outcome;
  if (outcome.kind === "clean")
    return { kind: "repaired", found: earlier, done: ["repaired before Kanaria restarted"] };
  if (outcome.kind === "repaired") return { ...outcome, found: [...new Set([...earlier, ...outcome.found])] };
  return outcome;
}

/**
 * Records a deployment's clean start in its timeline: what was repaired (it goes on), or what is not
 * safe to repair, which refuses it before any change of its own (CANCELLED). Returns whether it goes on.
 */
export function recordCleanStart(w: JournalWriter, store: Store, outcome: CleanStartOutcome): boolean {
  if (outcome.kind === "clean") return true;
  const found = outcome.found.join("; ");
  if (outcome.kind === "repaired") {
    w.event({
      type: "CLEAN_START",
      message: `found ${found}; repaired before starting: ${outcome.done.join("; ")}`,
      data: { found: outcome.found, done: outcome.done },
    });
    return true;
  }
  w.event({
    type: "CLEAN_START",
    message: `not starting: ${found}${repairText(outcome.repair)}`,
    data: { found: outcome.found, repair: outcome.repair },
  });
  beginRollback(w, store, "CANCEL", `refused: the service is not in a state to deploy on: ${found}`);
  return false;
}

export interface IdleAppsDeps {
  store: Store;
  apps: AppSource;
  notifier: Notifier;
  cleanStart: CleanStart;
  portsFor: (app: string) => StagePorts;
  log: Logger;
  signal: AbortSignal;
}

/**
 * At start, every app without a running deployment gets the clean start a deployment gets: what a
 * crashed or hand-ended run left (split weights, task sets nobody owns) is repaired, traffic first,
 * or reported when a repair is not safe, in the app's channel. One app's failure does not stop the
 * others; the app's next deployment checks again anyway.
 */
export async function cleanIdleApps(deps: IdleAppsDeps): Promise<void> {
  const { store, apps, notifier } = deps;
  for (const name of apps.names()) {
    const app = apps.get(name);
    if (!app || store.deployments.activeForApp(name) || deps.signal.aborted) continue;
    try {
      const outcome = await deps.cleanStart(app.config, deps.portsFor(name), runningOwners(store));
      if (outcome.kind === "repaired") {
        notifier.notice(name, `found ${outcome.found.join("; ")}; repaired: ${outcome.done.join("; ")}`);
      } else if (outcome.kind === "unsafe") {
        notifier.notice(
          name,
          `left as found, not safe to repair on its own: ${outcome.found.join("; ")}${repairText(outcome.repair)}`,
        );
      }
    } catch (error) {
      deps.log.warn({ err: error, app: name }, "could not check the app's service at start");
    }
  }
}

function repairText(commands: readonly string[]): string {
  return commands.length > 0 ? `; to repair by hand: ${commands.join(" && ")}` : "";
}
