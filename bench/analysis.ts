/**
 * Benchmark, not a test (DESIGN §9): the same simulated canaries judged by Kanaria's SEQUENTIAL and by
 * the judges Argo Rollouts, Flagger, PipeCD and Kayenta users typically configure (issue #4), then
 * DESIGN §10's analysis targets evaluated for SEQUENTIAL, each detection and hard-failure figure beside
 * the oracle bound (the best level-1% test that knows the ratio and the onset, bench/analysis/oracle.ts),
 * so that a miss no level-1% test avoids is told apart from one a better test would avoid. See
 * bench/analysis/ for the judges, the cells, the oracle and the reading of the targets.
 *
 *   npm run bench:analysis [-- --sims 1000] [--seed 20260401] [--quick]
 *
 * --sims N   simulated canaries per cell (default 1000, the issue's minimum)
 * --seed S   base seed (default 20260401); the same seed gives the same figures
 * --quick    200 sims per cell: a smoke run (overrides --sims)
 * Progress goes to stderr, the report to stdout.
 */
import { performance } from "node:perf_hooks";
import { type CellResult, runCell, SCENARIOS, TRAFFIC_LEVELS } from "./analysis/cells.js";
import { benchmarkJudges } from "./analysis/judges.js";
import { renderHeader, renderScenarioTables, renderTargets, targetsSummary } from "./analysis/report.js";
import { evaluateTargets } from "./analysis/targets.js";

interface Options {
  sims: number;
  seed: number;
}

const DEFAULT_SIMS = 1000;
const QUICK_SIMS = 200;
const DEFAULT_SEED = 20260401;

function parseArgs(argv: readonly string[]): Options {
  let sims = DEFAULT_SIMS;
  let seed = DEFAULT_SEED;
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const integer = (name: string, min: number): number => {
      const text = argv[i + 1];
      const value = Number(text);
      if (text === undefined || !Number.isInteger(value) || value < min) {
        throw new Error(`${name} needs an integer ≥ ${min}, got ${text ?? "nothing"}`);
      }
      i += 1;
      return value;
    };
    if (flag === "--sims") sims = integer("--sims", 1);
    else if (flag === "--seed") seed = integer("--seed", 0);
    else if (flag === "--quick") quick = true;
    else throw new Error(`unknown argument ${flag}; usage: --sims N --seed S --quick`);
  }
  return { sims: quick ? QUICK_SIMS : sims, seed: seed >>> 0 };
}

function main(): void {
  let options: Options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 2;
    return;
  }
  const judges = benchmarkJudges();
  const started = performance.now();
  const results: CellResult[] = [];
  for (const scenario of SCENARIOS) {
    for (const rps of TRAFFIC_LEVELS) {
      const cellStarted = performance.now();
      results.push(runCell(scenario, rps, options.sims, options.seed, judges));
      const seconds = ((performance.now() - cellStarted) / 1000).toFixed(1);
      process.stderr.write(`${scenario.id} @ ${rps} req/s: ${seconds} s\n`);
    }
  }
  const targets = evaluateTargets(results, judges);
  const lines = [
    ...renderHeader(options, judges),
    ...renderScenarioTables(results, judges),
    ...renderTargets(targets),
    "",
    `Runtime: ${((performance.now() - started) / 1000).toFixed(1)} s for ${results.length} cells × ${options.sims} sims (single thread)`,
    // Last, so that the tail of a long report says how the targets stand.
    targetsSummary(targets),
  ];
  console.log(lines.join("\n"));
}

main();
