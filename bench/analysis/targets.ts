/**
 * DESIGN §10's analysis targets, evaluated on the benchmark's cells. SEQUENTIAL's figures decide
 * met / not met; the other judges' figures are computed the same way for comparison.
 *
 * "Once ~N canary errors are expected" is measured at the minute where canary requests × the control's
 * (base) error rate reach N, i.e. after a fixed amount of canary traffic whatever the canary's own rate;
 * the figure at the minute where canary requests × the canary's own, regressed rate reach N (sooner) is
 * reported beside it but does not decide. The hard-failure target ("first bad bucket → rollback decision
 * ≤ 2 buckets") has no share attached; this benchmark calls it met at a traffic level when at least
 * HARD_FAILURE_SHARE of the runs decide within the first two bad buckets.
 *
 * Beside each detection and hard-failure figure stands the oracle bound (`oracle.ts`): the power, on
 * the same canaries, of the most powerful level-α test on the conditional split that knows the ratio
 * and the onset and looks at exactly the buckets the target allows. A level where SEQUENTIAL misses the
 * goal and the bound is below the goal too is a miss no level-α test avoids (`beyond`); the other
 * misses are plain misses. Neither is called met.
 */

import { median } from "../../src/analysis/median.js";
import {
  ANALYSIS_MINUTES,
  BASE_TRAFFIC,
  type CellResult,
  HARD_FAILURE_BUCKETS,
  horizonMinutes,
  ORACLE_ALPHA,
  SCENARIOS,
  type Tally,
  TRAFFIC_LEVELS,
} from "./cells.js";
import type { Judge } from "./judges.js";

export { HARD_FAILURE_BUCKETS } from "./cells.js";

/** Share of runs that must decide within two buckets of a hard failure's onset. */
export const HARD_FAILURE_SHARE = 0.95;
/** Row label of the oracle bound. */
export const ORACLE_LABEL = `oracle bound: best level-${100 * ORACLE_ALPHA}% test knowing r and onset`;

/**
 * One row of figures, one per traffic level: shares in [0, 1], minutes (horizon rows) or buckets
 * (Infinity: not decided).
 */
export interface FigureRow {
  label: string;
  values: number[];
  unit: "share" | "minutes" | "buckets";
}

/** A traffic level where SEQUENTIAL misses and so does the best level-α test (the oracle bound). */
export interface BeyondReach {
  requestsPerSecond: number;
  /** The oracle bound there (the largest over the cases SEQUENTIAL misses), below the goal. */
  bound: number;
}

export interface TargetResult {
  title: string;
  /** A few words naming the target in the one-line summary. */
  short: string;
  met: boolean;
  /** Traffic levels (req/s) where SEQUENTIAL misses the goal. */
  missedAt: number[];
  /** The subset of `missedAt` where the oracle bound is below the goal too, in the same order. */
  beyond: BeyondReach[];
  /** Level of the oracle bound (the "level-1%" of the verdict). */
  oracleAlpha: number;
  /** SEQUENTIAL's deciding figure in one line. */
  summary: string;
  /** The figures that decide (SEQUENTIAL's), then context rows and the other judges'. */
  rows: FigureRow[];
  /** Per-row flags: true for the rows that decide met / not met. */
  deciding: boolean[];
  notes: string[];
}

/** Finds the cell of a scenario at a traffic level; throws if the benchmark did not run it. */
export function cellOf(results: readonly CellResult[], scenarioId: string, rps: number): CellResult {
  const cell = results.find((r) => r.scenario.id === scenarioId && r.requestsPerSecond === rps);
  if (!cell) throw new Error(`no cell ${scenarioId} @ ${rps} req/s`);
  return cell;
}

/** One judge's tally in a cell at a checkpoint minute (which the cell must have). */
export function tallyAt(cell: CellResult, judgeIndex: number, minute: number): Tally {
  const index = cell.checkpoints.indexOf(minute);
  const tally = cell.tallies[judgeIndex]?.[index];
  if (!tally) throw new Error(`no tally for judge ${judgeIndex} at minute ${minute} in ${cell.scenario.id}`);
  return tally;
}

export function rollbackShare(tally: Tally, sims: number): number {
  return tally.rollbackMinutes.length / sims;
}

/** The oracle's power in a cell at one of its oracle minutes; throws if it was not evaluated there. */
export function oracleAt(cell: CellResult, minute: number): number {
  const index = cell.oracleMinutes.indexOf(minute);
  const power = cell.oraclePower[index];
  if (power === undefined) throw new Error(`no oracle at minute ${minute} in ${cell.scenario.id}`);
  return power;
}

