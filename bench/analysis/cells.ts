/**
 * The benchmark's cells (issue #4): a scenario at a traffic level, simulated `sims` times, every judge
 * fed the same buckets. The traffic model is the SEQUENTIAL power simulation's
 * (`scripts/sim/sequential-power.ts`, `bench/analysis/sequential-simulation.ts`): Poisson requests, canary
 * share 10%, control error rate 0.2% times a per-minute log-normal factor (σ 0.5 in ln, mean 1) shared by
 * both variants, binomial errors, 1-minute buckets. Each cell has its own seeded stream (`cellSeed`), so
 * a cell's figures do not depend on which other cells run, and the same seed gives the same output.
 *
 * A run is simulated up to the cell's last checkpoint (the 30-minute analysis, and for the detection
 * targets the minute at which N canary errors are expected, which is far longer at low traffic). Each
 * judge's end-of-analysis verdict is taken at every checkpoint; an anytime judge's verdict at a
 * checkpoint is its first rollback up to then, so the 30-minute table and the longer horizons come from
 * the same canaries.
 *
 * Alongside the judges, each run of a constant-ratio regression (2×, 1.5×, 10×) is also judged by the
 * oracle of `oracle.ts` (the most powerful level-α test knowing the ratio and the onset) over exactly the
 * buckets its target allows: from the onset to each detection horizon, or the first
 * HARD_FAILURE_BUCKETS bad buckets of a hard failure. A cell records its mean rejection probability,
 * the oracle's power on these canaries.
 */

import { SeededRandom } from "../../sandbox/seeded-random.js";
import { cellSeed } from "../../scripts/sim/sequential-power.js";
import type { Judge, JudgeVerdict } from "./judges.js";
import { addBucket, emptyNullSplit, type NullSplit, oracleRejection } from "./oracle.js";
import {
  absoluteRateFrom,
  expectedCanaryErrorsPerBucket,
  ratioFrom,
  simulateBucket,
  type TrafficScenario,
} from "./sequential-simulation.js";

/** Requests per second to both variants together. */
export const TRAFFIC_LEVELS: readonly number[] = [5, 20, 100, 500];
/** Length of the analysis in the tables, in 1-minute buckets. */
export const ANALYSIS_MINUTES = 30;
/** Buckets from the first bad bucket (inclusive) within which a hard failure must be rolled back. */
export const HARD_FAILURE_BUCKETS = 2;
/** Level of the oracle bound: SEQUENTIAL's alpha in the benchmark. */
export const ORACLE_ALPHA = 0.01;

export const BASE_TRAFFIC: Omit<TrafficScenario, "requestsPerSecond"> = {
  canaryShare: 0.1,
  baseErrorRate: 0.002,
  noiseSigma: 0.5,
  bucketSeconds: 60,
};

/** Shared incident: both variants' error rates × U(10, 50) (drawn per run) in minutes 10–14. */
export const INCIDENT = { firstMinute: 10, lastMinute: 14, minFactor: 10, maxFactor: 50 };

/** §10 detection targets measured at a horizon of N expected canary errors. */
export interface DetectionTarget {
  /** N: canary errors expected by the horizon. */
  errors: number;
  /** Required share of runs caught by then, in [0, 1]. */
  share: number;
}

export interface Scenario {
  id: string;
  label: string;
  /** First bad minute (1-based) of a regression; null when canary and control are alike. */
  onset: number | null;
  /** Canary error rate over the control's from the onset (an absolute-rate hard failure: undefined). */
  ratio?: number;
  detection?: DetectionTarget;
  /** One of §10's hard failures (10× or 20% errors), judged on decisions within two bad buckets. */
  hardFailure?: true;
  /** The simulated canary for one run; may draw from `rng` (the incident's size). */
  traffic(requestsPerSecond: number, rng: SeededRandom): TrafficScenario;
}

