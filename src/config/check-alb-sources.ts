/**
 * Checks SEQUENTIAL metrics with `source: ALB` against the app's target groups: such a metric reads the
 * load balancer's own counts of the canary's and the control's target group, so the control's group
 * must be in `input.targetGroups`. Without it the metric could only fail at run time, mid-canary, with
 * a provider error; here the error names the metric, at the line where it is written.
 *
 * The canary's and (for an ALB app) the primary's groups are required by every canary pipeline and
 * reported by check-pipeline-flow.ts; what is left to this check is the baseline as control, and an app
 * that is not behind an ALB at all.
 */
import type { AnalysisMetric } from "../domain/analysis-metric.js";
import { decodeCloudWatchQuery } from "../domain/cloudwatch-query.js";
import type { DiagnosticSink } from "./diagnostic-sink.js";
import { type FieldPath, valueAt } from "./field-path.js";
import type { PlacedStage } from "./parse-pipeline.js";

export interface AlbSourceInput {
  stages: readonly PlacedStage[];
  /** The target groups as written (present, even if invalid, counts as given: it is reported already). */
  targetGroups: { primary?: unknown; canary?: unknown; baseline?: unknown };
  accessType: "ELB" | "SERVICE_DISCOVERY";
}

/** Whether the metric reads the ALB's own counts (`source: ALB`) rather than queries of its own. */
export function readsAlbCounts(metric: AnalysisMetric): boolean {
  return metric.strategy === "SEQUENTIAL" && decodeCloudWatchQuery(metric.errors)?.kind === "alb";
}

export function checkAlbSources(input: AlbSourceInput, sink: DiagnosticSink): void {
  for (const placed of input.stages) {
    if (placed.stage.kind !== "ANALYSIS") continue;
    // A stage that parsed has every one of its metrics, in the order they are written.
    for (const [i, metric] of placed.stage.options.metrics.entries()) {
      if (metric.strategy !== "SEQUENTIAL" || !readsAlbCounts(metric)) continue;
      const metricPath: FieldPath = [...placed.at.path, "with", "metrics", i];
      const written = (key: string) => valueAt(placed.at.doc.value, [...metricPath, key]) !== undefined;
      // The field that made the choice, where this app wrote it; a template's own fields are reported
      // at the app's `template:` that brought them in.
      const at = (preferred: "control" | "source"): FieldPath =>
        written(preferred)
          ? [...metricPath, preferred]
          : written("source")
            ? [...metricPath, "source"]
            : written("template")
              ? [...metricPath, "template"]
              : metricPath;
      const name = `metric "${metric.common.name}"`;
      if (input.accessType === "SERVICE_DISCOVERY") {
        sink.error(
          placed.at.doc,
          at("source"),
          `${name} has source: ALB, which reads the load balancer's counts of each variant's target group, but the app uses input.accessType SERVICE_DISCOVERY and has no ALB target groups: write errors and total queries instead`,
        );
        continue;
      }
      if (metric.control === "BASELINE" && input.targetGroups.baseline === undefined) {
        sink.error(
          placed.at.doc,
          at("control"),
          `${name} (source: ALB, control: BASELINE) reads the load balancer's counts of the baseline target group, but the app has no input.targetGroups.baseline: add it (targetGroupArn, containerName, containerPort), or compare with the primary (control: PRIMARY)`,
        );
      }
    }
  }
}
