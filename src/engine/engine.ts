/**
 * The engine: accepts deployment requests and commands, and drives every active deployment to a final
 * status (DESIGN §3). Slack handlers and the CLI call `requestDeployment` / `submitCommand`, which only
 * validate and record; the drivers do the work. On `start` every deployment left RUNNING,
 * WAITING_APPROVAL or ROLLING_BACK by a previous process is resumed.
 */
import { randomBytes } from "node:crypto";
import type { AppConfig } from "../domain/app-config.js";
import type { CommandKind, Deployment, DeploymentAccess } from "../domain/deployment.js";
import type { FreezeWindow } from "../domain/freeze-window.js";
import { activeFreeze, mayOverrideFreeze } from "../domain/freeze-window.js";
import { planStages } from "../domain/planner.js";
import { type DeploymentRefusal, unknownApp } from "../domain/refusal.js";
import type { CommandOutcome, DeploymentRequestOutcome } from "../domain/request-outcome.js";
import { isTerminalDeploymentStatus } from "../domain/status.js";
import { checkVersion } from "../domain/version.js";
import type { Clock, Notifier } from "../ports.js";
import type { CleanStart } from "../stages/clean-start.js";
import type { Store } from "../store/store.js";
import { applyCommand } from "./apply-command.js";
import { cleanIdleApps } from "./clean-starts.js";
import { DeploymentDriver } from "./deployment-driver.js";
import type { ExecutorRegistry } from "./executor-registry.js";
import { Journal } from "./journal.js";
import type { Logger } from "./logger.js";
import type { RollbackPolicy } from "./rollback-block.js";
import type { StagePorts } from "./stage-executor.js";

export interface DeployableApp {
  config: AppConfig;
  access: DeploymentAccess;
}

/** Where the engine finds app configs (loaded from kanaria.yaml by `config/`). */
export interface AppSource {
  get(name: string): DeployableApp | undefined;
  names(): string[];
}

export interface EngineDeps {
  store: Store;
  registry: ExecutorRegistry;
  /** The AWS/Datadog ports an app's deployments use (apps may live in different accounts). */
  portsFor: (app: string) => StagePorts;
  clock: Clock;
  notifier: Notifier;
  logger: Logger;
  apps: AppSource;
  /** Freeze windows (kanaria.yaml `freezes:`), read per request so a reloaded config applies at once. */
  freezes?: () => readonly FreezeWindow[];
  newDeploymentId?: (app: string) => string;
  /** How often to look for commands and deployments written by other processes (the CLI). */
  pollIntervalMs?: number;
  maxStepErrors?: number;
  /** How blocked rollbacks retry and when they ask people; defaults in `rollback-block.ts`. */
  rollbackPolicy?: RollbackPolicy;
  /** What a deployment (and `start`, for idle apps) checks and repairs before changing anything. */
  cleanStart: CleanStart;
}

export interface DeploymentRequest {
  app: string;
  version: string;
  requester: string;
  reason: string;
  /** User groups the requester belongs to (resolved at the edge), for freeze overrides. */
  requesterGroups?: readonly string[];
  /** Deploy despite a freeze window in force; allowed only to the freeze's overriders, and audited. */
  overrideFreeze?: boolean;
  /**
   * Called once the deployment is stored and before its first timeline event is published, so the
   * caller can record where the request came from (the Slack channel its thread belongs in). Must not
   * throw.
   */
  onAccepted?: (deployment: Deployment) => void;
}

export interface CommandRequest {
  deploymentId: string;
  kind: CommandKind;
  actor: string;
  actorGroups?: readonly string[];
  dedupeKey?: string;
}

const defaultId = (app: string): string => `${app}-${randomBytes(4).toString("hex")}`;

export class Engine {
  private readonly journal: Journal;
  private readonly drivers = new Map<string, { driver: DeploymentDriver; done: Promise<void> }>();
  private readonly stopper = new AbortController();
  private poller: NodeJS.Timeout | undefined;
  private idleChecked: Promise<void> = Promise.resolve();
  private readonly log: Logger;

  constructor(private readonly deps: EngineDeps) {
    this.journal = new Journal(deps.store, deps.clock, deps.notifier);
    this.log = deps.logger.child({ component: "engine" });
  }

