/**
 * Power and false-alarm simulation of the `SEQUENTIAL` strategy against DESIGN §10's targets.
 *
 *   npx tsx scripts/sim/sequential-power.ts [--runs 2000] [--seed 20260401] [--traffic 5,20,50,100,200,500]
 *       [--rows aa,incident,…] [--prior centre=1.8,late=0.3,lateCentre=6.5,…] [--uncut]
 *
 * Traffic model (bench/analysis/sequential-simulation.ts): requests Poisson at the given rate, canary share
 * 10%, control error rate 0.2% times a per-minute log-normal factor (σ = 0.5 in ln, mean 1) shared by
 * both variants, 1-minute buckets, binomial errors. Every cell has its own seeded stream, so a cell's
 * figure does not depend on which other cells run. "N expected canary errors" counts canary requests ×
 * the control's (base) error rate: it measures how much canary traffic has been seen, whatever the
 * canary's own rate; the rows marked "own rate" use the canary's regressed rate instead (a harder
 * reading, shown for honesty: even a fixed-sample level-1% test that knew the alternative would reach
 * only ~87% in both of those rows).
 */
import { pathToFileURL } from "node:url";
import {
  absoluteRateFrom,
  expectedCanaryErrorsPerBucket,
  ratioFrom,
  simulateBucket,
  type TrafficScenario,
} from "../../bench/analysis/sequential-simulation.js";
import { SeededRandom } from "../../sandbox/seeded-random.js";
import {
  DEFAULT_SEQUENTIAL_PRIOR,
  horizonFor,
  type SequentialPrior,
} from "../../src/analysis/sequential-prior.js";
import {
  initialSequentialState,
  type SequentialState,
  updateSequential,
} from "../../src/analysis/sequential-test.js";

export interface Row {
  id: string;
  label: string;
  target: string;
  /** Scenario at a traffic level (requests/s). */
  scenario: (requestsPerSecond: number, rng: SeededRandom) => TrafficScenario;
  /** Buckets to simulate at this traffic level. */
  buckets: (base: TrafficScenario) => number;
  /** Counts as a success (a detection, or for null rows a false failure) given the state after the run. */
  hit: (failedAtBucket: number | null) => boolean;
}

const BASE: Omit<TrafficScenario, "requestsPerSecond"> = {
  canaryShare: 0.1,
  baseErrorRate: 0.002,
  noiseSigma: 0.5,
  bucketSeconds: 60,
};

const base = (requestsPerSecond: number): TrafficScenario => ({ ...BASE, requestsPerSecond });
const untilExpected = (errors: number) => (s: TrafficScenario) =>
  Math.ceil(errors / expectedCanaryErrorsPerBucket(s));
const failed = (at: number | null) => at !== null;
const within = (last: number) => (at: number | null) => at !== null && at <= last;

