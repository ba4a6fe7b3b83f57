/**
 * Brings a task or service definition file to the AWS API's camelCase shape. People paste these from
 * many places (CloudFormation's PascalCase, `aws ecs describe-*` output, hand-written YAML), so:
 * keys are matched case-insensitively, nulls and empty strings are dropped, task-level `cpu`/`memory`
 * become strings, `clusterArn`/`roleArn` mean `cluster`/`role`, and read-only fields from describe
 * output are dropped with a warning. Keys inside user-data maps (docker labels, log options, volume
 * labels and driver options) are the user's and are never rewritten.
 */
import { type FieldPath, formatPath, isRecord } from "./field-path.js";

export type DefinitionKind = "task" | "service";

export interface NormalisedDefinition {
  value: Record<string, unknown>;
  /** Maps a path in the normalised value back to the path as written in the file. */
  sourcePath(path: FieldPath): FieldPath;
}

export interface NormaliseReport {
  warning(path: FieldPath, message: string): void;
  error(path: FieldPath, message: string): void;
}

/** Canonical names whose case cannot be derived by lower-casing the first letter (or CPU → cpu). */
const CANONICAL = [
  "cpu",
  "memory",
  "memoryReservation",
  "enableECSManagedTags",
  "assignPublicIp",
  "ipcMode",
  "pidMode",
  "taskRoleArn",
  "executionRoleArn",
  "containerDefinitions",
  "portMappings",
  "containerPort",
  "hostPort",
  "networkMode",
  "requiresCompatibilities",
  "dnsServers",
  "dnsSearchDomains",
  "efsVolumeConfiguration",
  "fsxWindowsFileServerVolumeConfiguration",
  "gpu",
  "arn",
];
const CANONICAL_BY_LOWER = new Map(CANONICAL.map((name) => [name.toLowerCase(), name]));

/** Keys whose value is a map of user data: its keys are kept verbatim. */
const USER_MAPS = new Set(["dockerLabels", "options", "labels", "driverOpts"]);

const READ_ONLY: Record<DefinitionKind, readonly string[]> = {
  task: [
    "taskDefinitionArn",
    "revision",
    "status",
    "requiresAttributes",
    "compatibilities",
    "registeredAt",
    "registeredBy",
    "deregisteredAt",
  ],
  service: [
    "serviceArn",
    "status",
    "runningCount",
    "pendingCount",
    "deployments",
    "events",
    "createdAt",
    "createdBy",
    "taskSets",
  ],
};

const ALIASES: Record<DefinitionKind, Record<string, string>> = {
  task: {},
  service: { clusterArn: "cluster", roleArn: "role" },
};

/** Service fields Kanaria supplies itself; a value in the file would be misleading, so it is dropped. */
const SUPPLIED_BY_KANARIA: Record<string, string> = {
  taskDefinition: "Kanaria registers the task definition from input.taskDefinitionFile",
  loadBalancers: "Kanaria attaches target groups to task sets from input.targetGroups",
};

export function canonicalKey(key: string): string {
  const known = CANONICAL_BY_LOWER.get(key.toLowerCase());
  if (known) return known;
  return key.charAt(0).toLowerCase() + key.slice(1);
}

