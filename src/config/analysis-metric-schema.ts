/**
 * The shape of an analysis metric as written (an ANALYSIS stage's `with.metrics[i]` or a template's
 * metric), and which keys each strategy reads; parse-analysis-metric.ts validates and builds from it.
 */
import { z } from "zod";
import { durationMs } from "./duration.js";

export const STRATEGIES = [
  "THRESHOLD",
  "PREVIOUS",
  "CANARY_BASELINE",
  "CANARY_PRIMARY",
  "SEQUENTIAL",
] as const;
export type Strategy = (typeof STRATEGIES)[number];

const scalarString = z.unknown().transform((value, ctx) => {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
    return String(value);
  ctx.addIssue({ code: "custom", message: "expected a string" });
  return z.NEVER;
});
export const stringMap = z.record(z.string(), scalarString);
/** A query string (Datadog), or a CloudWatch query written as a map (parse-cloudwatch-query.ts). */
const queryText = z.union([z.string().min(1), z.record(z.string(), z.unknown())], {
  error: "expected a query string, or a CloudWatch query map (namespace, metric, dimensions, stat)",
});

export const metricSchema = z.object({
  /** Kanaria's own: how Slack, charts and replays name the metric (default: the template's name, or `metrics[i]`). */
  name: z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}$/,
      "must be a short label of letters, digits, spaces, '.', '_' or '-'",
    )
    .optional(),
  strategy: z.enum(STRATEGIES).optional(),
  provider: z.string().min(1).optional(),
  query: queryText.optional(),
  expected: z.object({ min: z.number().optional(), max: z.number().optional() }).optional(),
  interval: durationMs.optional(),
  failureLimit: z.number().int().min(0).optional(),
  skipOnNoData: z.boolean().optional(),
  timeout: durationMs.optional(),
  dryRun: z.boolean().optional(),
  deviation: z.enum(["HIGH", "LOW", "EITHER"]).optional(),
  primaryArgs: stringMap.optional(),
  canaryArgs: stringMap.optional(),
  baselineArgs: stringMap.optional(),
  errors: queryText.optional(),
  total: queryText.optional(),
  /** SEQUENTIAL on the ALB's own counts of the app's target groups (CloudWatch): no errors/total query. */
  source: z
    .enum(["ALB"], { error: "must be ALB (the load balancer's own counts, read from CloudWatch)" })
    .optional(),
  control: z.enum(["PRIMARY", "BASELINE"]).optional(),
  maxRatio: z.number().gt(0).optional(),
  alpha: z.number().gt(0).lt(1).optional(),
  earlyPass: z.boolean().optional(),
});

export const METRIC_KEYS = [...Object.keys(metricSchema.shape), "template"];

/** Fields each strategy reads, beyond the common ones; anything else strategy-specific is ignored. */
export const USED_BY: Record<Strategy, readonly string[]> = {
  THRESHOLD: ["query", "expected"],
  PREVIOUS: ["query", "deviation"],
  CANARY_BASELINE: ["query", "deviation", "canaryArgs", "baselineArgs"],
  CANARY_PRIMARY: ["query", "deviation", "canaryArgs", "primaryArgs"],
  SEQUENTIAL: [
    "source",
    "errors",
    "total",
    "control",
    "maxRatio",
    "alpha",
    "earlyPass",
    "deviation",
    "canaryArgs",
    "primaryArgs",
    "baselineArgs",
  ],
};
export const STRATEGY_SPECIFIC = [...new Set(Object.values(USED_BY).flat())];