const base = (requestsPerSecond: number): TrafficScenario => ({ ...BASE_TRAFFIC, requestsPerSecond });

function regression(ratio: number, detection?: DetectionTarget): Scenario {
  return {
    id: `${ratio}x`,
    label: `${ratio}× error-rate regression from minute 1`,
    onset: 1,
    ratio,
    ...(detection ? { detection } : {}),
    traffic: (rps) => ({ ...base(rps), canaryRate: ratioFrom(ratio) }),
  };
}

function hardFailure(kind: "10x" | "20pct", onset: number): Scenario {
  const from = onset - 1;
  return {
    id: `${kind}@${onset}`,
    label: `${kind === "10x" ? "10× regression" : "hard failure: 20% canary errors"} from minute ${onset}`,
    onset,
    hardFailure: true,
    ...(kind === "10x" ? { ratio: 10 } : {}),
    traffic: (rps) => ({
      ...base(rps),
      canaryRate: kind === "10x" ? ratioFrom(10, from) : absoluteRateFrom(0.2, from),
    }),
  };
}

export const SCENARIOS: readonly Scenario[] = [
  { id: "aa", label: "A/A (identical versions)", onset: null, traffic: (rps) => base(rps) },
  {
    id: "incident",
    label: `A/A + shared incident (both × ${INCIDENT.minFactor}–${INCIDENT.maxFactor}, minutes ${INCIDENT.firstMinute}–${INCIDENT.lastMinute})`,
    onset: null,
    traffic: (rps, rng) => {
      const factor = INCIDENT.minFactor + (INCIDENT.maxFactor - INCIDENT.minFactor) * rng.next();
      const inIncident = (index: number) =>
        index + 1 >= INCIDENT.firstMinute && index + 1 <= INCIDENT.lastMinute;
      return { ...base(rps), sharedFactor: (index) => (inIncident(index) ? factor : 1) };
    },
  },
  regression(1.2),
  regression(1.5, { errors: 100, share: 0.8 }),
  regression(2, { errors: 40, share: 0.95 }),
  regression(5),
  hardFailure("10x", 1),
  hardFailure("10x", 11),
  hardFailure("20pct", 1),
  hardFailure("20pct", 11),
];

/**
 * Minute at which canary requests × `errorRate` reach `errors` expected canary errors: the "once
 * ~N canary errors are expected". With the control's (base) rate this counts canary traffic seen; with
 * the canary's own regressed rate it is sooner.
 */
export function horizonMinutes(requestsPerSecond: number, errors: number, errorRate: number): number {
  const perMinute = expectedCanaryErrorsPerBucket({ ...base(requestsPerSecond), baseErrorRate: errorRate });
  // The epsilon keeps an exact multiple (e.g. 6 errors per minute, 12 wanted) from rounding up a minute.
  return Math.max(1, Math.ceil(errors / perMinute - 1e-9));
}

/** The checkpoints of a cell: the analysis length and, for detection targets, both horizons. */
export function checkpointsFor(scenario: Scenario, requestsPerSecond: number): number[] {
  const points = new Set([ANALYSIS_MINUTES]);
  if (scenario.detection && scenario.ratio !== undefined) {
    const { errors } = scenario.detection;
    points.add(horizonMinutes(requestsPerSecond, errors, BASE_TRAFFIC.baseErrorRate));
    points.add(horizonMinutes(requestsPerSecond, errors, BASE_TRAFFIC.baseErrorRate * scenario.ratio));
  }
  return [...points].sort((a, b) => a - b);
}

/**
 * The minutes at which the oracle is evaluated (its window always starts at the onset): the detection
 * horizons, or the last of a hard failure's allowed buckets. None for scenarios without a constant
 * ratio (A/A, the incident, the absolute-rate hard failure, whose ratio moves with the noise).
 */
