/**
 * The analysis judges the benchmark compares, each fed the same 1-minute buckets of one simulated canary
 * (canary and control error/total counts). Kanaria's SEQUENTIAL runs the production code; the others
 * model how Argo Rollouts, Flagger, PipeCD and Kayenta users typically configure an error-rate check,
 * using Kanaria's production tick evaluators and failureLimit rule wherever the semantics coincide.
 *
 * A judge run is fed bucket after bucket (`push`). Anytime judges decide as soon as their rule trips
 * (`rolledBackAt`, sticky, the 1-based minute of the bucket that tripped it); the end-of-analysis
 * judge (Kayenta-like) only decides in `verdictAtEnd`, which reports what the judge would conclude if the
 * analysis ended after the buckets pushed so far and leaves the run unchanged, so one run can be asked at
 * 30 minutes and again at a longer horizon.
 */
import {
  DEFAULT_NO_DATA_LIMIT,
  DEFAULT_NO_DATA_SHARE,
  decideAnalysis,
} from "../../src/analysis/analysis-decision.js";
import { mannWhitneyU } from "../../src/analysis/mann-whitney.js";
import { foldMetric, hasFailed, type TickRecord } from "../../src/analysis/metric-progress.js";
import { DEFAULT_SEQUENTIAL_PRIOR, horizonFor } from "../../src/analysis/sequential-prior.js";
import {
  initialSequentialState,
  type SequentialBucket,
  type SequentialState,
  summarizeSequential,
  updateSequential,
} from "../../src/analysis/sequential-test.js";
import {
  evaluateComparison,
  evaluateThreshold,
  type TickOutcome,
} from "../../src/analysis/tick-evaluators.js";
import type {
  ComparisonMetric,
  MetricCommon,
  SequentialMetric,
  ThresholdMetric,
} from "../../src/domain/analysis-metric.js";
import { hodgesLehmann, type ShiftEstimate } from "./hodges-lehmann.js";

/** What a judge concludes about one canary. `ask`: Kanaria's INCONCLUSIVE (people are asked). */
export type JudgeVerdict = { kind: "rollback"; minute: number } | { kind: "promote" } | { kind: "ask" };

export interface JudgeRun {
  /** Folds in the next bucket (minute = buckets pushed so far). Ignored once the run rolled back. */
  push(bucket: SequentialBucket): void;
  /** Minute of the rollback decision so far; null while none (always null for end-of-analysis judges). */
  rolledBackAt(): number | null;
  /** The verdict if the analysis ended now. Pure with respect to the run. */
  verdictAtEnd(): JudgeVerdict;
}

export interface Judge {
  /** Short row label for the tables. */
  name: string;
  /** The configuration being modelled, printed under the tables. */
  setup: string;
  /** One simulated canary of an analysis `analysisMinutes` long (1-minute buckets). */
  start(analysisMinutes: number): JudgeRun;
}

/** Canary error ratio of a bucket; undefined without canary requests (no point, as in Datadog). */
export function canaryErrorRatio(b: SequentialBucket): number | undefined {
  return b.canaryTotal > 0 ? b.canaryErrors / b.canaryTotal : undefined;
}

/** Control (primary) error ratio of a bucket; undefined without control requests. */
export function controlErrorRatio(b: SequentialBucket): number | undefined {
  return b.controlTotal > 0 ? b.controlErrors / b.controlTotal : undefined;
}

const MINUTE_MS = 60_000;

function common(
  name: string,
  intervalMinutes: number,
  failureLimit: number,
  skipOnNoData: boolean,
): MetricCommon {
  return {
    name,
    provider: "datadog",
    intervalMs: intervalMinutes * MINUTE_MS,
    failureLimit,
    skipOnNoData,
    timeoutMs: 30_000,
    dryRun: false,
    appArgs: {},
  };
}

const NO_VARIANT_ARGS = { primary: {}, canary: {}, baseline: {} };

/**
 * Kanaria's SEQUENTIAL as the production stage runs it (`sequentialTick`, `foldMetric`,
 * `decideAnalysis`): alpha 0.01, maxRatio 1, control PRIMARY, early pass off, the default prior. Every
 * bucket goes through `updateSequential`; the tick fails once `failedAtBucket` is set, which is exactly
 * when `summarizeSequential(state).decision` is FAIL (the summary, 7× the cost of an update, is only
 * computed at the end). At the end the production decision applies: PASS, or INCONCLUSIVE (ask people)
 * when the traffic was too thin to detect a 3× increase.
 */
