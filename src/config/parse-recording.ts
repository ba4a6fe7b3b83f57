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
 * from `series`) and templates (`template:`) cannot be resolved. `series` is checked point by point
 * (read-recorded-series.ts: shape, duplicate timestamps, non-finite values, negative counts). Every
 * problem is a diagnostic with `file:line:col` and the field path; a file that is not JSON is reported
 * at the parser's position.
 *
 * `series` is read from the text straight into columns (scan-recorded-series.ts, recorded-series.ts),
 * the rest with `JSON.parse`, and positions are looked up in the text only for diagnostics
 * (json-document.ts): a YAML syntax tree of a 100k-point recording took seconds and gigabytes, and even
 * JSON.parse's array per point was most of a replay's time and memory.
 */
import { z } from "zod";
import type { AnalysisMetric } from "../domain/analysis-metric.js";
import type { StageOptionsByKind } from "../domain/app-config.js";
import { DiagnosticSink } from "./diagnostic-sink.js";
import { parseGoDuration } from "./duration.js";
import { isRecord } from "./field-path.js";
import { jsonDocument, rootMemberStart } from "./json-document.js";
import { jsonSyntaxError } from "./json-syntax-error.js";
import { parseStageOptions } from "./parse-stage-options.js";
import { checkRecordedSeries, PointProblems, seriesFromJson } from "./read-recorded-series.js";
import type { RecordedSeries } from "./recorded-series.js";
import { type QueryTarget, renderMetricQuery } from "./render-metric-query.js";
import { scanRecordedSeries } from "./scan-recorded-series.js";
import type { Diagnostic } from "./types.js";
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
  series: ReadonlyMap<string, RecordedSeries>;
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

const recordingSchema = closedObject({
  app: z.string().min(1),
  version: z.string().min(1).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  lag: lag.optional(),
  analysis: z.unknown(),
  start: isoTime,
  // Points are checked by readRecordedSeries, with their positions.
  series: z.record(z.string().min(1), z.unknown()),
});

/** Validates the text of a recording file (`file` is used in diagnostics). Never throws on bad input. */
export function parseRecording(file: string, text: string): RecordingParse {
  const fast = readFast(text);
  let value: unknown = fast?.value;
  if (!fast) {
    try {
      value = JSON.parse(text);
    } catch (error) {
      return { ok: false, diagnostics: [jsonSyntaxError(file, text, error)] };
    }
  }
  const doc = jsonDocument(file, text, value);
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
  const version = top?.version ?? DEFAULT_RECORDING_VERSION;
  const counts =
    analysis && top
      ? countQueries(analysis.metrics, { app: { name: top.app, labels }, version })
      : new Set<string>();
  // Checked even when other fields are wrong, so that one run reports every problem.
  const problems = new PointProblems(doc, sink);
  for (const query of new Set(fast?.repeated)) {
    sink.error(doc, ["series", query], "this query has more than one series: which one was recorded?", "key");
  }
  const rawSeries = doc.value.series;
  const columns = fast?.series ?? (isRecord(rawSeries) ? seriesFromJson(rawSeries, problems) : undefined);
  const series = columns ? checkRecordedSeries(columns, counts, problems) : undefined;
  problems.finish();
  if (!top || !analysis || !series || sink.hasErrors())
    return { ok: false, diagnostics: [...sink.diagnostics] };
  return {
    ok: true,
    warnings: [...sink.diagnostics],
    recording: {
      app: top.app,
      version,
      labels,
      lagMs: top.lag ?? 0,
      analysis,
      startMs: top.start,
      series,
    },
  };
}

/**
 * The fast path (see the module comment): `series` scanned into columns, the rest (small) parsed by
 * JSON.parse with an empty `series` in its place. Undefined when the text is not of that plain shape:
 * the caller then reads it all with JSON.parse, which reports syntax errors where they are.
 */
function readFast(
  text: string,
): { value: Record<string, unknown>; series: Map<string, RecordedSeries>; repeated: string[] } | undefined {
  const start = rootMemberStart(text, "series");
  const scanned = start === undefined ? undefined : scanRecordedSeries(text, start);
  if (start === undefined || !scanned) return undefined;
  try {
    const value: unknown = JSON.parse(`${text.slice(0, start)}{}${text.slice(scanned.end)}`);
    return isRecord(value) ? { value, series: scanned.series, repeated: scanned.repeated } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The rendered queries a SEQUENTIAL metric reads as counts (its `errors` and `total`, for the canary and
 * its control), rendered as the stage renders them (render-metric-query.ts).
 */
function countQueries(metrics: readonly AnalysisMetric[], target: QueryTarget): Set<string> {
  const counts = new Set<string>();
  for (const metric of metrics) {
    if (metric.strategy !== "SEQUENTIAL") continue;
    for (const variant of ["canary", metric.control === "BASELINE" ? "baseline" : "primary"] as const) {
      for (const template of [metric.errors, metric.total]) {
        counts.add(renderMetricQuery(metric, template, variant, target));
      }
    }
  }
  return counts;
}
