/**
 * What Kanaria checks itself in a `GET /api/v1/query` answer, after the client has deserialized it into
 * `v1.MetricsQueryResponse` (camelCase names: `tagSet`). The client checks the type of every field that
 * is present (a string where a number belongs throws) and nothing more: in Datadog's spec every field
 * is optional, a tuple's length is not checked, a point's null value passes though its type says
 * `number`, and a 2xx body that is not JSON at all comes out as a response with none of its fields. So this checks only
 * what the provider relies on and the client does not promise:
 *
 * - `status` is there (a body without one is not a Datadog answer);
 * - every series has an `interval`, a positive whole number of seconds (a bucket's width: complete-points.ts);
 * - every point is a `[timestamp, value or null]` pair.
 *
 * `error` and each series' `tagSet` are read as the client typed them. Error bodies (non-2xx) never
 * reach the client: they are raw JSON, `{"errors": ["…"]}`.
 */
import type { v1 } from "@datadog/datadog-api-client";
import { z } from "zod";

/** `[timestamp ms, value]`; the value is null where Datadog has no value for the bucket. */
const point = z.tuple([z.number(), z.number().nullable()]);

const seriesFacts = z.object({
  /** Seconds between points: the width of each bucket, starting at the point's timestamp. */
  interval: z.number().int().positive(),
  pointlist: z.array(point).optional(),
});

const responseFacts = z.object({
  /** `ok`, or `error` with `error` saying why (Datadog answers some failures with a 200). */
  status: z.string(),
  series: z.array(seriesFacts).nullish(),
});

export interface QuerySeries {
  /** The group's tags joined with `,` (`"env:prod,version:v1"`); "" for an ungrouped query. */
  group: string;
  interval: number;
  pointlist: Array<[number, number | null]>;
}

export type QueryAnswer =
  | { kind: "series"; series: QuerySeries[] }
  /** `status` other than `ok`: Datadog's message, or the status when it gave none. */
  | { kind: "not-ok"; message: string }
  | { kind: "malformed"; problem: string };

export function readQueryResponse(body: v1.MetricsQueryResponse): QueryAnswer {
  const parsed = responseFacts.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join(".") || "(body)"}: ${issue.message}` : "unexpected shape";
    return { kind: "malformed", problem: where };
  }
  const { status, series } = parsed.data;
  if (status !== "ok") return { kind: "not-ok", message: body.error ?? `status "${status}"` };
  return {
    kind: "series",
    series: (series ?? []).map((facts, i) => ({
      group: (body.series?.[i]?.tagSet ?? []).join(","),
      interval: facts.interval,
      pointlist: facts.pointlist ?? [],
    })),
  };
}

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
