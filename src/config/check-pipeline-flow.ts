/**
 * Checks a pipeline as a sequence: every variant a stage touches needs its target group, traffic may only
 * go to task sets that exist, and a task set is not deleted while it still serves traffic. These mistakes
 * otherwise show up mid-deployment as 503s or a stage that cannot find what to route.
 */

import type { AnalysisMetric } from "../domain/analysis-metric.js";
import type { StageConfig } from "../domain/app-config.js";
import { readsAlbCounts } from "./check-alb-sources.js";
import type { DiagnosticSink } from "./diagnostic-sink.js";
import type { PlacedStage } from "./parse-pipeline.js";
import type { Origin } from "./zod-issues.js";

export interface FlowInput {
  stages: readonly PlacedStage[];
  targetGroups: { primary?: unknown; canary?: unknown; baseline?: unknown };
  accessType: "ELB" | "SERVICE_DISCOVERY";
  /** `spec.input.targetGroups` (missing groups are reported there, or at its nearest existing parent). */
  targetGroupsAt: Origin;
  /** False when some stages failed to parse: order checks would then see a pipeline that is not there. */
  complete: boolean;
}

function comparesCanary(metric: AnalysisMetric): boolean {
  return (
    metric.strategy === "CANARY_BASELINE" ||
    metric.strategy === "CANARY_PRIMARY" ||
    metric.strategy === "SEQUENTIAL"
  );
}

function usesBaselineMetric(metric: AnalysisMetric): boolean {
  return (
    metric.strategy === "CANARY_BASELINE" ||
    (metric.strategy === "SEQUENTIAL" && metric.control === "BASELINE")
  );
}

function needsCanary(stage: StageConfig): boolean {
  switch (stage.kind) {
    case "ECS_CANARY_ROLLOUT":
    case "ECS_CANARY_CLEAN":
    case "ECS_TRAFFIC_ROUTING":
      return true;
    case "ANALYSIS":
      return stage.options.metrics.some(comparesCanary);
    default:
      return false;
  }
}

function needsBaseline(stage: StageConfig): boolean {
  switch (stage.kind) {
    case "ECS_BASELINE_ROLLOUT":
    case "ECS_BASELINE_CLEAN":
      return true;
    case "ECS_TRAFFIC_ROUTING":
      return stage.options.baseline > 0;
    case "ANALYSIS":
      // A source: ALB metric's missing baseline group is reported at the metric (check-alb-sources.ts).
      return stage.options.metrics.some((m) => usesBaselineMetric(m) && !readsAlbCounts(m));
    default:
      return false;
  }
}

const TRAFFIC_KINDS = new Set(["ECS_CANARY_ROLLOUT", "ECS_BASELINE_ROLLOUT", "ECS_TRAFFIC_ROUTING"]);

export function checkPipelineFlow(input: FlowInput, sink: DiagnosticSink): void {
  const { stages, targetGroups, targetGroupsAt } = input;
  const where = (placed: PlacedStage) => {
    const pos = placed.at.doc.position([...placed.at.path, "name"]);
    return `${placed.stage.kind} at line ${pos.line}`;
  };

  if (input.accessType === "SERVICE_DISCOVERY") {
    for (const placed of stages) {
      if (TRAFFIC_KINDS.has(placed.stage.kind)) {
        sink.error(
          placed.at.doc,
          [...placed.at.path, "name"],
          `${placed.stage.kind} needs ALB target groups; with input.accessType SERVICE_DISCOVERY Kanaria can only quick-sync`,
        );
      }
    }
    return;
  }

  const requirement = (variant: "canary" | "baseline", needs: (s: StageConfig) => boolean) => {
    if (targetGroups[variant] !== undefined) return;
    const users = stages.filter((p) => needs(p.stage));
    const first = users[0];
    if (!first) return;
    const more = users.length > 1 ? ` and ${users.length - 1} more stage${users.length > 2 ? "s" : ""}` : "";
    sink.error(
      targetGroupsAt.doc,
      [...targetGroupsAt.path, variant],
      `missing input.targetGroups.${variant}: ${where(first)}${more} need${users.length > 1 ? "" : "s"} the ${variant} target group (targetGroupArn, containerName, containerPort)`,
    );
  };
  requirement("canary", needsCanary);
  requirement("baseline", needsBaseline);

  if (input.complete) checkOrder(stages, sink);
}

