/**
 * Plain-text rendering of the analysis benchmark: the set-up, one table per scenario (rows = judges,
 * columns = traffic levels, cell = rollback % / median minute of the rollback decision), then the §10
 * target lines. Pure: results in, lines out.
 */

import { median } from "../../src/analysis/median.js";
import {
  ANALYSIS_MINUTES,
  BASE_TRAFFIC,
  type CellResult,
  INCIDENT,
  ORACLE_ALPHA,
  SCENARIOS,
  TRAFFIC_LEVELS,
} from "./cells.js";
import type { Judge } from "./judges.js";
import { cellOf, type FigureRow, rollbackShare, type TargetResult, tallyAt } from "./targets.js";

export interface RunInfo {
  sims: number;
  seed: number;
}

const CELL_WIDTH = 15;

export function renderHeader(info: RunInfo, judges: readonly Judge[]): string[] {
  const lines = [
    `Analysis judge benchmark: ${info.sims} simulated canaries per cell, seed ${info.seed}`,
    `Traffic: ${TRAFFIC_LEVELS.join(", ")} req/s (both variants), canary share ${100 * BASE_TRAFFIC.canaryShare}%, ` +
      `base error rate ${100 * BASE_TRAFFIC.baseErrorRate}% × per-minute log-normal noise shared by both (σ ${BASE_TRAFFIC.noiseSigma} in ln, mean 1)`,
    `Analysis: ${ANALYSIS_MINUTES} minutes of 1-minute buckets; every judge sees the same buckets of each simulated canary`,
    `Shared incident: both variants' error rates × U(${INCIDENT.minFactor}, ${INCIDENT.maxFactor}) in minutes ${INCIDENT.firstMinute}–${INCIDENT.lastMinute}`,
    "Judges:",
    ...judges.map((j) => `  ${j.name}: ${j.setup}`),
  ];
  if (info.sims < 1000) lines.push(`NOTE: ${info.sims} sims per cell is below the issue's 1000 (smoke run)`);
  lines.push(`Binomial standard error of a share: ≤ ${(50 / Math.sqrt(info.sims)).toFixed(1)} points`);
  return lines;
}

function formatShare(share: number): string {
  return `${(100 * share).toFixed(1)}%`;
}

