/**
 * The benchmark's cells (issue #4): a scenario at a traffic level, simulated `sims` times, every judge
 * fed the same buckets. The traffic model is the SEQUENTIAL power simulation's
 * (`scripts/sim/sequential-power.ts`, `src/analysis/sequential-simulation.ts`): Poisson requests, canary
 * share 10%, control error rate 0.2% times a per-minute log-normal factor (σ 0.5 in ln, mean 1) shared by
 * both variants, binomial errors, 1-minute buckets. Each cell has its own seeded stream (`cellSeed`), so
 * a cell's figures do not depend on which other cells run, and the same seed gives the same output.
 *
 * A run is simulated up to the cell's last checkpoint (the 30-minute analysis, and for the detection
 * targets the minute at which N canary errors are expected, which is far longer at low traffic). Each
 * judge's end-of-analysis verdict is taken at every checkpoint; an anytime judge's verdict at a
 * checkpoint is its first rollback up to then, so the 30-minute table and the longer horizons come from
 * the same canaries.
 */
import { cellSeed } from "../../scripts/sim/sequential-power.js";
import { type SeededRandom, sequentialRandom } from "../../src/analysis/sequential-random.js";
import {
  absoluteRateFrom,
  expectedCanaryErrorsPerBucket,
  ratioFrom,
  simulateBucket,
  type TrafficScenario,
} from "../../src/analysis/sequential-simulation.js";
import type { Judge, JudgeVerdict } from "./judges.js";

/** Requests per second to both variants together. */
export const TRAFFIC_LEVELS: readonly number[] = [5, 20, 100, 500];
/** Length of the analysis in the tables, in 1-minute buckets. */
export const ANALYSIS_MINUTES = 30;

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
}

/** Runs `sims` simulated canaries of `scenario` at `requestsPerSecond` through every judge. */
export function runCell(
  scenario: Scenario,
  requestsPerSecond: number,
  sims: number,
  seed: number,
  judges: readonly Judge[],
): CellResult {
  const rng = sequentialRandom(cellSeed(seed, scenario.id, requestsPerSecond));
  const checkpoints = checkpointsFor(scenario, requestsPerSecond);
  const last = checkpoints[checkpoints.length - 1] ?? ANALYSIS_MINUTES;
  const tallies: Tally[][] = judges.map(() => checkpoints.map(() => ({ rollbackMinutes: [], asks: 0 })));
  for (let sim = 0; sim < sims; sim++) {
    const traffic = scenario.traffic(requestsPerSecond, rng);
    const runs = judges.map((judge) => judge.start());
    let next = 0;
    for (let minute = 1; minute <= last; minute++) {
      const bucket = simulateBucket(rng, traffic, minute - 1);
      for (const run of runs) run.push(bucket);
      if (minute !== checkpoints[next]) continue;
      runs.forEach((run, j) => {
        record(tallies[j]?.[next], run.verdictAtEnd());
      });
      next += 1;
    }
  }
  return { scenario, requestsPerSecond, sims, checkpoints, tallies };
}

function record(tally: Tally | undefined, verdict: JudgeVerdict): void {
  if (!tally) return;
  if (verdict.kind === "rollback") tally.rollbackMinutes.push(verdict.minute);
  if (verdict.kind === "ask") tally.asks += 1;
}
