/**
 * The fields of the Prometheus HTTP API's answers that Kanaria reads, validated at the edge, as the
 * Prometheus documentation ("HTTP API", format overview) specifies them:
 *
 * - every answer is the JSON envelope `{"status": "success" | "error", "data", "errorType", "error",
 *   "warnings", "infos"}`; an error answer carries `errorType` (`bad_data`, `timeout`, `execution`,
 *   `canceled`, `unavailable`, `internal`, …) and `error`, with HTTP 400 (bad parameters), 422 (the
 *   expression cannot be executed), 503 (timed out or aborted) or another status;
 * - `data` of a query is `{"resultType": "matrix" | "vector" | "scalar" | "string", "result"}`: a matrix
 *   is `[{"metric": {labels}, "values": [[t, "v"], …]}]`, a vector `[{"metric", "value": [t, "v"]}]`, a
 *   scalar `[t, "v"]`; `t` is Unix seconds (a float), `v` a string because JSON has no NaN or infinity.
 *   A series with only native histograms (`histogram`/`histograms`) carries no float values; Kanaria
 *   reads float samples only, so such a series has no points.
 */
import { z } from "zod";

const sample = z.tuple([z.number(), z.string()]);
const labels = z.record(z.string(), z.string());

const matrix = z.object({
  resultType: z.literal("matrix"),
  result: z.array(z.object({ metric: labels, values: z.array(sample).optional() })),
});
const vector = z.object({
  resultType: z.literal("vector"),
  result: z.array(z.object({ metric: labels, value: sample.optional() })),
});
const scalar = z.object({ resultType: z.literal("scalar"), result: sample });
const text = z.object({ resultType: z.literal("string"), result: sample });

export const queryDataSchema = z.discriminatedUnion("resultType", [matrix, vector, scalar, text]);

export const envelopeSchema = z.object({
  status: z.enum(["success", "error"]),
  data: z.unknown().optional(),
  errorType: z.string().optional(),
  error: z.string().optional(),
  warnings: z.array(z.string()).optional(),
});

export type QueryData = z.infer<typeof queryDataSchema>;

/** One series of an answer: its labels and its samples as numbers. */
export interface PromSeries {
  metric: Record<string, string>;
  samples: Array<[timestampMs: number, value: number]>;
}

/**
 * A sample value: Prometheus writes floats as Go formats them, and the special values as `"NaN"`,
 * `"+Inf"` and `"-Inf"`. Undefined for anything else (a malformed answer).
 */
export function parseSampleValue(raw: string): number | undefined {
  if (raw === "NaN") return Number.NaN;
  if (raw === "+Inf" || raw === "Inf") return Number.POSITIVE_INFINITY;
  if (raw === "-Inf") return Number.NEGATIVE_INFINITY;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) return undefined;
  return Number(raw);
}

/** Every series of `data` with its samples, or the first malformed value. */
export function seriesOf(data: QueryData): { series: PromSeries[] } | { malformed: string } {
  const raw: Array<{ metric: Record<string, string>; samples: Array<[number, string]> }> =
    data.resultType === "matrix"
      ? data.result.map((s) => ({ metric: s.metric, samples: s.values ?? [] }))
      : data.resultType === "vector"
        ? data.result.map((s) => ({ metric: s.metric, samples: s.value ? [s.value] : [] }))
        : [{ metric: {}, samples: [data.result] }];
  const series: PromSeries[] = [];
  for (const one of raw) {
    const samples: Array<[number, number]> = [];
    for (const [seconds, value] of one.samples) {
      const parsed = parseSampleValue(value);
      if (parsed === undefined) return { malformed: `sample value ${JSON.stringify(value)} is not a number` };
      samples.push([Math.round(seconds * 1000), parsed]);
    }
    series.push({ metric: one.metric, samples });
  }
  return { series };
}

/** `{app="web", code="500"}` as PromQL writes a label set; `{}` when it has none. */
export function formatLabels(metric: Readonly<Record<string, string>>): string {
  const parts = Object.keys(metric)
    .sort()
    .map((k) => `${k}=${JSON.stringify(metric[k])}`);
  return `{${parts.join(", ")}}`;
}
