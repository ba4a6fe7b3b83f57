/**
 * Benchmark, not a test (DESIGN §9, §10: "replay of 100k points × 4 series < 1 s, < 200 MB"): generates
 * a recording of one SEQUENTIAL metric (errors and total for canary and primary: 4 series) with
 * `--points` points per series one second apart (`.rollup(sum, 1)`), writes it to a temp dir, and runs
 * `kanaria replay --json` on it in a child process of its own (bench/replay/replay-child.ts), so that
 * the peak RSS is the replay's process and nothing else. Wall and CPU time are the command's own (read,
 * parse, replay, print), not the process start (module loading; under tsx, compiling too).
 *
 *   npm run bench:replay [-- --points 100000]
 *
 * Two analyses over the same file: a 6h one (360 one-minute ticks; most of the recording lies outside
 * it — a recording exported wider than the analysis) and one over the whole recording (27h: 1620
 * ticks), where the per-tick cost of the stage (the SEQUENTIAL summary, the store, the driver) adds to
 * reading the points.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { syntheticRecording } from "./replay/synthetic-recording.js";

const TARGET_MS = 1000;
const TARGET_RSS_BYTES = 200 * 1024 * 1024;
const SERIES = 4;

interface ChildReport {
  code: number;
  lines: number;
  result: string;
  wallMs: number;
  cpuMs: number;
  peakRssBytes: number;
}

function parsePoints(argv: readonly string[]): number {
  if (argv.length === 0) return 100_000;
  const [flag, value] = argv;
  const points = Number(value);
  if (flag !== "--points" || !Number.isInteger(points) || points < 120 || argv.length > 2) {
    throw new Error("usage: bench/replay.ts [--points N] (N ≥ 120)");
  }
  return points;
}

function runReplay(file: string): ChildReport {
  const child = fileURLToPath(new URL("./replay/replay-child.ts", import.meta.url));
  const run = spawnSync(process.execPath, ["--import", "tsx", child, file], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`replay child failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as ChildReport;
}

const points = parsePoints(process.argv.slice(2));
const dir = mkdtempSync(join(tmpdir(), "kanaria-bench-replay-"));
const wholeHours = Math.floor(points / 3600);
const rows: string[][] = [];
try {
  for (const hours of [...new Set([Math.min(6, wholeHours), wholeHours])].filter((h) => h > 0)) {
    const recording = syntheticRecording({ points, stepMs: 1000, duration: `${hours}h`, rps: 200 });
    const file = join(dir, `recording-${hours}h.json`);
    writeFileSync(file, JSON.stringify(recording));
    process.stderr.write(`replaying ${points} points × ${SERIES} series, a ${hours}h analysis…\n`);
    const report = runReplay(file);
    if (report.code !== 0) throw new Error(`kanaria replay exited ${report.code}`);
    const verdict = (JSON.parse(report.result) as { result: string }).result;
    const met = report.wallMs < TARGET_MS && report.peakRssBytes < TARGET_RSS_BYTES;
    rows.push([
      String(points),
      String(SERIES),
      `${hours}h (${report.lines - 1} ticks, ${verdict})`,
      `${Math.round(report.wallMs)} ms`,
      `${Math.round(report.cpuMs)} ms`,
      `${Math.round(report.peakRssBytes / 1024 / 1024)} MB`,
      `< ${TARGET_MS} ms, < ${TARGET_RSS_BYTES / 1024 / 1024} MB`,
      met ? "met" : "NOT MET",
    ]);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const header = ["points", "series", "analysis", "wall time", "CPU time", "peak RSS", "target", "result"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
console.log(line(header));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const row of rows) console.log(line(row));
