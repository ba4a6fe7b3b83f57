/**
 * The fields of Datadog's `GET /api/v1/query` answers that Kanaria reads, validated at the edge. The
 * 2xx schema applies to the client's deserialized `MetricsQueryResponse` (camelCase names: `tagSet`);
 * every other field is ignored. Error bodies are raw JSON: `{"errors": ["…"]}`.
 */
import { z } from "zod";

/** `[timestamp ms, value]`; the value is null where Datadog has no value for the bucket. */
const point = z.tuple([z.number(), z.number().nullable()]);

const series = z.object({
  pointlist: z.array(point).optional(),
  /** Seconds between points: the width of each bucket, starting at the point's timestamp. */
  interval: z.number().int().positive(),
  /** The group's tags (`["version:v1.4.2"]`) for `… by {version}`; empty for an ungrouped query. */
  tagSet: z.array(z.string()).optional(),
  scope: z.string().optional(),
});

export const queryResponseSchema = z.object({
  /** `ok`, or `error` with `error` saying why (Datadog answers some failures with a 200). */
  status: z.string(),
  error: z.string().nullish(),
  series: z.array(series).nullish(),
});

export type QueryResponse = z.infer<typeof queryResponseSchema>;
export type QuerySeries = z.infer<typeof series>;

const errorBodySchema = z.object({ errors: z.array(z.string()).min(1) });

/** The message of an error body, or its first characters when it is not Datadog-shaped. */
export function errorBodyMessage(text: string): string {
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data.errors.join("; ").slice(0, 500);
  } catch {
    // Not JSON (a proxy's HTML page): fall through.
  }
  return text.trim().slice(0, 200);
}