export function oracleMinutesFor(scenario: Scenario, requestsPerSecond: number): number[] {
  if (scenario.ratio === undefined || scenario.onset === null) return [];
  if (scenario.hardFailure) return [scenario.onset + HARD_FAILURE_BUCKETS - 1];
  if (!scenario.detection) return [];
  const { errors } = scenario.detection;
  const horizons = new Set([
    horizonMinutes(requestsPerSecond, errors, BASE_TRAFFIC.baseErrorRate),
    horizonMinutes(requestsPerSecond, errors, BASE_TRAFFIC.baseErrorRate * scenario.ratio),
  ]);
  return [...horizons].sort((a, b) => a - b);
}

/** One judge's outcomes in one cell at one checkpoint. */
export interface Tally {
  /** Minute of each rollback decision, one entry per run that rolled back. */
  rollbackMinutes: number[];
  /** Runs that ended inconclusive (people asked). */
  asks: number;
}

export interface CellResult {
  scenario: Scenario;
  requestsPerSecond: number;
  sims: number;
  checkpoints: number[];
  /** tallies[judge][checkpoint], indices as in the judges list and `checkpoints`. */
  tallies: Tally[][];
  /** Minutes at which the oracle was evaluated (`oracleMinutesFor`). */
  oracleMinutes: number[];
  /** The oracle's power (mean rejection probability over the runs) at each of `oracleMinutes`. */
  oraclePower: number[];
}

/** Runs `sims` simulated canaries of `scenario` at `requestsPerSecond` through every judge. */
export function runCell(
  scenario: Scenario,
  requestsPerSecond: number,
  sims: number,
  seed: number,
  judges: readonly Judge[],
): CellResult {
  const rng = new SeededRandom(cellSeed(seed, scenario.id, requestsPerSecond));
  const checkpoints = checkpointsFor(scenario, requestsPerSecond);
  const last = checkpoints[checkpoints.length - 1] ?? ANALYSIS_MINUTES;
  const tallies: Tally[][] = judges.map(() => checkpoints.map(() => ({ rollbackMinutes: [], asks: 0 })));
  const oracleMinutes = oracleMinutesFor(scenario, requestsPerSecond);
  const oracleFrom = scenario.onset ?? 1;
  const oracleLast = oracleMinutes[oracleMinutes.length - 1] ?? 0;
  const rejections = oracleMinutes.map(() => 0);
  for (let sim = 0; sim < sims; sim++) {
    const traffic = scenario.traffic(requestsPerSecond, rng);
    const runs = judges.map((judge) => judge.start(last));
    const split: NullSplit = emptyNullSplit();
    let next = 0;
    let nextOracle = 0;
    for (let minute = 1; minute <= last; minute++) {
      const bucket = simulateBucket(rng, traffic, minute - 1);
      for (const run of runs) run.push(bucket);
      if (minute >= oracleFrom && minute <= oracleLast) {
        const requests = bucket.canaryTotal + bucket.controlTotal;
        const errors = bucket.canaryErrors + bucket.controlErrors;
        if (requests > 0 && errors > 0) {
          addBucket(split, bucket.canaryErrors, errors, bucket.canaryTotal / requests);
        }
        if (minute === oracleMinutes[nextOracle]) {
          rejections[nextOracle] = (rejections[nextOracle] as number) + oracleRejection(split, ORACLE_ALPHA);
          nextOracle += 1;
        }
      }
      if (minute !== checkpoints[next]) continue;
      runs.forEach((run, j) => {
        record(tallies[j]?.[next], run.verdictAtEnd());
      });
      next += 1;
    }
  }
  return {
    scenario,
    requestsPerSecond,
    sims,
    checkpoints,
    tallies,
    oracleMinutes,
    oraclePower: rejections.map((r) => r / sims),
  };
}

function record(tally: Tally | undefined, verdict: JudgeVerdict): void {
  if (!tally) return;
  if (verdict.kind === "rollback") tally.rollbackMinutes.push(verdict.minute);
  if (verdict.kind === "ask") tally.asks += 1;
}
