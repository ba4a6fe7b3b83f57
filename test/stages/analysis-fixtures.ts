/**
 * Shared pieces of the ANALYSIS stage tests: metric configs as `config/` would produce them, a scripted
 * traffic model, and a harness with v1 already live so that the next deployment runs the analysis.
 */
import type {
  AnalysisMetric,
  ComparisonMetric,
  MetricCommon,
  SequentialMetric,
} from "../../src/domain/analysis-metric.js";
import type { StageConfig } from "../../src/domain/app-config.js";
import type { StageExecutor } from "../../src/engine/stage-executor.js";
import type { MetricQuery } from "../../src/ports.js";
import { refusalText } from "../../src/views/refusal-text.js";
import { type Harness, harness } from "../engine/harness.js";
import { FakeCloud } from "../fakes/fake-cloud.js";
import { perMinute, type Script, type ScriptedMetrics } from "../fakes/scripted-metrics.js";
import { metricCommon } from "../fixtures/metric-common.js";
import { stage, TOY_CLOUD, toyAppConfig } from "../fixtures/toy-app.js";

export const MINUTE = 60_000;
/** Index of the ANALYSIS stage in `pipeline`. */
export const ANALYSIS = 2;

export const common = metricCommon;

export const noArgs = { primary: {}, canary: {}, baseline: {} };

export const sequential = (
  overrides: Partial<MetricCommon> = {},
  earlyPass = false,
  control: SequentialMetric["control"] = "PRIMARY",
): AnalysisMetric => ({
  strategy: "SEQUENTIAL",
  common: common("errors", overrides),
  errors: "sum:errors{variant:{{ .Variant.Name }}}.as_count()",
  total: "sum:hits{variant:{{ .Variant.Name }}}.as_count()",
  control,
  maxRatio: 1,
  alpha: 0.01,
  deviation: "HIGH",
  earlyPass,
  variantArgs: noArgs,
});

export const threshold = (overrides: Partial<MetricCommon> = {}): AnalysisMetric => ({
  strategy: "THRESHOLD",
  common: common("error-rate", overrides),
  query: "sum:errors{variant:canary}/sum:hits{variant:canary}",
  expected: { max: 0.05 },
});

export const comparison = (
  strategy: ComparisonMetric["strategy"],
  overrides: Partial<MetricCommon> = {},
): AnalysisMetric => ({
  strategy,
  common: common("p99", overrides),
  query: "p99:latency{variant:{{ .Variant.Name }}}",
  deviation: "HIGH",
  variantArgs: noArgs,
});

/**
 * Canary at 10% of `rps` requests/s, errors at `canaryRate` / `controlRate`; exact expected counts. The
 * control (primary or baseline, whichever is asked) gets the other 90%.
 */
export function traffic(rps: number, canaryRate: number, controlRate = 0.002): Script {
  return (q: MetricQuery) => {
    const canary = q.query.includes("variant:canary");
    const requests = rps * 60 * (canary ? 0.1 : 0.9);
    if (q.query.startsWith("sum:hits")) return perMinute(q, () => requests);
    if (q.query.startsWith("sum:errors{variant:canary}/")) return perMinute(q, () => canaryRate);
    return perMinute(q, () => Math.round(requests * (canary ? canaryRate : controlRate)));
  };
}

export function pipeline(metrics: AnalysisMetric[], durationMs = 30 * MINUTE): StageConfig[] {
  return [
    stage("ECS_CANARY_ROLLOUT", { scale: 30 }, 0),
    stage("ECS_TRAFFIC_ROUTING", { primary: 90, canary: 10, baseline: 0 }, 1),
    stage("ANALYSIS", { durationMs, metrics, consecutiveErrorLimit: 4 }, ANALYSIS),
    stage("ECS_PRIMARY_ROLLOUT", {}, 3),
    stage("ECS_TRAFFIC_ROUTING", { primary: 100, canary: 0, baseline: 0 }, 4),
    stage("ECS_CANARY_CLEAN", {}, 5),
  ];
}

/** A harness whose metrics come from `fake`, with v1 already live; `executors` replace the defaults. */
export async function withV1(
  metrics: AnalysisMetric[],
  fake: ScriptedMetrics,
  durationMs?: number,
  executors: StageExecutor[] = [],
  steps: StageConfig[] = pipeline(metrics, durationMs),
): Promise<Harness> {
  const cloud = new FakeCloud(TOY_CLOUD);
  const h = harness({
    apps: { web: toyAppConfig({ pipeline: steps }) },
    cloud,
    ports: { ecs: cloud, loadBalancer: cloud, metrics: fake },
    replaceExecutors: executors,
  });
  const v1 = h.engine.requestDeployment({ app: "web", version: "v1", requester: "U_ALICE", reason: "" });
  if (!v1.ok) throw new Error(refusalText(v1.refusal));
  await h.settle(v1.deployment.id);
  return h;
}

export async function deployV2(h: Harness): Promise<string> {
  const v2 = h.engine.requestDeployment({ app: "web", version: "v2", requester: "U_ALICE", reason: "" });
  if (!v2.ok) throw new Error(refusalText(v2.refusal));
  return v2.deployment.id;
}

export function analysisStage(h: Harness, id: string) {
  return h.store.stages.get(id, ANALYSIS);
}

/** Advances virtual time a minute at a time until the deployment waits for people (at most `minutes`). */
export async function untilWaitingApproval(h: Harness, id: string, minutes = 100): Promise<void> {
  for (let i = 0; i < minutes && h.store.deployments.get(id)?.status !== "WAITING_APPROVAL"; i++)
    await h.clock.advance(MINUTE);
}