export const ROWS: Row[] = [
  {
    id: "aa",
    label: "A/A, 30 min: false failures",
    target: "≤ 1%",
    scenario: base,
    buckets: () => 30,
    hit: failed,
  },
  {
    id: "aa-long",
    label: "A/A, 3 h: false failures",
    target: "≤ 1%",
    scenario: base,
    buckets: () => 180,
    hit: failed,
  },
  {
    id: "incident",
    label: "A/A + shared incident ×10–50, min 10–14: false failures",
    target: "≤ 2%",
    scenario: (rps, rng) => {
      const factor = 10 + 40 * rng.next();
      return { ...base(rps), sharedFactor: (i) => (i >= 9 && i < 14 ? factor : 1) };
    },
    buckets: () => 30,
    hit: failed,
  },
  {
    id: "2x-40",
    label: "2× from start, caught by 40 expected canary errors",
    target: "≥ 95%",
    scenario: (rps) => ({ ...base(rps), canaryRate: ratioFrom(2) }),
    buckets: untilExpected(40),
    hit: failed,
  },
  {
    id: "1.5x-100",
    label: "1.5× from start, caught by 100 expected canary errors",
    target: "≥ 80%",
    scenario: (rps) => ({ ...base(rps), canaryRate: ratioFrom(1.5) }),
    buckets: untilExpected(100),
    hit: failed,
  },
  {
    id: "2x-40-own",
    label: "2×, by 40 canary errors at its own rate (20 at base)",
    target: "(≥ 95%)",
    scenario: (rps) => ({ ...base(rps), canaryRate: ratioFrom(2) }),
    buckets: untilExpected(20),
    hit: failed,
  },
  {
    id: "1.5x-100-own",
    label: "1.5×, by 100 canary errors at its own rate (67 at base)",
    target: "(≥ 80%)",
    scenario: (rps) => ({ ...base(rps), canaryRate: ratioFrom(1.5) }),
    buckets: untilExpected(100 / 1.5),
    hit: failed,
  },
  {
    id: "2x-30m",
    label: "2× from start, caught within 30 min",
    target: "",
    scenario: (rps) => ({ ...base(rps), canaryRate: ratioFrom(2) }),
    buckets: () => 30,
    hit: failed,
  },
  {
    id: "1.5x-30m",
    label: "1.5× from start, caught within 30 min",
    target: "",
    scenario: (rps) => ({ ...base(rps), canaryRate: ratioFrom(1.5) }),
    buckets: () => 30,
    hit: failed,
  },
  {
    id: "10x-start",
    label: "10× from bucket 1, decided by bucket 2",
    target: "≤ 2 buckets",
    scenario: (rps) => ({ ...base(rps), canaryRate: ratioFrom(10) }),
    buckets: () => 2,
    hit: within(2),
  },
  {
    id: "10x-late",
    label: "10× from bucket 11, decided by bucket 12",
    target: "≤ 2 buckets",
    scenario: (rps) => ({ ...base(rps), canaryRate: ratioFrom(10, 10) }),
    buckets: () => 12,
    hit: (at) => at !== null && at >= 11 && at <= 12,
  },
  {
    id: "20pct-start",
    label: "20% canary errors from bucket 1, decided by bucket 2",
    target: "≤ 2 buckets",
    scenario: (rps) => ({ ...base(rps), canaryRate: absoluteRateFrom(0.2) }),
    buckets: () => 2,
    hit: within(2),
  },
  {
    id: "20pct-late",
    label: "20% canary errors from bucket 11, decided by bucket 12",
    target: "≤ 2 buckets",
    scenario: (rps) => ({ ...base(rps), canaryRate: absoluteRateFrom(0.2, 10) }),
    buckets: () => 12,
    hit: (at) => at !== null && at >= 11 && at <= 12,
  },
];

