/**
 * What `bench:detection` prints, from the measured runs: per row the median, 90th percentile and max
 * time from onset to canary weight 0 over its seeds, how many runs got there within the row's target,
 * and the verdict. Pure, so that the verdict logic is tested without running anything.
 *
 * The verdict is on the median: how long a regression typically stays in front of users. The max is
 * printed beside it, with the share of runs within the target, because a run's time also depends on
 * where in a minute its onset fell and on how many errors its first minute happened to hold, and a
 * SEQUENTIAL test at a 1% false-alarm rate needs about a minute of this canary's traffic: a run whose
 * first window falls short decides on its second, one interval later (the README's Detection section).
 */
import { percentile } from "../slack/stats.js";

/** One run of one row: when the canary's weight reached 0 after the onset, and how the run ended. */
export interface DetectionRun {
  /** Virtual ms from onset to canary weight 0; undefined when it never reached 0 in the run. */
  detectedMs: number | undefined;
  /** How the deployment stood at the end of the run (ROLLED_BACK, SUCCESS, "asks people: …"). */
  outcome: string;
  /** Where the time went, when the analysis decided: onset → the ANALYSIS stage's start → its decision → weight 0. */
  phases?: { toAnalysisMs: number; toDecisionMs: number; toZeroMs: number };
}

export interface RowReport {
  name: string;
  /** How the sandbox delivers this row's data, and the lag Kanaria is configured with. */
  delivery: string;
  lag: string;
  /** Onset to canary weight 0, at most; undefined: no target. */
  targetMs: number | undefined;
  runs: DetectionRun[];
}

export type Verdict = "met" | "NOT MET" | "—";

/** Met when the median run reached weight 0 within the target; a run that never did counts as never. */
export function verdictOf(row: Pick<RowReport, "targetMs" | "runs">): Verdict {
  const target = row.targetMs;
  if (target === undefined) return "—";
  if (row.runs.length === 0) return "NOT MET";
  return spread(row.runs).median <= target ? "met" : "NOT MET";
}

/** Median, 90th percentile and max (nearest rank), a run that never reached weight 0 counting as infinitely late. */
export function spread(runs: readonly DetectionRun[]): { median: number; p90: number; max: number } {
  const times = runs.map((r) => r.detectedMs ?? Number.POSITIVE_INFINITY);
  if (times.length === 0) return { median: Number.NaN, p90: Number.NaN, max: Number.NaN };
  return { median: percentile(times, 50), p90: percentile(times, 90), max: Math.max(...times) };
}

/** "17/20": the runs that reached weight 0 within the target. */
export function withinTarget(row: Pick<RowReport, "targetMs" | "runs">): string {
  const target = row.targetMs;
  if (target === undefined) return "—";
  const within = row.runs.filter((r) => r.detectedMs !== undefined && r.detectedMs <= target).length;
  return `${within}/${row.runs.length}`;
}

export function formatDuration(ms: number): string {
  if (Number.isNaN(ms)) return "n/a";
  if (!Number.isFinite(ms)) return "never";
  const seconds = Math.round(Math.abs(ms) / 1000);
  return `${ms < 0 ? "-" : ""}${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`;
}

export const TABLE_HEADER = [
  "row",
  "delivery (sandbox) / Kanaria lag",
  "median",
  "p90",
  "max",
  "target",
  "within",
  "verdict (median)",
];

/** The table's lines: header, rule, one line per row, then each row's outcomes. */
export function formatTable(rows: readonly RowReport[]): string[] {
  const cells = rows.map((row) => {
    const { median, p90, max } = spread(row.runs);
    return [
      row.name,
      `${row.delivery} / lag ${row.lag}`,
      formatDuration(median),
      formatDuration(p90),
      formatDuration(max),
      row.targetMs === undefined ? "—" : `≤ ${formatDuration(row.targetMs)}`,
      withinTarget(row),
      verdictOf(row),
    ];
  });
  const widths = TABLE_HEADER.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const line = (c: readonly string[]) => `| ${c.map((v, i) => v.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  const outcomes = rows.map((row) => {
    const tally = new Map<string, number>();
    for (const run of row.runs) tally.set(run.outcome, (tally.get(run.outcome) ?? 0) + 1);
    const list = [...tally].map(([outcome, n]) => `${outcome} ×${n}`).join(", ");
    const phases = row.runs.flatMap((r) => (r.phases ? [r.phases] : []));
    if (phases.length === 0) return `  ${row.name}: ${list}`;
    const median = (pick: (p: (typeof phases)[number]) => number) =>
      formatDuration(percentile(phases.map(pick), 50));
    return (
      `  ${row.name}: ${list}\n    medians: onset → analysis stage ${median((p) => p.toAnalysisMs)}, ` +
      `→ decision ${median((p) => p.toDecisionMs)}, → weight 0 ${median((p) => p.toZeroMs)}`
    );
  });
  return [
    line(TABLE_HEADER),
    line(widths.map((w) => "-".repeat(w))),
    ...cells.map(line),
    "",
    "outcomes:",
    ...outcomes,
  ];
}