export function sequentialJudge(): Judge {
  const metric: SequentialMetric = {
    strategy: "SEQUENTIAL",
    common: common("error-ratio", 1, 0, false),
    errors: "sum:errors{*}.as_count()",
    total: "sum:requests{*}.as_count()",
    control: "PRIMARY",
    maxRatio: 1,
    alpha: 0.01,
    deviation: "HIGH",
    earlyPass: false,
    variantArgs: NO_VARIANT_ARGS,
  };
  return {
    name: "SEQUENTIAL (Kanaria)",
    setup: `alpha 0.01, maxRatio 1, default prior (${Object.entries(DEFAULT_SEQUENTIAL_PRIOR)
      .map(([field, value]) => `${field} ${value}`)
      .join(
        ", ",
      )}), late starts cut at the analysis's last minute as the stage does, early pass off; counts per 1-minute bucket`,
    start(analysisMinutes) {
      // The horizon the stage records for an analysis this long (see src/stages/analysis.ts).
      const prior = {
        ...DEFAULT_SEQUENTIAL_PRIOR,
        horizon: horizonFor(analysisMinutes * MINUTE_MS, MINUTE_MS),
      };
      let state: SequentialState = initialSequentialState({
        maxRatio: metric.maxRatio,
        alpha: metric.alpha,
        prior,
      });
      return {
        push(bucket) {
          if (state.failedAtBucket === null) state = updateSequential(state, bucket);
        },
        rolledBackAt: () => state.failedAtBucket,
        verdictAtEnd() {
          if (state.failedAtBucket !== null) return { kind: "rollback", minute: state.failedAtBucket };
          const progress = {
            ...foldMetric(metric, [], prior),
            answered: state.buckets,
            sequentialState: state,
            sequential: summarizeSequential(state),
          };
          const decision = decideAnalysis([{ metric, progress }], true, {
            consecutiveErrorLimit: 4,
            noDataLimit: DEFAULT_NO_DATA_LIMIT,
            noDataShare: DEFAULT_NO_DATA_SHARE,
          });
          if (decision.kind === "fail") return { kind: "rollback", minute: state.buckets };
          return decision.kind === "pass" ? { kind: "promote" } : { kind: "ask" };
        },
      };
    },
  };
}

/**
 * A per-tick rule folded the production way: every tick is recorded, and after a FAIL or NO_DATA tick
 * (the only ones that add failures) `foldMetric` + `hasFailed` decide with the metric's failureLimit
 * (fail when failures > failureLimit).
 */
function productionTickRun(
  metric: ThresholdMetric | ComparisonMetric,
  tick: (minute: number, bucket: SequentialBucket) => TickOutcome | undefined,
): JudgeRun {
  const ticks: TickRecord[] = [];
  let minute = 0;
  let failedAt: number | null = null;
  return {
    push(bucket) {
      if (failedAt !== null) return;
      minute += 1;
      const outcome = tick(minute, bucket);
      if (outcome === undefined) return;
      ticks.push({ at: minute * MINUTE_MS, ...outcome });
      if (outcome.verdict !== "FAIL" && outcome.verdict !== "NO_DATA") return;
      if (hasFailed(metric, foldMetric(metric, ticks, DEFAULT_SEQUENTIAL_PRIOR))) failedAt = minute;
    },
    rolledBackAt: () => failedAt,
    verdictAtEnd: () => (failedAt === null ? { kind: "promote" } : { kind: "rollback", minute: failedAt }),
  };
}

/**
 * THRESHOLD as Argo Rollouts users write it (the Argo docs' Datadog example): the canary's error ratio
 * over each 1-minute interval, `successCondition: result <= 0.01`, i.e. `evaluateThreshold` with
 * max 0.01; the analysis fails when failures > failureLimit (Argo's rule, also Kanaria's). A minute
 * without canary requests has no point and is skipped.
 */
export function argoThresholdJudge(failureLimit: number): Judge {
  const metric: ThresholdMetric = {
    strategy: "THRESHOLD",
    common: common("error-ratio", 1, failureLimit, true),
    query: "error ratio",
    expected: { max: 0.01 },
  };
  return {
    name: `THRESHOLD Argo, failureLimit ${failureLimit}`,
    setup: `canary error ratio per 1-min interval, successCondition result <= 0.01, failureLimit ${failureLimit} (roll back at failure ${failureLimit + 1})`,
    start: () =>
      productionTickRun(metric, (_, bucket) => {
        const ratio = canaryErrorRatio(bucket);
        return ratio === undefined ? undefined : evaluateThreshold([ratio], metric.expected);
      }),
  };
}

/**
 * THRESHOLD as Flagger users write it (Flagger's docs): builtin `request-success-rate` (percentage of
 * non-5xx canary requests over the 1-minute interval), `thresholdRange: {min: 99}`, analysis
 * `threshold: 5`. Flagger rolls back when failedChecks ≥ threshold, i.e. at the 5th failed check; its
 * controller acts on that at its next tick, a minute later, which is not counted here (in Flagger's
 * favour). Flagger also steps traffic up (stepWeight); here the canary stays at 10% like the others.
 */