/** `raw` is the parsed file; `report` receives problems at paths as written in the file. */
export function normaliseDefinition(
  raw: unknown,
  kind: DefinitionKind,
  report: NormaliseReport,
): NormalisedDefinition | undefined {
  const pathMap = new Map<string, FieldPath>();
  let root = raw;
  let prefix: FieldPath = [];
  if (kind === "task" && isRecord(raw)) {
    const wrapped = Object.keys(raw).find((k) => canonicalKey(k) === "taskDefinition");
    if (wrapped && isRecord(raw[wrapped])) {
      report.warning(
        [wrapped],
        "the file holds `aws ecs describe-task-definition` output; using its taskDefinition",
      );
      root = raw[wrapped];
      prefix = [wrapped];
    }
  }
  if (!isRecord(root)) {
    report.error(
      [],
      `a ${kind} definition must be a map of ${kind === "task" ? "RegisterTaskDefinition" : "CreateService"} fields`,
    );
    return undefined;
  }

  const dropped: string[] = [];
  const top: Record<string, unknown> = {};
  const seen = new Map<string, string>();
  for (const [key, value] of Object.entries(root)) {
    const written: FieldPath = [...prefix, key];
    let name = canonicalKey(key);
    name = ALIASES[kind][name] ?? name;
    if (READ_ONLY[kind].includes(name)) {
      dropped.push(key);
      continue;
    }
    if (kind === "service" && SUPPLIED_BY_KANARIA[name] !== undefined) {
      report.warning(written, `ignored: ${SUPPLIED_BY_KANARIA[name]}`);
      continue;
    }
    const previous = seen.get(name);
    if (previous !== undefined) {
      report.error(written, `"${key}" and "${previous}" both set ${name}; keep one`);
      continue;
    }
    seen.set(name, key);
    const normalised = normaliseValue(value, written, [name], name, { pathMap, report });
    if (normalised !== undefined) top[name] = normalised;
  }
  if (dropped.length > 0) {
    report.warning(
      [...prefix, dropped[0] ?? ""],
      `dropped read-only field${dropped.length > 1 ? "s" : ""} ${dropped.join(", ")} (output of aws ecs describe-*, not accepted when ${kind === "task" ? "registering a task definition" : "creating a service"})`,
    );
  }
  if (kind === "task") coerceTaskSizes(top);

  pathMap.set("", prefix);
  return {
    value: top,
    sourcePath(path: FieldPath): FieldPath {
      for (let n = path.length; n >= 0; n--) {
        const known = pathMap.get(formatPath(path.slice(0, n)));
        if (known) return [...known, ...path.slice(n)];
      }
      return [...prefix, ...path];
    },
  };
}

interface Walk {
  pathMap: Map<string, FieldPath>;
  report: NormaliseReport;
}

/** Normalised copy of `value`, or undefined when it is dropped (null, empty string). */
function normaliseValue(
  value: unknown,
  written: FieldPath,
  path: FieldPath,
  key: string | undefined,
  walk: Walk,
): unknown {
  const { pathMap, report } = walk;
  if (value === null || value === undefined || value === "") return undefined;
  pathMap.set(formatPath(path), written);
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const [i, item] of value.entries()) {
      const normalised = normaliseValue(item, [...written, i], [...path, items.length], undefined, walk);
      if (normalised !== undefined) items.push(normalised);
    }
    return items;
  }
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  if (key !== undefined && USER_MAPS.has(key)) {
    for (const [k, v] of Object.entries(value)) {
      if (v === null || v === undefined) continue;
      out[k] = v;
      pathMap.set(formatPath([...path, k]), [...written, k]);
    }
    return out;
  }
  const seen = new Map<string, string>();
  for (const [k, v] of Object.entries(value)) {
    const name = canonicalKey(k);
    const previous = seen.get(name);
    if (previous !== undefined) {
      report.error([...written, k], `"${k}" and "${previous}" both set ${name}; keep one`);
      continue;
    }
    seen.set(name, k);
    const normalised = normaliseValue(v, [...written, k], [...path, name], name, walk);
    if (normalised !== undefined) out[name] = normalised;
  }
  return out;
}

const NUMERIC = /^\d+$/;

/** Task-level cpu/memory are strings in the API; container-level sizes and ports are integers. */
function coerceTaskSizes(task: Record<string, unknown>): void {
  for (const key of ["cpu", "memory"]) {
    if (typeof task[key] === "number") task[key] = String(task[key]);
  }
  const containers = task.containerDefinitions;
  if (!Array.isArray(containers)) return;
  for (const container of containers) {
    if (!isRecord(container)) continue;
    for (const key of ["cpu", "memory", "memoryReservation"]) {
      const v = container[key];
      if (typeof v === "string" && NUMERIC.test(v)) container[key] = Number(v);
    }
    if (!Array.isArray(container.portMappings)) continue;
    for (const mapping of container.portMappings) {
      if (!isRecord(mapping)) continue;
      for (const key of ["containerPort", "hostPort"]) {
        const v = mapping[key];
        if (typeof v === "string" && NUMERIC.test(v)) mapping[key] = Number(v);
      }
    }
  }
}