  /** Resumes unfinished deployments and starts watching for work written by other processes. */
  start(): void {
    for (const id of this.deps.store.deployments.activeIds()) this.drive(id, "resumed");
    this.idleChecked = cleanIdleApps({
      ...this.deps,
      log: this.log,
      signal: this.stopper.signal,
    });
    // Commands left while no engine ran (e.g. for a deployment that has since ended) are answered now.
    this.poll();
    const interval = this.deps.pollIntervalMs ?? 1000;
    this.poller = setInterval(() => this.poll(), interval);
    this.poller.unref();
  }

  /** Stops driving (deployments stay where they are, to be resumed by the next start). */
  async stop(): Promise<void> {
    if (this.poller) clearInterval(this.poller);
    this.stopper.abort();
    await Promise.all([...this.drivers.values()].map((d) => d.done));
    await this.idleChecked;
  }

  /** Resolves once `start`'s clean start of the idle apps is over. */
  idleAppsChecked(): Promise<void> {
    return this.idleChecked;
  }

  /** Checks and records a request; a refusal states its facts (`domain/refusal.ts`), never a sentence. */
  requestDeployment(request: DeploymentRequest): DeploymentRequestOutcome {
    const { store, clock } = this.deps;
    const app = this.deps.apps.get(request.app);
    if (!app) return refuse(unknownApp(request.app, this.deps.apps.names()));
    const version = checkVersion(request.version);
    if (!version.ok)
      return refuse({ kind: "invalidVersion", version: request.version, problem: version.reason });
    const lock = store.locks.get(request.app);
    if (lock) return refuse({ kind: "locked", lock });
    const frozen = activeFreeze(this.deps.freezes?.() ?? [], request.app, clock.now());
    if (frozen) {
      const mayOverride = mayOverrideFreeze(frozen.freeze, request.requester, request.requesterGroups ?? []);
      if (!request.overrideFreeze || !mayOverride) {
        return refuse({ kind: "frozen", app: request.app, freeze: frozen, mayOverride });
      }
      if (request.reason.trim() === "") {
        return refuse({
          kind: "overrideNeedsReason",
          app: request.app,
          version: request.version,
          freeze: frozen,
        });
      }
    }
    const lastSuccessful = store.deployments.lastSuccessful(request.app);
    const planned = planStages({ app: app.config, lastSuccessful });
    const missing = this.deps.registry.missing(planned.map((s) => s.kind));
    if (missing.length > 0) return refuse({ kind: "noExecutor", app: request.app, missing });
    const now = clock.now();
    const deployment: Deployment = {
      id: (this.deps.newDeploymentId ?? defaultId)(request.app),
      app: request.app,
      version: request.version,
      previousVersion: lastSuccessful?.version,
      requester: request.requester,
      reason: request.reason,
      status: "PLANNED",
      statusReason: "",
      rollbackCause: undefined,
      createdAt: now,
      startedAt: undefined,
      finishedAt: undefined,
      deadlineAt: now + app.config.timeoutMs,
      appConfig: app.config,
      access: app.access,
      context: {},
    };
    const inserted = store.transaction(() => {
      const active = store.deployments.activeForApp(request.app);
      if (active) return active;
      store.deployments.insert(deployment);
      planned.forEach((stage, index) => {
        store.stages.insert({
          ...stage,
          deploymentId: deployment.id,
          index,
          status: "NOT_STARTED",
          statusReason: "",
          state: {},
          attempts: 0,
          startedAt: undefined,
          finishedAt: undefined,
        });
      });
      if (frozen) {
        store.freezeOverrides.record({
          deploymentId: deployment.id,
          app: request.app,
          freezeName: frozen.freeze.name,
          actor: request.requester,
          reason: request.reason,
          at: now,
        });
      }
      return undefined;
    });
    if (inserted) return refuse({ kind: "alreadyRunning", active: inserted });
    request.onAccepted?.(deployment);
    this.journal.write(deployment.id, (w) =>
      w.event({
        type: "DEPLOYMENT_REQUESTED",
        actor: request.requester,
        message: `${request.requester} asked to deploy ${request.app} ${request.version}${request.reason ? `: ${request.reason}` : ""}`,
        data: { stages: planned.map((s) => s.kind) },
      }),
    );
    if (frozen) {
      this.log.warn(
        { deployment: deployment.id, freeze: frozen.freeze.name, actor: request.requester },
        "freeze window overridden",
      );
      this.journal.write(deployment.id, (w) =>
        w.event({
          type: "FREEZE_OVERRIDDEN",
          actor: request.requester,
          message: `${request.requester} deployed during the freeze "${frozen.freeze.name}" (until ${formatTime(frozen.endsAt)})${request.reason ? `: ${request.reason}` : ""}`,
          data: { freeze: frozen.freeze.name, endsAt: frozen.endsAt },
        }),
      );
    }
    this.drive(deployment.id, "requested");
    return frozen ? { ok: true, deployment, freezeOverride: frozen } : { ok: true, deployment };
  }