/** A 32-bit seed for (base seed, row, traffic), so each cell has its own reproducible stream. */
export function cellSeed(seed: number, rowId: string, requestsPerSecond: number): number {
  let h = seed >>> 0;
  for (const ch of `${rowId}@${requestsPerSecond}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

export interface CellResult {
  hits: number;
  runs: number;
  buckets: number;
}

/** Every row is judged as part of an analysis of at least 30 one-minute buckets. */
const ANALYSIS_BUCKETS = 30;

/**
 * The prior a row is judged with: `prior` cut at its analysis length, max(30, buckets simulated), as
 * the ANALYSIS stage cuts it; unchanged when `uncut` or when the prior names its own horizon.
 */
export function rowPrior(prior: SequentialPrior, buckets: number, uncut: boolean): SequentialPrior {
  if (uncut || prior.horizon !== undefined) return prior;
  return { ...prior, horizon: horizonFor(Math.max(ANALYSIS_BUCKETS, buckets) * 60_000, 60_000) };
}

export function runCell(
  row: Row,
  requestsPerSecond: number,
  runs: number,
  seed: number,
  prior: SequentialPrior,
  uncut = false,
): CellResult {
  const rng = new SeededRandom(cellSeed(seed, row.id, requestsPerSecond));
  const buckets = row.buckets(base(requestsPerSecond));
  const judged = rowPrior(prior, buckets, uncut);
  let hits = 0;
  for (let run = 0; run < runs; run++) {
    const scenario = row.scenario(requestsPerSecond, rng);
    let state: SequentialState = initialSequentialState({ maxRatio: 1, alpha: 0.01, prior: judged });
    for (let i = 0; i < buckets && state.failedAtBucket === null; i++) {
      state = updateSequential(state, simulateBucket(rng, scenario, i));
    }
    if (row.hit(state.failedAtBucket)) hits += 1;
  }
  return { hits, runs, buckets };
}

const PRIOR_FIELDS = [
  "centre",
  "spread",
  "tail",
  "late",
  "lateFrom",
  "lateScale",
  "lateCentre",
  "lateSpread",
  "horizon",
] as const;

/**
 * `centre=1.6,late=0.3`: the default prior with these fields replaced; `lateCentre=none` (or
 * `lateSpread=none`) removes the late bump, i.e. the even late law.
 */
export function parsePrior(text: string | undefined): SequentialPrior {
  const prior: SequentialPrior = { ...DEFAULT_SEQUENTIAL_PRIOR };
  if (!text) return prior;
  for (const pair of text.split(",")) {
    const [key, value] = pair.split("=").map((x) => x.trim());
    const field = PRIOR_FIELDS.find((f) => f === key);
    if (field === undefined || value === undefined || value === "")
      throw new Error(`bad --prior entry: ${pair}`);
    if (value === "none" && (field === "lateCentre" || field === "lateSpread")) {
      delete prior.lateCentre;
      delete prior.lateSpread;
      continue;
    }
    const number = Number(value);
    if (!Number.isFinite(number)) throw new Error(`bad --prior entry: ${pair} (not a number)`);
    prior[field] = number;
  }
  return prior;
}

function main(argv: string[]): void {
  const option = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const runs = Number(option("runs") ?? 2000);
  const seed = Number(option("seed") ?? 20260401);
  const traffic = (option("traffic") ?? "5,20,50,100,200,500").split(",").map(Number);
  const rowIds = option("rows")?.split(",");
  const prior = parsePrior(option("prior"));
  const uncut = argv.includes("--uncut");
  const rows = rowIds ? ROWS.filter((r) => rowIds.includes(r.id)) : ROWS;

  console.log(`SEQUENTIAL power simulation: ${runs} runs per cell, seed ${seed}, alpha 0.01, maxRatio 1`);
  console.log(
    `prior ${JSON.stringify(prior)}; ${uncut ? "late starts not cut" : "late starts cut at the analysis length, max(30, buckets)"}`,
  );
  console.log(
    "traffic model: canary share 10%, base error rate 0.2%, shared per-minute log-normal noise σ=0.5",
  );
  console.log(
    `cells: % of runs (buckets simulated); binomial standard error ≤ ${(50 / Math.sqrt(runs)).toFixed(1)} points\n`,
  );
  const labelWidth = Math.max(...rows.map((r) => r.label.length));
  const header = `${"scenario".padEnd(labelWidth)} | ${"target".padEnd(11)} | ${traffic.map((t) => `${t} req/s`.padStart(13)).join(" | ")}`;
  console.log(header);
  console.log("-".repeat(header.length));
  for (const row of rows) {
    const cells = traffic.map((rps) => {
      const { hits, buckets } = runCell(row, rps, runs, seed, prior, uncut);
      const pct = ((100 * hits) / runs).toFixed(1);
      return `${pct}% (${buckets})`.padStart(13);
    });
    console.log(`${row.label.padEnd(labelWidth)} | ${row.target.padEnd(11)} | ${cells.join(" | ")}`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2));
}