/**
 * The missed levels where every missed case has an oracle bound and all of them are below the goal.
 * `cases[k]` holds one case's SEQUENTIAL figures and oracle bounds per level (bounds undefined: no
 * oracle for that case, so a miss there is never put beyond reach).
 */
export function beyondReach(
  missedAt: readonly number[],
  cases: readonly { values: readonly number[]; bounds: readonly (number | undefined)[] }[],
  goal: number,
): BeyondReach[] {
  const out: BeyondReach[] = [];
  for (const rps of missedAt) {
    const i = TRAFFIC_LEVELS.indexOf(rps);
    const missedCases = cases.filter((c) => !((c.values[i] as number) >= goal));
    const bounds = missedCases.map((c) => c.bounds[i]);
    if (bounds.length === 0 || bounds.some((b) => b === undefined || !(b < goal))) continue;
    out.push({ requestsPerSecond: rps, bound: Math.max(...(bounds as number[])) });
  }
  return out;
}

/**
 * Median number of buckets from the first bad one (inclusive) to the rollback decision, over the runs
 * not rolled back before the onset; a run undecided by the tally's minute counts as never (Infinity),
 * so the median is Infinity when fewer than half decided. Undefined without such runs.
 */
export function medianBucketsToDecision(tally: Tally, sims: number, onset: number): number | undefined {
  const decided = tally.rollbackMinutes.filter((m) => m >= onset).map((m) => m - onset + 1);
  const early = tally.rollbackMinutes.length - decided.length;
  const never = new Array<number>(sims - tally.rollbackMinutes.length).fill(Number.POSITIVE_INFINITY);
  return sims - early > 0 ? median([...decided, ...never]) : undefined;
}

/** Share of runs rolled back at a minute in [onset, onset + buckets − 1]. */
export function withinShare(tally: Tally, sims: number, onset: number, buckets: number): number {
  return tally.rollbackMinutes.filter((m) => m >= onset && m < onset + buckets).length / sims;
}

export function evaluateTargets(results: readonly CellResult[], judges: readonly Judge[]): TargetResult[] {
  return [
    falseRollbacks(
      results,
      judges,
      "aa",
      0.01,
      "false rollbacks, A/A ≤ 1% (worst traffic level)",
      "A/A false rollbacks",
    ),
    falseRollbacks(
      results,
      judges,
      "incident",
      0.02,
      "false rollbacks during a shared incident ≤ 2% (worst traffic level)",
      "shared-incident false rollbacks",
    ),
    detection(results, judges, "2x"),
    detection(results, judges, "1.5x"),
    hardFailure(results, judges),
  ];
}

function bucketsText(buckets: number): string {
  if (!Number.isFinite(buckets)) return "—";
  return Number.isInteger(buckets) ? String(buckets) : buckets.toFixed(1);
}

function pct(share: number): string {
  return `${(100 * share).toFixed(1)}%`;
}

/** "96.1% / 95.0% / … at 5 / 20 / … req/s". */
function byLevel(values: readonly number[]): string {
  return `${values.map(pct).join(" / ")} at ${TRAFFIC_LEVELS.join(" / ")} req/s`;
}

function perLevel(f: (rps: number, index: number) => number): number[] {
  return TRAFFIC_LEVELS.map((rps, i) => f(rps, i));
}

function missed(values: readonly number[], ok: (v: number) => boolean): number[] {
  return TRAFFIC_LEVELS.filter((_, i) => !ok(values[i] as number));
}

function falseRollbacks(
  results: readonly CellResult[],
  judges: readonly Judge[],
  scenarioId: string,
  goal: number,
  title: string,
  short: string,
): TargetResult {
  const sharesOf = (j: number) =>
    perLevel((rps) => {
      const cell = cellOf(results, scenarioId, rps);
      return rollbackShare(tallyAt(cell, j, ANALYSIS_MINUTES), cell.sims);
    });
  const rows = judges.map((judge, j) => ({ label: judge.name, unit: "share" as const, values: sharesOf(j) }));
  const sequential = sharesOf(0);
  const missedAt = missed(sequential, (v) => v <= goal);
  const worst = Math.max(...sequential);
  const worstAt = TRAFFIC_LEVELS[sequential.indexOf(worst)];
  return {
    title,
    short,
    met: missedAt.length === 0,
    missedAt,
    beyond: [],
    oracleAlpha: ORACLE_ALPHA,
    summary: `SEQUENTIAL worst ${pct(worst)} (at ${worstAt} req/s); ${byLevel(sequential)}`,
    rows,
    deciding: rows.map((_, i) => i === 0),
    notes: [`${ANALYSIS_MINUTES}-minute analysis; share of runs rolled back`],
  };
}

