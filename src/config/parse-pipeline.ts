/**
 * `spec.pipeline.stages` → StageConfig[]. The stage envelope (`id`, `name`, `desc`, `timeout`, `with`)
 * is strict, as in PipeCD; `with:` is parsed per kind by parseStageOptions.
 */
import { z } from "zod";
import type { StageConfig, StageOptionsByKind } from "../domain/app-config.js";
import { CONFIGURABLE_STAGE_KINDS, type StageKind } from "../domain/stage-kind.js";
import type { DiagnosticSink } from "./diagnostic-sink.js";
import { durationMs } from "./duration.js";
import type { FieldPath } from "./field-path.js";
import { parseStageOptions, SIX_HOURS_MS, type StageContext } from "./parse-stage-options.js";
import { closedObject, closestName, type Origin, parseAt } from "./zod-issues.js";

export interface PlacedStage {
  stage: StageConfig;
  /** The stage's entry in `spec.pipeline.stages`. */
  at: Origin;
}

export interface ParsedPipeline {
  /** Stages that parsed; `complete` says whether that is all of them. */
  stages: PlacedStage[];
  complete: boolean;
}

const pipelineSchema = closedObject({ stages: z.array(z.unknown()).optional() });

const stageSchema = closedObject({
  id: z.string().min(1).optional(),
  name: z.string().min(1),
  desc: z.string().optional(),
  timeout: durationMs.optional(),
  with: z.unknown().optional(),
});

/** Parses `spec.pipeline` at `at`; undefined stages (or none) means the app quick-syncs. */
export function parsePipeline(
  raw: unknown,
  at: Origin,
  ctx: StageContext,
  sink: DiagnosticSink,
): ParsedPipeline {
  const pipeline = parseAt(pipelineSchema, raw ?? {}, at, sink);
  if (!pipeline) return { stages: [], complete: false };
  const stages: PlacedStage[] = [];
  let complete = true;
  const ids = new Map<string, number>();
  for (const [index, rawStage] of (pipeline.stages ?? []).entries()) {
    const stageAt: Origin = { doc: at.doc, path: [...at.path, "stages", index] };
    const stage = parseStage(rawStage, stageAt, index, ctx, sink);
    if (!stage) {
      complete = false;
      continue;
    }
    const first = ids.get(stage.id);
    if (first !== undefined) {
      sink.error(at.doc, [...stageAt.path, "id"], `duplicate stage id "${stage.id}" (also stages[${first}])`);
      complete = false;
    } else ids.set(stage.id, index);
    stages.push({ stage, at: stageAt });
  }
  return { stages, complete };
}

function parseStage(
  raw: unknown,
  at: Origin,
  index: number,
  ctx: StageContext,
  sink: DiagnosticSink,
): StageConfig | undefined {
  const envelope = parseAt(stageSchema, raw, at, sink);
  if (!envelope) return undefined;
  const kind = stageKind(envelope.name, [...at.path, "name"], at, sink);
  if (!kind) return undefined;
  const withAt: Origin = { doc: at.doc, path: [...at.path, "with"] };
  const common = {
    id: envelope.id ?? `stage-${index}`,
    description: envelope.desc ?? "",
    timeoutMs: envelope.timeout ?? SIX_HOURS_MS,
  };
  return buildStage(kind, common, parseStageOptions(kind, envelope.with, withAt, ctx, sink));
}

function buildStage<K extends StageKind>(
  kind: K,
  common: { id: string; description: string; timeoutMs: number },
  options: StageOptionsByKind[K] | undefined,
): StageConfig | undefined {
  if (options === undefined) return undefined;
  // A mapped union cannot be built from a generic K without this assertion; kind and options agree by
  // construction (parseStageOptions is keyed by the same K).
  return { kind, ...common, options } as StageConfig;
}

const FOREIGN_PREFIXES: Array<[RegExp, string]> = [
  [/^K8S_/, "a Kubernetes stage"],
  [/^TERRAFORM_/, "a Terraform stage"],
  [/^CLOUDRUN_/, "a Cloud Run stage"],
  [/^LAMBDA_/, "a Lambda stage"],
];

function stageKind(name: string, path: FieldPath, at: Origin, sink: DiagnosticSink): StageKind | undefined {
  const known: readonly string[] = CONFIGURABLE_STAGE_KINDS;
  if (known.includes(name)) return name as StageKind;
  let message: string;
  if (name === "ROLLBACK") {
    message = "ROLLBACK is added by Kanaria itself when autoRollback is on; do not list it";
  } else if (name === "CUSTOM_SYNC" || name === "SCRIPT_RUN") {
    message = `${name} is not supported: Kanaria runs no scripts`;
  } else {
    const foreign = FOREIGN_PREFIXES.find(([pattern]) => pattern.test(name));
    const suggestion = closestName(name, known);
    message = foreign
      ? `${name} is ${foreign[1]}; an ECSApp pipeline uses: ${known.join(", ")}`
      : `unknown stage "${name}"${suggestion ? ` (did you mean ${suggestion}?)` : ""}; known: ${known.join(", ")}`;
  }
  sink.error(at.doc, path, message);
  return undefined;
}
