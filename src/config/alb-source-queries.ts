/**
 * A SEQUENTIAL metric with `source: ALB` writes no queries: it reads the load balancer's own per-minute
 * counts of each variant's target group from CloudWatch (`HTTPCode_Target_5XX_Count` over
 * `RequestCount`; render-metric-query.ts fills in the target group). Here: those two queries, and what
 * is wrong with an entry that asks for them.
 */
import { encodeCloudWatchQuery } from "../domain/cloudwatch-query.js";
import { formatDuration } from "./duration.js";

export interface AlbSourceEntry {
  provider: string | undefined;
  /** The provider's type, when kanaria.yaml is known. */
  providerType: string | undefined;
  intervalMs: number;
  /** The metric also wrote these keys. */
  wrote: { errors: boolean; total: boolean };
}

export interface AlbSourceQueries {
  errors: string;
  total: string;
  /** Each at the key it is about. */
  problems: Array<{ key: "source" | "errors" | "total" | "interval"; message: string }>;
}

export function albSourceQueries(entry: AlbSourceEntry): AlbSourceQueries {
  const problems: AlbSourceQueries["problems"] = [];
  if (entry.providerType !== undefined && entry.providerType !== "CLOUDWATCH") {
    problems.push({
      key: "source",
      message: `source: ALB reads the load balancer's counts from CloudWatch; "${entry.provider}" is ${entry.providerType}: name a CLOUDWATCH provider`,
    });
  }
  for (const key of ["errors", "total"] as const) {
    if (entry.wrote[key])
      problems.push({ key, message: `source: ALB reads the load balancer's own counts; remove ${key}` });
  }
  if (entry.intervalMs > 0 && entry.intervalMs % 60_000 !== 0) {
    problems.push({
      key: "interval",
      message: `the ALB publishes its counts per minute: with source: ALB the interval must be whole minutes (got ${formatDuration(entry.intervalMs)})`,
    });
  }
  return {
    errors: encodeCloudWatchQuery({ kind: "alb", metric: "HTTPCode_Target_5XX_Count", periodSeconds: 60 }),
    total: encodeCloudWatchQuery({ kind: "alb", metric: "RequestCount", periodSeconds: 60 }),
    problems,
  };
}
