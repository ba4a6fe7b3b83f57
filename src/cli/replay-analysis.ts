/**
 * `kanaria replay`'s runner — wiring, hence in cli/: it puts a recorded-series provider under the
 * engine. One ANALYSIS stage, run by the production deployment driver and the
 * production ANALYSIS executor on an in-memory SQLite store, in virtual time, with a recording's series
 * as the metrics provider. The tick loop, the stored measurements and the decision are therefore exactly
 * production's; only the world is recorded.
 *
 * Virtual time: the clock starts at the recording's `start` and every sleep jumps it forward at once.
 * That is sound here because the driver is the only thing waiting and the recorded provider answers
 * without real I/O. The replay ends when the stage ends (PASS or FAIL) or when it pauses to ask people
 * (INCONCLUSIVE), since nobody will answer.
 *
 * Timeouts: a recording has no app config, so no `spec.timeout`; the replay gives the deployment and
 * the stage the analysis's duration plus 6h (`replayTimeoutMs`), never the 6h default alone. Live, a
 * stage longer than the deployment timeout is a config error (check-stage-lengths.ts); a replay must
 * run every valid duration, and a fixed 6h cut a 6h analysis at its last tick (the deployment timed
 * out and the replay died in the rollback it has no cloud for).
 */

import type { Recording } from "../config/parse-recording.js";
import { SIX_HOURS_MS } from "../config/parse-stage-options.js";
import type { AppConfig } from "../domain/app-config.js";
import type { Deployment } from "../domain/deployment.js";
import { KanariaError } from "../domain/kanaria-error.js";
import type { Measurement } from "../domain/measurement.js";
import { DeploymentDriver } from "../engine/deployment-driver.js";
import { ExecutorRegistry } from "../engine/executor-registry.js";
import { Journal } from "../engine/journal.js";
import { type Logger, silentLogger } from "../engine/logger.js";
import type { Clock, Ecs, LoadBalancer, MetricQuery, Metrics } from "../ports.js";
import { metricsFromQuery } from "../providers/metrics-from-query.js";
import { RecordedMetrics } from "../providers/recorded-metrics.js";
import { analysisExecutor } from "../stages/analysis.js";
import { openStore } from "../store/store.js";

/** One tick as `kanaria replay` prints it (and as a live run's measurement reads). */
export interface ReplayTick {
  metric: string;
  /** End of the tick's window (ms since the epoch). */
  at: number;
  verdict: string;
  pValue?: number;
  estimate?: number | null;
  evidence?: number | null;
  interval?: Array<number | null>;
  reason: string;
}

export type ReplayVerdict = "PASS" | "FAIL" | "INCONCLUSIVE";

export interface ReplayResult {
  ticks: ReplayTick[];
  result: ReplayVerdict;
  /** Seconds from the analysis start to the decision. */
  decidedAtSeconds: number;
  reason: string;
  /** The analysis start (ms), which the tick grid is laid from. */
  analysisStartMs: number;
}

const DEPLOYMENT_ID = "replay";

/** Replays the recording's analysis. Rejects with KanariaError RECORDING_MISSING_QUERY (see RecordedMetrics). */
export async function replayAnalysis(
  recording: Recording,
  options: { logger?: Logger } = {},
): Promise<ReplayResult> {
  const clock = new JumpClock(recording.startMs);
  const stop = new AbortController();
  let missing: unknown;
  const recorded = new RecordedMetrics(recording.series, clock, recording.lagMs);
  // A missing series is a broken recording, not a provider hiccup to retry: stop at the first one.
  const answers = metricsFromQuery((request: MetricQuery) =>
    recorded.query(request).catch((error: unknown) => {
      missing ??= error;
      stop.abort();
      throw error;
    }),
  );
  // The recording's lag delays the grid as it did live (stages/analysis.ts).
  const metrics: Metrics = { ...answers, lagMsOf: () => recorded.lagMsOf() };
  const { store } = openStore(":memory:");
  try {
    const timeoutMs = replayTimeoutMs(recording);
    const journal = new Journal(store, clock, {
      // Paused to ask people: in a replay nobody answers, so that is where it ends.
      publish: ({ deploymentId }) => {
        if (store.deployments.get(deploymentId)?.status === "WAITING_APPROVAL") stop.abort();
      },
      notice: () => undefined,
    });
    store.deployments.insert(replayDeployment(recording, timeoutMs));
    store.stages.insert({
      deploymentId: DEPLOYMENT_ID,
      index: 0,
      kind: "ANALYSIS",
      stageId: "analysis",
      description: "replay",
      visible: true,
      options: recording.analysis,
      timeoutMs,
      status: "NOT_STARTED",
      statusReason: "",
      state: {},
      attempts: 0,
      startedAt: undefined,
      finishedAt: undefined,
    });
    const driver = new DeploymentDriver(
      {
        store,
        journal,
        registry: new ExecutorRegistry().register(analysisExecutor()),
        ports: { ecs: noEcs, loadBalancer: noLoadBalancer, metrics },
        clock,
        logger: options.logger ?? silentLogger(),
        maxStepErrors: 5,
        // A replay touches no cloud: there is nothing left over to check.
        cleanStart: async () => ({ kind: "clean" }),
      },
      DEPLOYMENT_ID,
      stop.signal,
    );
    await driver.run();
    if (missing !== undefined) throw missing;

    const stage = store.stages.get(DEPLOYMENT_ID, 0);
    const deployment = store.deployments.get(DEPLOYMENT_ID);
    if (!stage || !deployment) throw new Error("the replay's deployment vanished from its store");
    const start =
      typeof stage.state.analysisStart === "number" ? stage.state.analysisStart : recording.startMs;
    const ticks = store.measurements.list(DEPLOYMENT_ID, 0).map(replayTick);
    const seconds = (at: number) => Math.round((at - start) / 1000);
    if (stage.status === "SUCCESS" || stage.status === "FAILURE") {
      return {
        ticks,
        result: stage.status === "SUCCESS" ? "PASS" : "FAIL",
        decidedAtSeconds: seconds(stage.finishedAt ?? clock.now()),
        reason: stage.statusReason,
        analysisStartMs: start,
      };
    }
    if (deployment.status === "WAITING_APPROVAL") {
      return {
        ticks,
        result: "INCONCLUSIVE",
        decidedAtSeconds: seconds(clock.now()),
        reason: deployment.statusReason,
        analysisStartMs: start,
      };
    }
    throw new Error(
      `the replay stopped with the stage ${stage.status} and the deployment ${deployment.status}`,
    );
  } finally {
    store.close();
  }
}