/** Walks the stages tracking which task sets exist and where traffic goes. */
function checkOrder(stages: readonly PlacedStage[], sink: DiagnosticSink): void {
  let canaryUp = false;
  let baselineUp = false;
  let weights = { primary: 100, canary: 0, baseline: 0 };
  const at = (placed: PlacedStage): [Origin["doc"], Origin["path"]] => [
    placed.at.doc,
    [...placed.at.path, "name"],
  ];
  for (const placed of stages) {
    const stage = placed.stage;
    switch (stage.kind) {
      case "ECS_CANARY_ROLLOUT":
        canaryUp = true;
        break;
      case "ECS_BASELINE_ROLLOUT":
        baselineUp = true;
        break;
      case "ECS_TRAFFIC_ROUTING": {
        const { canary, baseline } = stage.options;
        if (canary > 0 && !canaryUp) {
          sink.error(
            ...at(placed),
            `routes ${canary}% of traffic to the canary, but no ECS_CANARY_ROLLOUT before it has started one`,
          );
        }
        if (baseline > 0 && !baselineUp) {
          sink.error(
            ...at(placed),
            `routes ${baseline}% of traffic to the baseline, but no ECS_BASELINE_ROLLOUT before it has started one`,
          );
        }
        weights = stage.options;
        break;
      }
      case "ECS_CANARY_CLEAN":
        if (weights.canary > 0) {
          sink.error(
            ...at(placed),
            `deletes the canary while it still serves ${weights.canary}% of traffic; route it back with ECS_TRAFFIC_ROUTING first`,
          );
        }
        canaryUp = false;
        break;
      case "ECS_BASELINE_CLEAN":
        if (weights.baseline > 0) {
          sink.error(
            ...at(placed),
            `deletes the baseline while it still serves ${weights.baseline}% of traffic; route it back with ECS_TRAFFIC_ROUTING first`,
          );
        }
        baselineUp = false;
        break;
      case "ANALYSIS": {
        const metrics = stage.options.metrics;
        if (metrics.some(comparesCanary) && !canaryUp) {
          sink.error(
            ...at(placed),
            "compares the canary, but no ECS_CANARY_ROLLOUT before it has started one",
          );
        } else if (metrics.some(comparesCanary) && weights.canary === 0) {
          sink.warning(
            ...at(placed),
            "compares the canary while it receives 0% of traffic: its metrics will be empty",
          );
        }
        if (metrics.some(usesBaselineMetric) && !baselineUp) {
          sink.error(
            ...at(placed),
            "compares against the baseline, but no ECS_BASELINE_ROLLOUT before it has started one",
          );
        }
        break;
      }
      default:
        break;
    }
  }
  const last = stages[stages.length - 1];
  if (!last) return;
  if (weights.canary > 0 || weights.baseline > 0) {
    sink.warning(
      ...at(last),
      `the pipeline ends with traffic at primary ${weights.primary}% / canary ${weights.canary}% / baseline ${weights.baseline}%; end with ECS_TRAFFIC_ROUTING primary: 100`,
    );
  } else if (canaryUp || baselineUp) {
    const which = [canaryUp ? "canary" : "", baselineUp ? "baseline" : ""].filter(Boolean).join(" and ");
    sink.warning(
      ...at(last),
      `the pipeline ends with the ${which} task set still running; end with ECS_${canaryUp ? "CANARY" : "BASELINE"}_CLEAN`,
    );
  }
}
