/**
 * Turns the CloudWatch queries of one batch into the `MetricDataQueries` of a single GetMetricData
 * request, and the request's answer back into one series per query. Ids are made unique per query
 * (`q<i>`, `q<i>_<id>` for the metrics of a metric-math expression, `q<i>_lb<k>` for the ALB series of
 * each load balancer a target group is on), so a canary and its control travel together.
 */
import type { MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import type { CloudWatchMetricStat, CloudWatchQuery } from "../../domain/cloudwatch-query.js";
import type { AlbDimensions } from "./alb-dimensions.js";

/** One Kanaria query's part of the request: the ids whose series, summed, are its answer. */
export interface PlannedQuery {
  ids: string[];
  periodSeconds: number;
}

function metricStat(id: string, stat: CloudWatchMetricStat, period: number, returnData: boolean) {
  return {
    Id: id,
    ReturnData: returnData,
    MetricStat: {
      Metric: {
        Namespace: stat.namespace,
        MetricName: stat.metric,
        Dimensions: Object.entries(stat.dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: period,
      Stat: stat.stat,
    },
  } satisfies MetricDataQuery;
}

/** Renames the metric ids of a metric-math expression, leaving 'quoted' text and functions alone. */
export function prefixExpressionIds(expression: string, ids: readonly string[], prefix: string): string {
  const known = new Set(ids);
  return expression
    .split(/('[^']*')/)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part.replace(/\b[a-z][A-Za-z0-9_]*\b/g, (id) => (known.has(id) ? `${prefix}${id}` : id)),
    )
    .join("");
}

/** The MetricDataQueries for query number `index` of the batch. */
export function metricDataQueries(
  index: number,
  query: CloudWatchQuery,
  alb: AlbDimensions | undefined,
): { queries: MetricDataQuery[]; planned: PlannedQuery } {
  const id = `q${index}`;
  switch (query.kind) {
    case "metric":
      return {
        queries: [metricStat(id, query, query.periodSeconds, true)],
        planned: { ids: [id], periodSeconds: query.periodSeconds },
      };
    case "expression": {
      const prefix = `${id}_`;
      const inner = Object.entries(query.metrics).map(([name, stat]) =>
        metricStat(`${prefix}${name}`, stat, query.periodSeconds, false),
      );
      const expression = prefixExpressionIds(query.expression, Object.keys(query.metrics), prefix);
      return {
        queries: [
          ...inner,
          { Id: id, Expression: expression, Period: query.periodSeconds, ReturnData: true },
        ],
        planned: { ids: [id], periodSeconds: query.periodSeconds },
      };
    }
    case "alb": {
      const balancers = alb?.loadBalancers ?? [];
      const queries = balancers.map((loadBalancer, k) =>
        metricStat(
          `${id}_lb${k}`,
          {
            namespace: "AWS/ApplicationELB",
            metric: query.metric,
            dimensions: { TargetGroup: alb?.targetGroup ?? "", LoadBalancer: loadBalancer },
            stat: "Sum",
          },
          query.periodSeconds,
          true,
        ),
      );
      return {
        queries,
        planned: { ids: queries.map((q) => q.Id), periodSeconds: query.periodSeconds },
      };
    }
  }
}