function detection(
  results: readonly CellResult[],
  judges: readonly Judge[],
  scenarioId: string,
): TargetResult {
  const scenario = SCENARIOS.find((s) => s.id === scenarioId);
  if (!scenario?.detection || scenario.ratio === undefined)
    throw new Error(`${scenarioId}: no detection target`);
  const { errors, share } = scenario.detection;
  const ratio = scenario.ratio;
  const controlHorizon = perLevel((rps) => horizonMinutes(rps, errors, BASE_TRAFFIC.baseErrorRate));
  const ownHorizon = perLevel((rps) => horizonMinutes(rps, errors, BASE_TRAFFIC.baseErrorRate * ratio));
  const caughtBy = (j: number, horizons: readonly number[]) =>
    perLevel((rps, i) => {
      const cell = cellOf(results, scenarioId, rps);
      return rollbackShare(tallyAt(cell, j, horizons[i] as number), cell.sims);
    });
  const sequentialName = judges[0]?.name ?? "SEQUENTIAL";
  const caught = caughtBy(0, controlHorizon);
  const caughtOwn = caughtBy(0, ownHorizon);
  const oracleBy = (horizons: readonly number[]) =>
    perLevel((rps, i) => oracleAt(cellOf(results, scenarioId, rps), horizons[i] as number));
  const oracle = oracleBy(controlHorizon);
  const oracleOwn = oracleBy(ownHorizon);
  const rows: FigureRow[] = [
    { label: "horizon, control rate (min)", unit: "minutes", values: controlHorizon },
    { label: `${sequentialName}, control-rate horizon`, unit: "share", values: caught },
    { label: ORACLE_LABEL, unit: "share", values: oracle },
    { label: "horizon, canary's own rate (min)", unit: "minutes", values: ownHorizon },
    { label: `${sequentialName}, own-rate horizon`, unit: "share", values: caughtOwn },
    { label: `${ORACLE_LABEL}, own-rate horizon`, unit: "share", values: oracleOwn },
    ...judges.slice(1).map((judge, i) => ({
      label: judge.name,
      unit: "share" as const,
      values: caughtBy(i + 1, controlHorizon),
    })),
  ];
  const missedAt = missed(caught, (v) => v >= share);
  return {
    title: `${ratio}× regression caught ≥ ${Math.round(100 * share)}% once ~${errors} canary errors are expected`,
    short: `${ratio}× caught`,
    met: missedAt.length === 0,
    missedAt,
    beyond: beyondReach(missedAt, [{ values: caught, bounds: oracle }], share),
    oracleAlpha: ORACLE_ALPHA,
    summary:
      `SEQUENTIAL ${byLevel(caught)} by the control-rate horizon (${controlHorizon.join(" / ")} min), ` +
      `oracle bound ${oracle.map(pct).join(" / ")}; ` +
      `by the own-rate horizon (${ownHorizon.join(" / ")} min): ${caughtOwn.map(pct).join(" / ")}`,
    rows,
    deciding: rows.map((_, i) => i === 1),
    notes: [
      `decided on the control-rate horizon: the minute where canary requests × base rate ${100 * BASE_TRAFFIC.baseErrorRate}% reach ${errors}`,
      `own-rate horizon (canary requests × ${ratio} × base rate reach ${errors}) shown, not deciding`,
      `oracle bound: power of the most powerful level-${100 * ORACLE_ALPHA}% test of the canary's share of the errors (given each bucket's errors)`,
      `  over minutes 1 to the horizon, knowing r and the onset: no level-${100 * ORACLE_ALPHA}% test of that split does better on these canaries`,
      "other judges: share rolled back by the control-rate horizon (Kayenta-like judges once, at that minute);",
      "  read them beside their A/A false rollbacks: a judge that rolls back most A/A canaries also 'catches' these",
    ],
  };
}