/** A stored measurement as a replay tick: the same conversion for live runs and replays. */
export function replayTick(m: Pick<Measurement, "metric" | "at" | "verdict" | "data">): ReplayTick {
  const tick: ReplayTick = {
    metric: m.metric,
    at: m.at,
    verdict: m.verdict,
    reason: String(m.data.reason ?? ""),
  };
  const { pValue, estimate, evidence, interval } = m.data;
  if (typeof pValue === "number") tick.pValue = pValue;
  if (typeof estimate === "number" || estimate === null) tick.estimate = estimate;
  if (typeof evidence === "number" || evidence === null) tick.evidence = evidence;
  if (Array.isArray(interval)) {
    tick.interval = interval.map((x) => (typeof x === "number" ? x : null));
  }
  return tick;
}

/** Longer than the analysis, with room for the minute alignment and waits (see the module comment). */
export function replayTimeoutMs(recording: Pick<Recording, "analysis">): number {
  return recording.analysis.durationMs + SIX_HOURS_MS;
}

function replayDeployment(recording: Recording, timeoutMs: number): Deployment {
  const app: AppConfig = {
    name: recording.app,
    file: "(recording)",
    labels: recording.labels,
    description: "",
    input: { serviceDefinitionFile: "", taskDefinitionFile: "", targetGroups: {}, accessType: "ELB" },
    serviceDefinition: {},
    taskDefinition: {},
    pipeline: [
      {
        kind: "ANALYSIS",
        id: "analysis",
        description: "replay",
        timeoutMs,
        options: recording.analysis,
      },
    ],
    autoRollback: false,
    timeoutMs,
    mentions: [],
  };
  return {
    id: DEPLOYMENT_ID,
    app: recording.app,
    version: recording.version,
    previousVersion: undefined,
    requester: "replay",
    reason: "replay",
    status: "PLANNED",
    statusReason: "",
    rollbackCause: undefined,
    createdAt: recording.startMs,
    startedAt: undefined,
    finishedAt: undefined,
    deadlineAt: recording.startMs + timeoutMs,
    appConfig: app,
    access: { approvers: [], fourEyes: false },
    context: {},
  };
}

/** Virtual time that jumps: `sleep` moves the clock to the wake-up at once (unless already aborted). */
class JumpClock implements Clock {
  constructor(private current: number) {}

  now(): number {
    return this.current;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (!signal?.aborted) this.current += Math.max(0, ms);
  }
}

const noCloud = (): Promise<never> =>
  Promise.reject(
    new KanariaError("REPLAY_NO_CLOUD", "a replay runs only the ANALYSIS stage; it has no cloud"),
  );

const noEcs: Ecs = {
  registerTaskDefinition: noCloud,
  ensureService: noCloud,
  describeService: noCloud,
  createTaskSet: noCloud,
  updatePrimaryTaskSet: noCloud,
  deleteTaskSet: noCloud,
};

const noLoadBalancer: LoadBalancer = {
  findForwardRules: noCloud,
  setWeights: noCloud,
  describeTargetHealth: noCloud,
};
