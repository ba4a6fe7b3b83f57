/**
 * The recording file of `kanaria replay` (DESIGN §5): an ANALYSIS stage's `with:` block plus the metric
 * series it read, so the stage can be run again in virtual time.
 *
 * ```json
 * {
 *   "app": "web",
 *   "version": "v3",                       // optional: {{ .Version }} (default "unknown")
 *   "labels": {"env": "prd"},              // optional: the app's labels ({{ .App.Env }})
 *   "lag": "1m",                           // optional: the provider's lag, a Go duration (default "0s")
 *   "analysis": {"duration": "10m", "metrics": [ … ]},
 *   "start": "2026-01-05T09:00:00Z",
 *   "series": {"<rendered query>": [[1767603600000, 12], [1767603660000, null], …]}
 * }
 * ```
 *
 * `analysis` is validated exactly as an ANALYSIS stage in app.pipecd.yaml (the same `parseStageOptions`),
 * except that any provider name is accepted (a recording has no kanaria.yaml: every provider is served
 * from `series`) and templates (`template:`) cannot be resolved. Every problem is a diagnostic with
 * `file:line:col` and the field path; a file that is not JSON is reported at the parser's position.
 */
import { z } from "zod";
import { DiagnosticSink } from "./diagnostic-sink.js";
import { parseGoDuration } from "./duration.js";
import { isRecord } from "./field-path.js";
import { parseYamlDocument } from "./load-yaml-document.js";
import { parseStageOptions } from "./parse-stage-options.js";
import type { Diagnostic, StageOptionsByKind } from "./types.js";
import { closedObject, parseAt } from "./zod-issues.js";

/** One recorded point: bucket start (ms since the epoch) and value; null is "no value", never 0. */
export type RecordedPoint = [timestampMs: number, value: number | null];

/** The file as written (what the recording writer produces). */
export interface RecordingFile {
  app: string;
  version?: string;
  labels?: Record<string, string>;
  lag?: string;
  analysis: Record<string, unknown>;
  start: string;
  series: Record<string, RecordedPoint[]>;
}

/** A validated recording, ready to replay. */
export interface Recording {
  app: string;
  version: string;
  labels: Record<string, string>;
  lagMs: number;
  analysis: StageOptionsByKind["ANALYSIS"];
  /** The analysis start (ms since the epoch): the virtual clock starts here. */
  startMs: number;
  /** Points per rendered query, in time order. */
  series: ReadonlyMap<string, readonly RecordedPoint[]>;
}

export type RecordingParse =
  | { ok: true; recording: Recording; warnings: Diagnostic[] }
  | { ok: false; diagnostics: Diagnostic[] };

export const DEFAULT_RECORDING_VERSION = "unknown";

const lag = z.unknown().transform((value, ctx) => {
  const ms = typeof value === "string" ? parseGoDuration(value) : undefined;
  if (ms === undefined || ms < 0) {
    ctx.addIssue({ code: "custom", message: 'expected a Go duration such as "0s", "30s" or "1m"' });
    return z.NEVER;
  }
  return Math.round(ms);
});

const isoTime = z.string().transform((value, ctx) => {
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: "custom", message: 'expected an ISO 8601 time such as "2026-01-05T09:00:00Z"' });
    return z.NEVER;
  }
  return ms;
});

const point = z.tuple([z.number().int().min(0), z.number().nullable()], {
  error: "expected [timestamp in ms, value or null]",
});

const recordingSchema = closedObject({
  app: z.string().min(1),
  version: z.string().min(1).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  lag: lag.optional(),
  analysis: z.unknown(),
  start: isoTime,
  series: z.record(z.string().min(1), z.array(point)),
});

/** Validates the text of a recording file (`file` is used in diagnostics). Never throws on bad input. */
export function parseRecording(file: string, text: string): RecordingParse {
  const syntax = jsonSyntaxError(file, text);
  if (syntax) return { ok: false, diagnostics: [syntax] };
  const doc = parseYamlDocument(file, text);
  const sink = new DiagnosticSink();
  if (!isRecord(doc.value)) {
    sink.error(doc, [], "a recording must be a JSON object with app, analysis, start and series");
    return { ok: false, diagnostics: [...sink.diagnostics] };
  }
  const top = parseAt(recordingSchema, doc.value, { doc, path: [] }, sink);
  const labels = top?.labels ?? {};
  const analysis = parseStageOptions(
    "ANALYSIS",
    doc.value.analysis,
    { doc, path: ["analysis"] },
    { providers: undefined, templates: new Map(), hasEnvLabel: labels.env !== undefined },
    sink,
  );
  if (!top || !analysis || sink.hasErrors()) return { ok: false, diagnostics: [...sink.diagnostics] };
  const series = new Map<string, RecordedPoint[]>();
  for (const [query, points] of Object.entries(top.series)) {
    series.set(
      query,
      points.map(([at, value]): RecordedPoint => [at, value]).sort((a, b) => a[0] - b[0]),
    );
  }
  return {
    ok: true,
    warnings: [...sink.diagnostics],
    recording: {
      app: top.app,
      version: top.version ?? DEFAULT_RECORDING_VERSION,
      labels,
      lagMs: top.lag ?? 0,
      analysis,
      startMs: top.start,
      series,
    },
  };
}

/**
 * Strict JSON first: YAML would accept things JSON does not (comments, trailing commas, single quotes),
 * and a recording is JSON. The position comes from the parser's message (`… at position N`).
 */
function jsonSyntaxError(file: string, text: string): Diagnostic | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const match = /at position (\d+)/.exec(message);
    const offset = match ? Number(match[1]) : text.length;
    const before = text.slice(0, offset);
    const line = before.split("\n").length;
    const col = offset - (before.lastIndexOf("\n") + 1) + 1;
    return {
      file,
      line,
      col,
      severity: "error",
      path: "",
      message: `not valid JSON: ${message.replace(/ in JSON at position \d+.*$/, "")}`,
    };
  }
}
