/**
 * The sandbox CloudWatch's GetMetricData: validates the request as CloudWatch does (ids, one of
 * MetricStat or Expression, periods, the time range), answers each query from the metric store
 * (cloudwatch-metric-source.ts) or metric math (cloudwatch-metric-math.ts), and pages the datapoints:
 * at most `pageSize` per response, the rest behind `NextToken`, each result `PartialData` while some of
 * its datapoints are still to come.
 */
import { ApiError } from "./api-error.js";
import { evaluate, MetricMathError, parseExpression } from "./cloudwatch-metric-math.js";
import { type CloudWatchSource, minutePoints, periodPoints } from "./cloudwatch-metric-source.js";
import type { MetricPoint } from "./metric-store.js";

interface MetricDataQueryInput {
  Id?: unknown;
  Expression?: unknown;
  ReturnData?: unknown;
  Period?: unknown;
  MetricStat?: {
    Metric?: {
      Namespace?: unknown;
      MetricName?: unknown;
      Dimensions?: Array<{ Name?: unknown; Value?: unknown }>;
    };
    Period?: unknown;
    Stat?: unknown;
  };
}

interface Input {
  MetricDataQueries?: MetricDataQueryInput[];
  StartTime?: unknown;
  EndTime?: unknown;
  NextToken?: unknown;
  ScanBy?: unknown;
  MaxDatapoints?: unknown;
}

export interface GetMetricDataOptions {
  /** Datapoints per response (CloudWatch: 100,800); tests use a few to exercise paging. */
  pageSize: number;
}

const ID = /^[a-z][A-Za-z0-9_]*$/;

function invalid(message: string): ApiError {
  return new ApiError("InvalidParameterValue", message, 400);
}

/** JSON 1.0 timestamps are epoch seconds (the SDK sends numbers; ISO strings are accepted too). */
function time(value: unknown, name: string): number {
  if (typeof value === "number") return value * 1000;
  if (typeof value === "string" && !Number.isNaN(Date.parse(value))) return Date.parse(value);
  throw new ApiError("MissingParameter", `The parameter ${name} is required.`, 400);
}

function period(value: unknown, id: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
    throw invalid(`The value for parameter Period of query ${id} must be a positive integer.`);
  }
  if (value % 60 !== 0)
    throw invalid(`The sandbox keeps minute datapoints: Period of ${id} must be a multiple of 60.`);
  return value;
}

export function getMetricData(source: CloudWatchSource, raw: unknown, options: GetMetricDataOptions) {
  const input = (raw ?? {}) as Input;
  const queries = input.MetricDataQueries ?? [];
  if (!Array.isArray(queries) || queries.length === 0 || queries.length > 500) {
    throw invalid("MetricDataQueries must hold 1 to 500 queries.");
  }
  const fromMs = time(input.StartTime, "StartTime");
  const toMs = time(input.EndTime, "EndTime");
  if (!(fromMs < toMs)) throw invalid("The parameter StartTime must be less than the parameter EndTime.");
  const ids = new Set<string>();
  for (const q of queries) {
    if (typeof q.Id !== "string" || !ID.test(q.Id)) {
      throw invalid(
        `Query id ${String(q.Id)} must start with a lowercase letter and hold only letters, numbers and underscores.`,
      );
    }
    if (ids.has(q.Id)) throw invalid(`The query id ${q.Id} is used more than once.`);
    ids.add(q.Id);
    if ((q.MetricStat === undefined) === (q.Expression === undefined)) {
      throw invalid(`Query ${q.Id} must have exactly one of MetricStat and Expression.`);
    }
  }
  const series = new Map<string, MetricPoint[]>();
  for (const q of queries) {
    const stat = q.MetricStat;
    if (!stat) continue;
    const metric = stat.Metric ?? {};
    if (
      typeof metric.Namespace !== "string" ||
      typeof metric.MetricName !== "string" ||
      typeof stat.Stat !== "string"
    ) {
      throw invalid(`MetricStat of ${String(q.Id)} needs Metric.Namespace, Metric.MetricName and Stat.`);
    }
    const seconds = period(stat.Period, q.Id as string);
    const request = {
      namespace: metric.Namespace,
      metric: metric.MetricName,
      dimensions: (metric.Dimensions ?? []).map((d) => ({ name: String(d.Name), value: String(d.Value) })),
      stat: stat.Stat,
    };
    if (/^p/.test(stat.Stat) && seconds !== 60) {
      throw invalid(`The sandbox keeps ${stat.Stat} per minute only: use Period 60 for ${String(q.Id)}.`);
    }
    series.set(
      q.Id as string,
      periodPoints(minutePoints(source, request, fromMs, toMs), stat.Stat, seconds, fromMs),
    );
  }
  for (const q of queries) {
    if (typeof q.Expression !== "string") continue;
    try {
      series.set(q.Id as string, evaluate(parseExpression(q.Expression), series));
    } catch (error) {
      if (error instanceof MetricMathError) throw invalid(`Expression of ${String(q.Id)}: ${error.message}`);
      throw error;
    }
  }
  const descending = input.ScanBy === "TimestampDescending";
  const returned = queries.filter((q) => q.ReturnData !== false);
  const all = returned.flatMap((q) => {
    const points = series.get(q.Id as string) ?? [];
    return (descending ? [...points].reverse() : points).map((p) => ({ id: q.Id as string, point: p }));
  });
  const offset = input.NextToken === undefined ? 0 : Number(input.NextToken);
  if (!Number.isInteger(offset) || offset < 0 || offset > all.length)
    throw invalid("The NextToken is not valid.");
  const page = all.slice(offset, offset + options.pageSize);
  const next = offset + page.length;
  const results = returned.map((q) => {
    const mine = page.filter((p) => p.id === q.Id);
    const more = all.slice(next).some((p) => p.id === q.Id);
    return {
      Id: q.Id,
      Label: typeof q.MetricStat?.Metric?.MetricName === "string" ? q.MetricStat.Metric.MetricName : q.Id,
      Timestamps: mine.map((p) => p.point[0] / 1000),
      Values: mine.map((p) => p.point[1]),
      StatusCode: more ? "PartialData" : "Complete",
    };
  });
  return {
    MetricDataResults: results,
    Messages: [],
    ...(next < all.length ? { NextToken: String(next) } : {}),
  };
}
