/**
 * A metric's query template rendered for one variant of one deployment: what the ANALYSIS stage asks
 * the provider, and what `kanaria replay` looks up in a recording's series. One function, so that a
 * recording is checked against exactly the queries the stage will ask.
 *
 * CloudWatch queries (domain/cloudwatch-query.ts) are rendered leaf by leaf, so that a value with a
 * quote in it can never break the JSON they travel in; the ALB's own counts get the variant's target
 * group ARN from the app's `input.targetGroups`.
 */

import type { AnalysisMetric } from "../domain/analysis-metric.js";
import type { TargetGroupRef } from "../domain/app-config.js";
import { decodeCloudWatchQuery, encodeCloudWatchQuery, mapQueryStrings } from "../domain/cloudwatch-query.js";
import { type QueryVars, renderQuery, type Variant } from "./query-template.js";

export interface QueryTarget {
  app: {
    name: string;
    labels: Readonly<Record<string, string>>;
    /** The app's target groups (an AppConfig has them); only the ALB's own counts read them. */
    input?: { targetGroups?: Partial<Record<Variant, TargetGroupRef>> };
  };
  version: string;
}

export function renderMetricQuery(
  metric: AnalysisMetric,
  template: string,
  variant: Variant | undefined,
  target: QueryTarget,
): string {
  const variantArgs = "variantArgs" in metric && variant ? metric.variantArgs[variant] : undefined;
  const env = target.app.labels.env;
  const vars: QueryVars = {
    app: { name: target.app.name, ...(env ? { env } : {}) },
    ...(variant ? { variant } : {}),
    ...(variantArgs ? { variantCustomArgs: variantArgs } : {}),
    appCustomArgs: metric.common.appArgs,
    version: target.version,
  };
  const cloudwatch = decodeCloudWatchQuery(template);
  if (!cloudwatch) return renderQuery(template, vars);
  if (cloudwatch.kind !== "alb") {
    return encodeCloudWatchQuery(mapQueryStrings(cloudwatch, (text) => renderQuery(text, vars)));
  }
  // A missing target group stays missing: the provider answers with an error naming the variant.
  const arn = variant ? target.app.input?.targetGroups?.[variant]?.targetGroupArn : undefined;
  return encodeCloudWatchQuery({
    ...cloudwatch,
    ...(variant ? { variant } : {}),
    ...(arn ? { targetGroupArn: arn } : {}),
  });
}
