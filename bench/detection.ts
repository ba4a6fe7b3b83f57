/**
 * Benchmark, not a test (DESIGN §9): how long a 10× error regression at 100 req/s stays in front of
 * users, from its onset to the canary's weight back at 0, for each metrics source Kanaria reads, each
 * delivering its data as late as the real one does (bench/detection/rows.ts gives the figures and their
 * sources) and each read with the `lag` a user would configure. In virtual time, on the sandbox cloud,
 * with the real engine, executors, AWS SDK clients and providers. Beside them, the seed's own analysis.
 * Targets (issue 16): ≤ 3 min with CloudWatch, ≤ 2 min with Prometheus or APM metrics, judged on the
 * median of 20 seeds (the onset's phase in the minute and the errors of the first window vary with the
 * seed); the 90th percentile, the max and the share of runs within the target are printed beside it.
 *
 *   npm run bench:detection [-- seeds [first-seed [row-key…]]]
 */

import { DETECTION_ROWS } from "./detection/rows.js";
import { ONSET_DEFINITION, runDetection } from "./detection/run-detection.js";
import { type DetectionRun, formatTable, type RowReport } from "./detection/table.js";

const SEEDS = Math.max(1, Number(process.argv[2] ?? 20));
const FIRST_SEED = Number(process.argv[3] ?? 20261206);
const KEYS = process.argv.slice(4);

const rows = KEYS.length === 0 ? DETECTION_ROWS : DETECTION_ROWS.filter((r) => KEYS.includes(r.key));
if (rows.length === 0)
  throw new Error(`no row named ${KEYS.join(", ")}: ${DETECTION_ROWS.map((r) => r.key).join(", ")}`);

const reports: RowReport[] = [];
for (const row of rows) {
  const runs: DetectionRun[] = [];
  for (let k = 0; k < SEEDS; k++) runs.push(await runDetection(row, FIRST_SEED + k));
  reports.push({ name: row.name, delivery: row.delivery, lag: row.lag, targetMs: row.targetMs, runs });
}

console.log(
  `Detection: onset of a 10× error regression (0.2% → 2%) at 100 req/s, 20% to the canary → canary weight 0; virtual time, ${SEEDS} seeds from ${FIRST_SEED}`,
);
console.log(`(${ONSET_DEFINITION}; ANALYSIS duration 10m, interval 1m; "never": not within the run)\n`);
for (const line of formatTable(reports)) console.log(line);
