/**
 * `kanaria replay <recording.json> [--json]`: runs a recorded ANALYSIS stage again in virtual time
 * (cli/replay-analysis.ts) and prints every tick and the result — to tune thresholds on past incidents.
 * Exit status: 0 for a completed replay whatever the verdict, 1 for a recording that cannot be read or is
 * invalid, 2 for a usage mistake.
 *
 * `--json` prints one JSON object per line: a line per tick
 * `{"metric","at","verdict","pValue"?,"estimate"?,"evidence"?,"interval"?,"reason"}` (`at` in ISO 8601),
 * then `{"result","decidedAtSeconds","reason"}`. Without it, a table of the same.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { formatDiagnostic } from "../config/check-config.js";
import { parseRecording } from "../config/parse-recording.js";
import { KanariaError } from "../domain/kanaria-error.js";
import { type CliIo, UsageError } from "./cli-io.js";
import { type ReplayResult, type ReplayTick, replayAnalysis } from "./replay-analysis.js";

export const REPLAY_SUMMARY =
  "run an ANALYSIS stage in virtual time on recorded metric series; print each tick and the verdict";

export const REPLAY_USAGE = `kanaria replay <recording.json> [--json]

The recording: {"app": "web", "analysis": {…the ANALYSIS stage's with: block…}, "start": "<ISO time>",
  "series": {"<rendered query>": [[timestamp_ms, value | null], …]}}
  optional: "version" ({{ .Version }}), "labels" ({{ .App.Env }}), "lag" (the provider's lag, e.g. "1m").
--json: one JSON line per tick, then {"result", "decidedAtSeconds", "reason"}.

Exit status: 0 when the replay completed (whatever the verdict), 1 for an invalid recording, 2 for usage.`;

/** Runs the command for its parsed arguments; see the module comment for the exit status. */
export async function replayCommand(
  positionals: readonly string[],
  json: boolean,
  io: CliIo,
): Promise<number> {
  const [given, ...extra] = positionals;
  if (given === undefined) throw new UsageError("replay needs the recording file");
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const file = resolve(io.cwd, given);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "file not found"
        : code === "EISDIR"
          ? "it is a directory, not a recording file"
          : code === "EACCES"
            ? "permission denied"
            : (cause as Error).message;
    throw new KanariaError("RECORDING_UNREADABLE", `cannot read ${given}: ${why}`, { cause });
  }
  const parsed = parseRecording(file, text);
  if (!parsed.ok) {
    for (const d of parsed.diagnostics) io.err(formatDiagnostic(d, io.cwd));
    io.err(`${given} is not a valid recording`);
    return 1;
  }
  for (const d of parsed.warnings) io.err(formatDiagnostic(d, io.cwd));
  let result: ReplayResult;
  try {
    result = await replayAnalysis(parsed.recording);
  } catch (error) {
    if (error instanceof KanariaError && error.code === "RECORDING_MISSING_QUERY") {
      io.err(`${given}: ${error.message}`);
      return 1;
    }
    throw error;
  }
  for (const line of json ? replayJsonLines(result) : replayTable(result)) io.out(line);
  return 0;
}

/** The `--json` output: one line per tick, then the result line. */
export function replayJsonLines(result: ReplayResult): string[] {
  return [
    ...result.ticks.map((t) => JSON.stringify(jsonTick(t))),
    JSON.stringify({
      result: result.result,
      decidedAtSeconds: result.decidedAtSeconds,
      reason: result.reason,
    }),
  ];
}

function jsonTick(t: ReplayTick): Record<string, unknown> {
  return {
    metric: t.metric,
    at: new Date(t.at).toISOString(),
    verdict: t.verdict,
    ...(t.pValue !== undefined ? { pValue: t.pValue } : {}),
    ...(t.estimate !== undefined ? { estimate: t.estimate } : {}),
    ...(t.evidence !== undefined ? { evidence: t.evidence } : {}),
    ...(t.interval !== undefined ? { interval: t.interval } : {}),
    reason: t.reason,
  };
}

/** The readable output: a table of ticks (time as offset from the analysis start) and the result. */
export function replayTable(result: ReplayResult): string[] {
  const header = ["AT (UTC)", "+MIN", "METRIC", "VERDICT", "REASON"];
  const body = result.ticks.map((t) => [
    new Date(t.at).toISOString().slice(11, 19),
    formatMinutes((t.at - result.analysisStartMs) / 60_000),
    t.metric,
    t.verdict,
    t.reason,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [
    ...(body.length > 0
      ? [line(header), ...body.map(line)]
      : ["No ticks: the analysis ended before its first window."]),
    "",
    `${result.result} after ${formatMinutes(result.decidedAtSeconds / 60)} min: ${result.reason}`,
  ];
}

function formatMinutes(minutes: number): string {
  return Number.isInteger(minutes) ? String(minutes) : minutes.toFixed(1);
}