  /** Records a command for the runner; the same `dedupeKey` twice records it once. */
  submitCommand(request: CommandRequest): CommandOutcome {
    const { store, clock } = this.deps;
    const deployment = store.deployments.get(request.deploymentId);
    if (!deployment) {
      return { ok: false, refusal: { kind: "unknownDeployment", deploymentId: request.deploymentId } };
    }
    const { command, duplicate } = store.commands.insert(
      {
        deploymentId: request.deploymentId,
        kind: request.kind,
        actor: request.actor,
        actorGroups: request.actorGroups ?? [],
        dedupeKey: request.dedupeKey,
      },
      clock.now(),
    );
    if (!duplicate) this.dispatch(deployment.id);
    return { ok: true, command, duplicate };
  }

  /** Resolves when the deployment's driver has finished (final status) or the engine stopped. */
  async settled(deploymentId: string): Promise<void> {
    await this.drivers.get(deploymentId)?.done;
  }

  /** Wakes the deployment's driver, or handles the command directly when nothing drives it. */
  private dispatch(deploymentId: string): void {
    const running = this.drivers.get(deploymentId);
    if (running) {
      running.driver.wake();
      return;
    }
    const deployment = this.deps.store.deployments.get(deploymentId);
    if (!deployment) return;
    if (!isTerminalDeploymentStatus(deployment.status)) {
      this.drive(deploymentId, "command");
      return;
    }
    // A finished deployment has no driver; its commands are answered (ignored) here.
    for (const command of this.deps.store.commands.pending(deploymentId)) {
      this.journal.write(deploymentId, (w) => applyCommand(w, this.deps.store, command));
    }
  }

  private poll(): void {
    if (this.stopper.signal.aborted) return;
    try {
      for (const id of this.deps.store.commands.deploymentsWithPending()) this.dispatch(id);
      for (const id of this.deps.store.deployments.activeIds()) {
        if (!this.drivers.has(id)) this.drive(id, "found");
      }
    } catch (error) {
      this.log.error({ err: error }, "polling the store failed");
    }
  }

  private drive(deploymentId: string, why: string): void {
    if (this.drivers.has(deploymentId) || this.stopper.signal.aborted) return;
    const driver = new DeploymentDriver(
      {
        store: this.deps.store,
        journal: this.journal,
        registry: this.deps.registry,
        ports: this.deps.portsFor(this.deps.store.deployments.get(deploymentId)?.app ?? ""),
        clock: this.deps.clock,
        logger: this.deps.logger,
        maxStepErrors: this.deps.maxStepErrors ?? 5,
        cleanStart: this.deps.cleanStart,
        ...(this.deps.rollbackPolicy ? { rollbackPolicy: this.deps.rollbackPolicy } : {}),
      },
      deploymentId,
      this.stopper.signal,
    );
    this.log.info({ deployment: deploymentId, why }, "driving deployment");
    // Registered before it runs: whatever its first synchronous turn causes (a command submitted from
    // a notifier callback) must find this driver and wake it, not start a second one.
    const entry = { driver, done: Promise.resolve() };
    this.drivers.set(deploymentId, entry);
    entry.done = driver
      .run()
      .catch((error: unknown) => {
        // A bug or a broken database: the deployment stays where it is and is resumed by the next start.
        this.log.error({ err: error, deployment: deploymentId }, "deployment driver crashed");
      })
      .finally(() => this.drivers.delete(deploymentId));
  }
}

function refuse(refusal: DeploymentRefusal): DeploymentRequestOutcome {
  return { ok: false, refusal };
}

/** For the timeline's audit line (a stored event, not a reply). */
function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
