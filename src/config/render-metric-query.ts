/**
 * A metric's query template rendered for one variant of one deployment: what the ANALYSIS stage asks
 * the provider, and what `kanaria replay` looks up in a recording's series. One function, so that a
 * recording is checked against exactly the queries the stage will ask.
 */

import type { AnalysisMetric } from "../domain/analysis-metric.js";
import { renderQuery, type Variant } from "./query-template.js";

export interface QueryTarget {
  app: { name: string; labels: Readonly<Record<string, string>> };
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
  return renderQuery(template, {
    app: { name: target.app.name, ...(env ? { env } : {}) },
    ...(variant ? { variant } : {}),
    ...(variantArgs ? { variantCustomArgs: variantArgs } : {}),
    appCustomArgs: metric.common.appArgs,
    version: target.version,
  });
}