export function flaggerJudge(threshold = 5): Judge {
  const expected = { min: 99 };
  return {
    name: `THRESHOLD Flagger, threshold ${threshold}`,
    setup: `request-success-rate ≥ 99% per 1-min check, threshold ${threshold} (roll back at failed check ${threshold})`,
    start() {
      let minute = 0;
      let failedChecks = 0;
      let failedAt: number | null = null;
      return {
        push(bucket) {
          if (failedAt !== null) return;
          minute += 1;
          const ratio = canaryErrorRatio(bucket);
          if (ratio === undefined) return;
          if (evaluateThreshold([100 * (1 - ratio)], expected).verdict === "FAIL") failedChecks += 1;
          if (failedChecks >= threshold) failedAt = minute;
        },
        rolledBackAt: () => failedAt,
        verdictAtEnd: () =>
          failedAt === null ? { kind: "promote" } : { kind: "rollback", minute: failedAt },
      };
    },
  };
}

/**
 * CANARY_PRIMARY as PipeCD runs it: every `intervalMinutes` the canary's per-minute error ratios in that
 * window are compared with the primary's by `evaluateComparison` (Mann-Whitney U, deviation HIGH, the
 * check fails when p ≤ 0.05); failureLimit 0, so the first failed check rolls back.
 */
export function pipecdJudge(intervalMinutes = 5): Judge {
  const metric: ComparisonMetric = {
    strategy: "CANARY_PRIMARY",
    common: common("error-ratio", intervalMinutes, 0, false),
    query: "error ratio",
    deviation: "HIGH",
    variantArgs: NO_VARIANT_ARGS,
  };
  return {
    name: `CANARY_PRIMARY PipeCD, ${intervalMinutes}-min`,
    setup: `every ${intervalMinutes} min: Mann-Whitney U of the ${intervalMinutes} per-minute canary error ratios vs the primary's, deviation HIGH, fail at p ≤ 0.05, failureLimit 0`,
    start() {
      let canary: number[] = [];
      let primary: number[] = [];
      return productionTickRun(metric, (minute, bucket) => {
        const c = canaryErrorRatio(bucket);
        const p = controlErrorRatio(bucket);
        if (c !== undefined) canary.push(c);
        if (p !== undefined) primary.push(p);
        if (minute % intervalMinutes !== 0) return undefined;
        const outcome = evaluateComparison(canary, primary, metric.deviation, "primary");
        canary = [];
        primary = [];
        return outcome;
      });
    },
  };
}

/** Kayenta-like judgement of all per-minute points at once. */
export interface KayentaJudgement {
  /** Mann-Whitney U of canary vs control (one-sided, canary higher). */
  u: number;
  pValue: number;
  /** Hodges-Lehmann shift canary − control with its interval. */
  shift: ShiftEstimate;
  /** The interval lies entirely above 0: the canary is worse. */
  fail: boolean;
}

/** Judges canary vs control per-minute error ratios as the Kayenta-like judge does (see there). */
export function kayentaJudgement(
  canary: readonly number[],
  control: readonly number[],
  confidence: number,
): KayentaJudgement {
  const { u, pValue } = mannWhitneyU(canary, control, "greater");
  const shift = hodgesLehmann(canary, control, confidence);
  return { u, pValue, shift, fail: shift.lower > 0 };
}

/**
 * Kayenta-like: one judgement at the end of the analysis over every per-minute error-ratio point of the
 * canary and the control: Mann-Whitney U plus the Hodges-Lehmann shift with a 98% interval; roll back
 * (at the last minute) when the interval lies entirely above 0. Without points on either side it cannot
 * judge and asks.
 */
export function kayentaJudge(confidence = 0.98): Judge {
  return {
    name: "Kayenta-like, end of analysis",
    setup: `at the end only: Mann-Whitney U + Hodges-Lehmann shift of all per-minute error ratios, ${Math.round(100 * confidence)}% interval, fail when the interval is entirely above 0`,
    start() {
      const canary: number[] = [];
      const control: number[] = [];
      let minute = 0;
      return {
        push(bucket) {
          minute += 1;
          const c = canaryErrorRatio(bucket);
          const p = controlErrorRatio(bucket);
          if (c !== undefined) canary.push(c);
          if (p !== undefined) control.push(p);
        },
        rolledBackAt: () => null,
        verdictAtEnd() {
          if (canary.length === 0 || control.length === 0) return { kind: "ask" };
          return kayentaJudgement(canary, control, confidence).fail
            ? { kind: "rollback", minute }
            : { kind: "promote" };
        },
      };
    },
  };
}

/** The benchmark's judges, in table order. */
export function benchmarkJudges(): Judge[] {
  return [
    sequentialJudge(),
    argoThresholdJudge(0),
    argoThresholdJudge(3),
    flaggerJudge(5),
    pipecdJudge(5),
    kayentaJudge(0.98),
  ];
}
