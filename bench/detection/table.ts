/**
 * What `bench:detection` prints, from the measured runs: per row the median and max time from onset to
 * canary weight 0 over its seeds, and the verdict against the row's target. Pure, so that the verdict
 * logic is tested without running anything.
 */
import { percentile } from "../slack/stats.js";

/** One run of one row: when the canary's weight reached 0 after the onset, and how the run ended. */
export interface DetectionRun {
  /** Virtual ms from onset to canary weight 0; undefined when it never reached 0 in the run. */
  detectedMs: number | undefined;
  /** How the deployment stood at the end of the run (ROLLED_BACK, SUCCESS, "asks people: …"). */
  outcome: string;
  /** Where the time went, when the analysis decided: onset → analysis start → its decision → weight 0. */
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

/** Met when every run reached weight 0 within the target: the max counts, not the median. */
export function verdictOf(row: Pick<RowReport, "targetMs" | "runs">): Verdict {
  const target = row.targetMs;
  if (target === undefined) return "—";
  if (row.runs.length === 0) return "NOT MET";
  return row.runs.every((r) => r.detectedMs !== undefined && r.detectedMs <= target) ? "met" : "NOT MET";
}

/** Median and max, a run that never reached weight 0 counting as infinitely late. */
export function medianAndMax(runs: readonly DetectionRun[]): { median: number; max: number } {
  const times = runs.map((r) => r.detectedMs ?? Number.POSITIVE_INFINITY);
  return { median: percentile(times, 50), max: times.length === 0 ? Number.NaN : Math.max(...times) };
}

export function formatDuration(ms: number): string {
  if (Number.isNaN(ms)) return "n/a";
  if (!Number.isFinite(ms)) return "never";
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`;
}

export const TABLE_HEADER = ["row", "delivery (sandbox) / Kanaria lag", "median", "max", "target", "verdict"];

/** The table's lines: header, rule, one line per row, then each row's outcomes. */
export function formatTable(rows: readonly RowReport[]): string[] {
  const cells = rows.map((row) => {
    const { median, max } = medianAndMax(row.runs);
    return [
      row.name,
      `${row.delivery} / lag ${row.lag}`,
      formatDuration(median),
      formatDuration(max),
      row.targetMs === undefined ? "—" : `≤ ${formatDuration(row.targetMs)}`,
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
      `  ${row.name}: ${list}\n    medians: onset → analysis start ${median((p) => p.toAnalysisMs)}, ` +
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
