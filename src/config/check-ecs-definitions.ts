/**
 * Checks on normalised definitions that catch real deployment failures early: missing containers,
 * ports the target groups expect, an image Kanaria cannot put the version into, a service ECS will not
 * let Kanaria drive with task sets.
 */

import type { TargetGroupRef } from "../domain/app-config.js";
import type { DiagnosticSink } from "./diagnostic-sink.js";
import { isRecord } from "./field-path.js";
import type { LoadedDefinition } from "./load-ecs-definition.js";
import type { Origin } from "./zod-issues.js";

type Variant = "primary" | "canary" | "baseline";

const VERSION_PLACEHOLDER = /\{\{-?\s*\.Version\s*-?\}\}/;

export function checkTaskDefinition(
  task: LoadedDefinition,
  targetGroups: Partial<Record<Variant, TargetGroupRef>>,
  targetGroupsAt: Origin,
  sink: DiagnosticSink,
): void {
  const value = task.value;
  if (typeof value.family !== "string")
    task.error(["family"], 'missing required key "family" (the task definition family name)');
  const containers = value.containerDefinitions;
  if (!Array.isArray(containers) || containers.length === 0) {
    task.error(["containerDefinitions"], "containerDefinitions must list at least one container");
    return;
  }
  const byName = new Map<string, { index: number; container: Record<string, unknown> }>();
  for (const [index, container] of containers.entries()) {
    if (!isRecord(container)) {
      task.error(["containerDefinitions", index], "a container definition must be a map");
      continue;
    }
    if (typeof container.name !== "string")
      task.error(["containerDefinitions", index, "name"], requiredString("name", container.name));
    else if (byName.has(container.name))
      task.error(["containerDefinitions", index, "name"], `duplicate container name "${container.name}"`);
    else byName.set(container.name, { index, container });
    if (typeof container.image !== "string")
      task.error(["containerDefinitions", index, "image"], requiredString("image", container.image));
  }

  const compat = value.requiresCompatibilities;
  if (Array.isArray(compat) && compat.includes("FARGATE")) {
    const missing = ["cpu", "memory"].filter((k) => value[k] === undefined);
    if (missing.length > 0) {
      task.error(
        [missing[0] ?? "cpu"],
        `FARGATE needs task-level ${missing.join(" and ")} (e.g. cpu: "256", memory: "512")`,
      );
    }
  }

  const file = task.doc.file;
  for (const variant of ["primary", "canary", "baseline"] as const) {
    const group = targetGroups[variant];
    if (!group) continue;
    const at = [...targetGroupsAt.path, variant];
    const found = byName.get(group.containerName);
    if (!found) {
      sink.error(
        targetGroupsAt.doc,
        [...at, "containerName"],
        `container "${group.containerName}" is not defined in ${file} (containers: ${[...byName.keys()].join(", ") || "none"})`,
      );
      continue;
    }
    const ports = exposedPorts(found.container);
    if (!ports.includes(group.containerPort)) {
      sink.error(
        targetGroupsAt.doc,
        [...at, "containerPort"],
        `container "${group.containerName}" does not expose port ${group.containerPort} in its portMappings (${ports.length > 0 ? `exposed: ${ports.join(", ")}` : "none"})`,
      );
    }
  }

  if (VERSION_PLACEHOLDER.test(task.doc.text)) return;
  const primaryName = targetGroups.primary?.containerName;
  const target =
    primaryName !== undefined
      ? byName.get(primaryName)
      : byName.size === 1
        ? [...byName.values()][0]
        : undefined;
  if (!target) {
    if (primaryName === undefined && byName.size > 1) {
      task.error(
        ["containerDefinitions"],
        "cannot tell which container gets the deployed version: write {{ .Version }} into its image, or set input.targetGroups.primary.containerName",
      );
    }
    return;
  }
  const image = target.container.image;
  if (typeof image !== "string") return;
  const problem = imageTagProblem(image);
  if (problem) task.error(["containerDefinitions", target.index, "image"], problem);
}

function requiredString(key: string, value: unknown): string {
  return value === undefined ? `missing required key "${key}"` : `${key} must be a string`;
}

function exposedPorts(container: Record<string, unknown>): number[] {
  const mappings = container.portMappings;
  if (!Array.isArray(mappings)) return [];
  return mappings.flatMap((m) =>
    isRecord(m) && typeof m.containerPort === "number" ? [m.containerPort] : [],
  );
}

/** Kanaria deploys a version by replacing the image tag; an image without one has nothing to replace. */
function imageTagProblem(image: string): string | undefined {
  if (image.includes("@")) {
    return `image "${image}" is pinned by digest, so Kanaria cannot set the version in its tag; use a tag, or write {{ .Version }} where the version goes`;
  }
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  if (!lastSegment.includes(":")) {
    return `image "${image}" has no tag for Kanaria to replace with the deployed version; add one (e.g. ${image}:latest) or write {{ .Version }} where the version goes`;
  }
  return undefined;
}

/** `hasPipeline` only sharpens the message: quick sync uses task sets too, so EXTERNAL is always needed. */
export function checkServiceDefinition(service: LoadedDefinition, hasPipeline: boolean): void {
  const value = service.value;
  if (typeof value.serviceName !== "string")
    service.error(["serviceName"], 'missing required key "serviceName"');
  const controller = value.deploymentController;
  const type = isRecord(controller) ? controller.type : undefined;
  if (type === "EXTERNAL") return;
  const why = `Kanaria (like PipeCD) deploys with task sets${hasPipeline ? ", shifting ALB weights between them," : ""} and ECS allows task sets only on services whose deploymentController.type is EXTERNAL`;
  if (type === undefined) {
    service.error(
      ["deploymentController", "type"],
      `must be EXTERNAL (it is not set, so ECS would use its own rolling controller): ${why}`,
    );
  } else {
    service.error(["deploymentController", "type"], `must be EXTERNAL, not ${String(type)}: ${why}`);
  }
}
