/**
 * The `Metrics` port on CloudWatch `GetMetricData` (DESIGN §5), for `type: CLOUDWATCH` providers.
 *
 * Contract, as for Datadog: `query` and `queryAll` never reject for anything AWS or the network does.
 * AWS errors, timeouts and per-series `InternalError`/`Forbidden` statuses are `{kind: "error"}` (the
 * analysis neither passes nor fails on them); AccessDenied says which permission to grant
 * (`cloudwatch:GetMetricData`, or `elasticloadbalancing:DescribeTargetGroups` for the ALB's own
 * counts). A query whose series has no datapoint in the window is `{kind: "no-data"}`: CloudWatch
 * returns nothing for a metric that does not exist (a wrong dimension) just as for one that had no
 * data, and neither is ever a pass. Two points at one timestamp or a non-finite value are
 * `{kind: "invalid"}`.
 *
 * `queryAll` sends every query of one window in ONE GetMetricData request (canary and control of a
 * tick cover the same buckets and cost one call), following `NextToken` until the last page. Windows
 * are shifted back by the lag and only whole buckets inside them are kept (complete-points.ts), so an
 * analysis never reads a minute CloudWatch is still receiving.
 *
 * The ALB's own counts (`source: ALB`) need the target group's load balancer: alb-dimensions.ts.
 * ALB semantics of a missing datapoint — no requests, or no 5XX — are left to the analysis: an errors
 * series without points counts zero errors; a RequestCount series without points is no data.
 */
import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
  type MetricDataResult,
} from "@aws-sdk/client-cloudwatch";
import { seriesProblem } from "../../analysis/data-quality.js";
import { decodeCloudWatchQuery } from "../../domain/cloudwatch-query.js";
import { KanariaError } from "../../domain/kanaria-error.js";
import type { Clock, MetricQuery, MetricQueryResult, Metrics } from "../../ports.js";
import { wrapAwsError } from "../aws/aws-error.js";
import { completePoints, lagShiftedWindow, type TimeWindow } from "../datadog/complete-points.js";
import type { AlbDimensionResolver, AlbDimensions } from "./alb-dimensions.js";
import { DEFAULT_CLOUDWATCH_LAG_MS } from "./cloudwatch-lag.js";
import { metricDataQueries, type PlannedQuery } from "./metric-data-queries.js";

export interface CloudWatchMetricsOptions {
  cloudwatch: CloudWatchClient;
  /** Finds the load balancer of an ALB target group; without it, ALB queries are errors. */
  albDimensions?: AlbDimensionResolver;
  /** World time: the lag is measured back from `clock.now()`. */
  clock: Clock;
  /** Windows end at least this long before now (default: cloudwatch-lag.ts). */
  lagMs?: number;
  /**
   * A signal that aborts after `ms` of real time (default `AbortSignal.timeout`): a timeout guards
   * against a hung network, not the world clock (see datadog-metrics.ts for why).
   */
  timeoutSignal?: (ms: number) => AbortSignal;
}

/** GetMetricData pages; a window of minutes fits in one, so many more means something is wrong. */
const MAX_PAGES = 50;

type ErrorResult = Extract<MetricQueryResult, { kind: "error" }>;

export class CloudWatchMetrics implements Metrics {
  private readonly lagMs: number;
  private readonly timeoutSignal: (ms: number) => AbortSignal;

  constructor(private readonly options: CloudWatchMetricsOptions) {
    this.lagMs = options.lagMs ?? DEFAULT_CLOUDWATCH_LAG_MS;
    this.timeoutSignal = options.timeoutSignal ?? ((ms) => AbortSignal.timeout(ms));
  }

  /** This provider's lag, whatever name the router knows it by. */
  lagMsOf(): number {
    return this.lagMs;
  }

  async query(request: MetricQuery): Promise<MetricQueryResult> {
    const [result] = await this.queryAll([request]);
    return result as MetricQueryResult;
  }

  /** One GetMetricData request per distinct window (a tick's queries share one). */
  async queryAll(requests: readonly MetricQuery[]): Promise<MetricQueryResult[]> {
    const results: MetricQueryResult[] = new Array(requests.length);
    const byWindow = new Map<string, number[]>();
    requests.forEach((request, i) => {
      const key = `${request.from}-${request.to}`;
      byWindow.set(key, [...(byWindow.get(key) ?? []), i]);
    });
    await Promise.all(
      [...byWindow.values()].map(async (indexes) => {
        const answers = await this.batch(indexes.map((i) => requests[i] as MetricQuery));
        indexes.forEach((index, k) => {
          results[index] = answers[k] as MetricQueryResult;
        });
      }),
    );
    return results;
  }

