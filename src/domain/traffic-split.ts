/**
 * How the listener weights stand as this deployment last set them, read from its stages alone (no AWS
 * call): the latest ECS_TRAFFIC_ROUTING stage that ran (running or done), or 100% primary once a
 * ROLLBACK moved traffic back (its `trafficRestored` state, saved right after the weights were read
 * back). Undefined before any routing. The root message draws it; a blocked rollback states it.
 */
import type { StageOptionsByKind } from "./app-config.js";
import type { Stage } from "./deployment.js";

export type TrafficSplit = StageOptionsByKind["ECS_TRAFFIC_ROUTING"];

export function lastSetTraffic(stages: readonly Stage[]): TrafficSplit | undefined {
  let split: TrafficSplit | undefined;
  let at = -1;
  for (const stage of stages) {
    const ran = stage.status === "SUCCESS" || stage.status === "RUNNING";
    if (!ran) continue;
    const when = stage.startedAt ?? 0;
    if (stage.kind === "ECS_TRAFFIC_ROUTING" && when >= at) {
      split = (stage as Stage<"ECS_TRAFFIC_ROUTING">).options;
      at = when;
    }
    const restored = stage.status === "SUCCESS" || stage.state.trafficRestored === true;
    if (stage.kind === "ROLLBACK" && restored && when >= at) {
      split = { primary: 100, canary: 0, baseline: 0 };
      at = when;
    }
  }
  return split;
}

/** `primary 80% / canary 20%`, the shares that carry traffic. */
export function describeSplit(split: TrafficSplit): string {
  const parts = (["primary", "canary", "baseline"] as const)
    .filter((k) => split[k] > 0 || k === "primary")
    .map((k) => `${k} ${split[k]}%`);
  return parts.join(" / ");
}
