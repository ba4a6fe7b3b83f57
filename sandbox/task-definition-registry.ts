/**
 * Task definitions by family and revision. Revisions count up per family (1, 2, …) and are never
 * reused; deregistering makes a revision INACTIVE, still describable, but no longer usable for new task
 * sets (AWS: "TaskDefinition is inactive").
 */
import { ApiError } from "./api-error.js";
import { parseArn } from "./arns.js";
import type { ContainerSpec, TaskDefinitionRecord, WorldContext } from "./world-types.js";

export class TaskDefinitionRegistry {
  /** By ARN. */
  readonly definitions = new Map<string, TaskDefinitionRecord>();
  private readonly lastRevision = new Map<string, number>();

  constructor(private readonly ctx: WorldContext) {}

  register(region: string, family: string, body: Record<string, unknown>): TaskDefinitionRecord {
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(family)) {
      throw new ApiError(
        "ClientException",
        "Family contains invalid characters (allowed: letters, numbers, hyphens, underscores)",
      );
    }
    const containers = containersOf(body);
    if (containers.length === 0) {
      throw new ApiError("ClientException", "Container list cannot be empty.");
    }
    const key = `${region}/${family}`;
    const revision = (this.lastRevision.get(key) ?? 0) + 1;
    this.lastRevision.set(key, revision);
    const record: TaskDefinitionRecord = {
      arn: this.ctx.arns.taskDefinition(region, family, revision),
      family,
      revision,
      region,
      status: "ACTIVE",
      registeredAt: this.ctx.now(),
      deregisteredAt: undefined,
      body,
      containers,
    };
    this.definitions.set(record.arn, record);
    return record;
  }

  /**
   * `family` (latest ACTIVE revision), `family:revision` or a full ARN. Throws ClientException, as ECS
   * does, when there is none.
   */
  resolve(region: string, reference: string): TaskDefinitionRecord {
    const found = this.find(region, reference);
    if (!found) throw new ApiError("ClientException", "Unable to describe task definition.");
    return found;
  }

  deregister(region: string, reference: string): TaskDefinitionRecord {
    if (!reference.includes(":")) {
      throw new ApiError("ClientException", "Revision is missing.");
    }
    const found = this.resolve(region, reference);
    if (found.status === "ACTIVE") {
      found.status = "INACTIVE";
      found.deregisteredAt = this.ctx.now();
    }
    return found;
  }

  private find(region: string, reference: string): TaskDefinitionRecord | undefined {
    const arn = parseArn(reference);
    if (arn) return this.definitions.get(reference);
    const [family, revisionText] = reference.split(":");
    if (revisionText !== undefined) {
      return this.definitions.get(this.ctx.arns.taskDefinition(region, family ?? "", Number(revisionText)));
    }
    let latest: TaskDefinitionRecord | undefined;
    for (const d of this.definitions.values()) {
      if (d.region === region && d.family === family && d.status === "ACTIVE") {
        if (!latest || d.revision > latest.revision) latest = d;
      }
    }
    return latest;
  }
}

function containersOf(body: Record<string, unknown>): ContainerSpec[] {
  const list = Array.isArray(body.containerDefinitions) ? body.containerDefinitions : [];
  return list.flatMap((c: unknown): ContainerSpec[] => {
    if (typeof c !== "object" || c === null) return [];
    const container = c as { name?: unknown; image?: unknown; portMappings?: unknown };
    if (typeof container.name !== "string" || typeof container.image !== "string") return [];
    const mappings = Array.isArray(container.portMappings) ? container.portMappings : [];
    const containerPorts = mappings.flatMap((m: unknown) => {
      const port = (m as { containerPort?: unknown } | null)?.containerPort;
      return typeof port === "number" ? [port] : [];
    });
    return [{ name: container.name, image: container.image, containerPorts }];
  });
}
