/**
 * Recordings for `kanaria replay` made up from a few numbers: one SEQUENTIAL metric (errors and total
 * per variant: four series) with deterministic counts, so that bench:replay and the replay tests build
 * long or broken recordings without shipping megabytes of JSON. Counts are deterministic, not random:
 * requests are the expected count rounded, errors the expected count spread exactly over the buckets
 * (a bucket gets ⌊(i+1)·e⌋ − ⌊i·e⌋ of e expected errors per bucket), so that fine buckets with a
 * fraction of an error each still add up to the right rate.
 */
import type { RecordedPoint, RecordingFile } from "../../src/config/parse-recording.js";

export const ERRORS = "sum:errors{variant:{{ .Variant.Name }}}.as_count()";
export const TOTAL = "sum:hits{variant:{{ .Variant.Name }}}.as_count()";

/** The four rendered queries, as the stage asks them (control PRIMARY). */
export const QUERIES = {
  canaryErrors: "sum:errors{variant:canary}.as_count()",
  canaryTotal: "sum:hits{variant:canary}.as_count()",
  controlErrors: "sum:errors{variant:primary}.as_count()",
  controlTotal: "sum:hits{variant:primary}.as_count()",
} as const;

export interface SyntheticRecording {
  /** Points per series (four series). */
  points: number;
  /** Bucket width, ms (default 60 s). */
  stepMs?: number;
  /** The analysis `duration` as written (default: the whole recording, rounded down to minutes). */
  duration?: string;
  /** Metric `interval` (default "1m"). */
  interval?: string;
  /** Requests per second over both variants (default 100); the canary takes 10%. */
  rps?: number;
  /** Error rates (default 0.2% both). */
  canaryErrorRate?: number;
  controlErrorRate?: number;
  /** ISO start (default 2026-01-05T09:00:00Z). */
  start?: string;
}

export const DEFAULT_START = "2026-01-05T09:00:00Z";

export function syntheticRecording(options: SyntheticRecording): RecordingFile {
  const stepMs = options.stepMs ?? 60_000;
  const start = options.start ?? DEFAULT_START;
  const startMs = Date.parse(start);
  const rps = options.rps ?? 100;
  const perBucket = (rps * stepMs) / 1000;
  const canaryTotal = Math.max(1, Math.round(perBucket * 0.1));
  const controlTotal = Math.max(1, Math.round(perBucket * 0.9));
  const canaryErrors = canaryTotal * (options.canaryErrorRate ?? 0.002);
  const controlErrors = controlTotal * (options.controlErrorRate ?? 0.002);
  const series = (value: number): RecordedPoint[] =>
    Array.from(
      { length: options.points },
      (_, i): RecordedPoint => [
        startMs + i * stepMs,
        Number.isInteger(value) ? value : Math.floor((i + 1) * value) - Math.floor(i * value),
      ],
    );
  const minutes = Math.floor((options.points * stepMs) / 60_000);
  return {
    app: "web",
    version: "v2",
    analysis: {
      duration: options.duration ?? `${minutes}m`,
      metrics: [
        {
          strategy: "SEQUENTIAL",
          provider: "datadog",
          interval: options.interval ?? "1m",
          errors: rollup(ERRORS, stepMs),
          total: rollup(TOTAL, stepMs),
        },
      ],
    },
    start,
    series: {
      [rollup(QUERIES.canaryErrors, stepMs)]: series(canaryErrors),
      [rollup(QUERIES.canaryTotal, stepMs)]: series(canaryTotal),
      [rollup(QUERIES.controlErrors, stepMs)]: series(controlErrors),
      [rollup(QUERIES.controlTotal, stepMs)]: series(controlTotal),
    },
  };
}

/** Buckets finer than Datadog's default minute need the query's rollup (see recorded-metrics.ts). */
function rollup(query: string, stepMs: number): string {
  return stepMs >= 60_000 ? query : query.replace(".as_count()", `.as_count().rollup(sum, ${stepMs / 1000})`);
}

/** The recording's series for `query` (a key of QUERIES), whatever rollup it carries. */
export function seriesOf(recording: RecordingFile, query: string): RecordedPoint[] {
  const key = Object.keys(recording.series).find((k) => k.startsWith(query.replace(".as_count()", "")));
  const points = key === undefined ? undefined : recording.series[key];
  if (!points) throw new Error(`no series for ${query}`);
  return points;
}