  private async batch(requests: readonly MetricQuery[]): Promise<MetricQueryResult[]> {
    const first = requests[0] as MetricQuery;
    const window = lagShiftedWindow(
      { fromMs: first.from, toMs: first.to },
      this.options.clock.now(),
      this.lagMs,
    );
    const signal = this.timeoutSignal(Math.max(...requests.map((r) => r.timeoutMs)));
    const results: Array<MetricQueryResult | undefined> = requests.map(() => undefined);
    const planned: Array<PlannedQuery | undefined> = [];
    const queries: MetricDataQuery[] = [];
    for (const [i, request] of requests.entries()) {
      const prepared = await this.prepare(i, request, signal);
      if ("kind" in prepared) {
        results[i] = prepared;
        planned.push(undefined);
        continue;
      }
      queries.push(...prepared.queries);
      planned.push(prepared.planned);
    }
    if (queries.length > 0) {
      let fetched: Map<string, MetricDataResult[]>;
      try {
        fetched = await this.fetchAll(queries, window, signal);
      } catch (error) {
        const failed = this.failure(error, signal, first.timeoutMs);
        return results.map((r) => r ?? failed);
      }
      planned.forEach((plan, i) => {
        if (plan) results[i] = answer(plan, fetched, window);
      });
    }
    return results as MetricQueryResult[];
  }

  private async prepare(
    index: number,
    request: MetricQuery,
    signal: AbortSignal,
  ): Promise<ReturnType<typeof metricDataQueries> | ErrorResult> {
    const query = decodeCloudWatchQuery(request.query);
    if (!query) {
      return error(
        `provider ${request.provider} is a CloudWatch provider; "${request.query}" is not a CloudWatch query`,
      );
    }
    let alb: AlbDimensions | undefined;
    if (query.kind === "alb") {
      if (!query.targetGroupArn) {
        return error(
          `the app has no ${query.variant ?? "variant"} target group in input.targetGroups, so its ALB ${query.metric} cannot be read`,
        );
      }
      if (!this.options.albDimensions) return error("this CloudWatch provider cannot look up load balancers");
      try {
        alb = await this.options.albDimensions.resolve(query.targetGroupArn, signal);
      } catch (cause) {
        return this.failure(cause, signal, request.timeoutMs, "DescribeTargetGroups");
      }
    }
    return metricDataQueries(index, query, alb);
  }

  /** Every page of one GetMetricData request, the results of each id in page order. */
  private async fetchAll(
    queries: MetricDataQuery[],
    window: TimeWindow,
    signal: AbortSignal,
  ): Promise<Map<string, MetricDataResult[]>> {
    const byId = new Map<string, MetricDataResult[]>();
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const output = await this.options.cloudwatch.send(
        new GetMetricDataCommand({
          MetricDataQueries: queries,
          StartTime: new Date(window.fromMs),
          EndTime: new Date(window.toMs),
          ScanBy: "TimestampAscending",
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
        { abortSignal: signal },
      );
      for (const result of output.MetricDataResults ?? []) {
        if (result.Id) byId.set(result.Id, [...(byId.get(result.Id) ?? []), result]);
      }
      nextToken = output.NextToken;
      if (!nextToken) return byId;
    }
    throw new KanariaError(
      "CLOUDWATCH_TOO_MANY_PAGES",
      `GetMetricData returned more than ${MAX_PAGES} pages for one window`,
    );
  }

  private failure(
    cause: unknown,
    signal: AbortSignal,
    timeoutMs: number,
    operation = "GetMetricData",
  ): ErrorResult {
    if (signal.aborted) return error(`${operation} timed out after ${timeoutMs / 1000}s`);
    const service = operation === "GetMetricData" ? "cloudwatch" : "elasticloadbalancing";
    // One line: the SDK's messages may carry the service's own newlines.
    return error(wrapAwsError(service, operation, cause).message.replace(/\s*\n\s*/g, " "));
  }
}

function error(reason: string): ErrorResult {
  return { kind: "error", reason, retryAfterMs: undefined };
}

/** A query's answer from the series of its ids: summed per timestamp, whole buckets only. */
function answer(
  plan: PlannedQuery,
  fetched: Map<string, MetricDataResult[]>,
  window: TimeWindow,
): MetricQueryResult {
  const sums = new Map<number, number>();
  for (const id of plan.ids) {
    const pages = fetched.get(id) ?? [];
    const failed = pages.find((p) => p.StatusCode === "InternalError" || p.StatusCode === "Forbidden");
    if (failed) {
      const said = failed.Messages?.map((m) => m.Value).join("; ");
      return error(`GetMetricData answered ${failed.StatusCode} for ${id}${said ? `: ${said}` : ""}`);
    }
    const points: Array<[number, number]> = pages.flatMap((page) =>
      (page.Timestamps ?? []).map((at, k): [number, number] => [
        at.getTime(),
        page.Values?.[k] ?? Number.NaN,
      ]),
    );
    const problem = seriesProblem(points);
    if (problem) return { kind: "invalid", reason: problem };
    for (const [at, value] of completePoints(points, plan.periodSeconds, window)) {
      sums.set(at, (sums.get(at) ?? 0) + value);
    }
  }
  if (sums.size === 0) return { kind: "no-data" };
  return { kind: "points", points: [...sums.entries()].sort((a, b) => a[0] - b[0]) };
}