function formatMinutes(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** A figure of a target row; an infinite count of minutes or buckets (never decided) is "—". */
function formatFigure(value: number, unit: FigureRow["unit"]): string {
  if (unit === "share") return formatShare(value);
  return Number.isFinite(value) ? formatMinutes(value) : "—";
}

function tableLines(rows: readonly { label: string; cells: readonly string[] }[], prefix = ""): string[] {
  const width = Math.max(...rows.map((r) => r.label.length), 10);
  const header = `${prefix}${"".padEnd(width)} | ${TRAFFIC_LEVELS.map((t) => `${t} req/s`.padStart(CELL_WIDTH)).join(" | ")}`;
  return [
    header,
    `${prefix}${"-".repeat(header.length - prefix.length)}`,
    ...rows.map(
      (r) => `${prefix}${r.label.padEnd(width)} | ${r.cells.map((c) => c.padStart(CELL_WIDTH)).join(" | ")}`,
    ),
  ];
}

export function renderScenarioTables(results: readonly CellResult[], judges: readonly Judge[]): string[] {
  const lines: string[] = [];
  for (const scenario of SCENARIOS) {
    lines.push("", `== ${scenario.label} — rollback % / median minute of the decision (— when none)`);
    const rows = judges.map((judge, j) => ({
      label: judge.name,
      cells: TRAFFIC_LEVELS.map((rps) => {
        const cell = cellOf(results, scenario.id, rps);
        const tally = tallyAt(cell, j, ANALYSIS_MINUTES);
        const m = median(tally.rollbackMinutes);
        return `${formatShare(rollbackShare(tally, cell.sims))} / ${m === undefined ? "—" : formatMinutes(m)}`;
      }),
    }));
    const asks = judges.map((judge, j) => ({
      label: `  ${judge.name}: inconclusive, asks`,
      shares: TRAFFIC_LEVELS.map((rps) => {
        const cell = cellOf(results, scenario.id, rps);
        return tallyAt(cell, j, ANALYSIS_MINUTES).asks / cell.sims;
      }),
    }));
    for (const ask of asks) {
      if (ask.shares.some((s) => s > 0)) rows.push({ label: ask.label, cells: ask.shares.map(formatShare) });
    }
    lines.push(...tableLines(rows));
    if (scenario.onset !== null && scenario.onset > 1) {
      lines.push("  (minutes from the start of the analysis; rollbacks before the onset are false ones)");
    }
  }
  return lines;
}

/**
 * A target's verdict: "met"; "NOT MET at 100 req/s" where SEQUENTIAL misses and the oracle bound shows
 * the goal is attainable there (or there is no bound); "beyond reach of any level-1% test at 5, 20 req/s
 * (oracle bound 3.0% / 55.0%)" where the best level-α test misses the goal too; both parts, NOT MET
 * first, when both occur. Never "met" unless SEQUENTIAL meets the goal at every traffic level.
 */
export function verdictText(target: TargetResult): string {
  if (target.met) return "met";
  const beyondLevels = new Set(target.beyond.map((b) => b.requestsPerSecond));
  const attainable = target.missedAt.filter((rps) => !beyondLevels.has(rps));
  const parts: string[] = [];
  if (attainable.length > 0) parts.push(`NOT MET at ${attainable.join(", ")} req/s`);
  if (target.beyond.length > 0) {
    const levels = target.beyond.map((b) => b.requestsPerSecond).join(", ");
    const bounds = target.beyond.map((b) => formatShare(b.bound)).join(" / ");
    parts.push(
      `beyond reach of any level-${100 * target.oracleAlpha}% test at ${levels} req/s (oracle bound ${bounds})`,
    );
  }
  return parts.join("; ");
}

/** Where a target stands: met, missed where a level-α test could meet it, or missed only beyond reach. */
export function targetStatus(target: TargetResult): "met" | "NOT MET" | "beyond reach" {
  if (target.met) return "met";
  return target.beyond.length === target.missedAt.length ? "beyond reach" : "NOT MET";
}

/**
 * The report's last line, every target at a glance: "§10 analysis targets (SEQUENTIAL): 4 met, 1 NOT
 * MET, 0 only beyond reach — A/A false rollbacks: met; …; hard failure ≤ 2 buckets: NOT MET at …".
 */
export function targetsSummary(targets: readonly TargetResult[]): string {
  const count = (status: ReturnType<typeof targetStatus>) =>
    targets.filter((t) => targetStatus(t) === status).length;
  const each = targets.map((t) => `${t.short}: ${verdictText(t)}`).join("; ");
  return (
    `§10 analysis targets (SEQUENTIAL): ${count("met")} met, ${count("NOT MET")} NOT MET, ` +
    `${count("beyond reach")} missed only where no level-${100 * ORACLE_ALPHA}% test reaches — ${each}`
  );
}

export function renderTargets(targets: readonly TargetResult[]): string[] {
  const lines = ["", "== DESIGN §10 analysis targets (SEQUENTIAL decides; the other judges for comparison)"];
  for (const target of targets) {
    lines.push("", `${target.title}: ${verdictText(target)}`, `  ${target.summary}`);
    const rows = target.rows.map((row, i) => ({
      label: `${target.deciding[i] ? "*" : " "} ${row.label}`,
      cells: row.values.map((v) => formatFigure(v, row.unit)),
    }));
    lines.push(...tableLines(rows, "  "));
    for (const note of target.notes) lines.push(`  ${note}`);
  }
  lines.push("", "(* = the figure that decides met / not met)");
  return lines;
}