function hardFailure(results: readonly CellResult[], judges: readonly Judge[]): TargetResult {
  const cases = SCENARIOS.filter((s) => s.hardFailure);
  const rowsFor = (j: number) =>
    cases.map((scenario) => ({
      label: `${judges[j]?.name ?? ""}: ${scenario.label}`,
      unit: "share" as const,
      values: perLevel((rps) => {
        const cell = cellOf(results, scenario.id, rps);
        const onset = scenario.onset ?? 1;
        return withinShare(tallyAt(cell, j, ANALYSIS_MINUTES), cell.sims, onset, HARD_FAILURE_BUCKETS);
      }),
    }));
  const worstOf = (rows: readonly FigureRow[]) =>
    perLevel((_, i) => Math.min(...rows.map((row) => row.values[i] as number)));
  const sequentialRows = rowsFor(0);
  /** Per case: the oracle over the first HARD_FAILURE_BUCKETS bad buckets (undefined: no oracle). */
  const bounds = cases.map((scenario) =>
    TRAFFIC_LEVELS.map((rps): number | undefined => {
      const cell = cellOf(results, scenario.id, rps);
      if (cell.oracleMinutes.length === 0) return undefined;
      return oracleAt(cell, (scenario.onset ?? 1) + HARD_FAILURE_BUCKETS - 1);
    }),
  );
  const oracleRows: FigureRow[] = cases.flatMap((scenario, k) => {
    const values = bounds[k] as (number | undefined)[];
    return values.every((v) => v !== undefined)
      ? [{ label: `${ORACLE_LABEL}: ${scenario.label}`, unit: "share" as const, values: values as number[] }]
      : [];
  });
  const sequentialName = judges[0]?.name ?? "SEQUENTIAL";
  const medianRows: FigureRow[] = cases.map((scenario) => ({
    label: `${sequentialName}: median buckets to decision, ${scenario.label}`,
    unit: "buckets" as const,
    values: perLevel((rps) => {
      const cell = cellOf(results, scenario.id, rps);
      const tally = tallyAt(cell, 0, ANALYSIS_MINUTES);
      return medianBucketsToDecision(tally, cell.sims, scenario.onset ?? 1) ?? Number.POSITIVE_INFINITY;
    }),
  }));
  // The slowest case per level; "—" (Infinity) when fewer than half of its runs decided at all.
  const slowestMedian = perLevel((_, i) => Math.max(...medianRows.map((row) => row.values[i] as number)));
  const rows = [
    ...sequentialRows,
    ...medianRows,
    ...oracleRows,
    ...judges.slice(1).map((judge, i) => ({
      label: `${judge.name}: worst of the ${cases.length} cases`,
      unit: "share" as const,
      values: worstOf(rowsFor(i + 1)),
    })),
  ];
  const missedSet = new Set(
    sequentialRows.flatMap((row) => missed(row.values, (v) => v >= HARD_FAILURE_SHARE)),
  );
  const missedAt = TRAFFIC_LEVELS.filter((rps) => missedSet.has(rps));
  const beyond = beyondReach(
    missedAt,
    sequentialRows.map((row, k) => ({ values: row.values, bounds: bounds[k] as (number | undefined)[] })),
    HARD_FAILURE_SHARE,
  );
  const oracleWorst = perLevel((_, i) => Math.min(...oracleRows.map((row) => row.values[i] as number)));
  return {
    summary:
      `SEQUENTIAL within ${HARD_FAILURE_BUCKETS} buckets, worst case per level: ${byLevel(worstOf(sequentialRows))}; ` +
      `median buckets to decision, slowest case: ${slowestMedian.map(bucketsText).join(" / ")}; ` +
      `oracle bound, worst 10× case: ${oracleWorst.map(pct).join(" / ")}`,
    title: `hard failure (10× or 20% errors): first bad bucket → rollback decision ≤ ${HARD_FAILURE_BUCKETS} buckets`,
    short: `hard failure ≤ ${HARD_FAILURE_BUCKETS} buckets`,
    met: missedAt.length === 0,
    missedAt,
    beyond,
    oracleAlpha: ORACLE_ALPHA,
    rows,
    deciding: rows.map((_, i) => i < sequentialRows.length),
    notes: [
      `share of runs whose rollback decision falls in the first ${HARD_FAILURE_BUCKETS} bad buckets; met at a level when ≥ ${Math.round(100 * HARD_FAILURE_SHARE)}% for every case (this benchmark's bar: the target states no share)`,
      `median buckets to decision: counting the first bad bucket as 1, over the runs not rolled back before it; a run undecided by minute ${ANALYSIS_MINUTES} counts as never, "—" when that is over half of them`,
      `oracle bound: power of the most powerful level-${100 * ORACLE_ALPHA}% test of the canary's share of the errors in exactly those ${HARD_FAILURE_BUCKETS} buckets, knowing r and the onset;`,
      "  none for 20% errors (its ratio to the control moves with the noise); a miss there is never called out of reach",
      "the Kayenta-like judge decides only at the end, so never within 2 buckets of an onset before minute 29",
    ],
  };
}
