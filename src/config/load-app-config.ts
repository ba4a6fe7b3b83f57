/**
 * Loads one app: PipeCD's `app.pipecd.yaml` (`kind: ECSApp`) plus the service and task definitions it
 * names, validated and resolved into an `AppConfig`. Never throws on bad input; every problem is a
 * diagnostic in the file (and at the line) where it was written.
 */
import * as path from "node:path";
import type { AppConfig, NotificationMention, StageConfig, TargetGroupRef } from "../domain/app-config.js";
import type { TemplateLibrary } from "./analysis-templates.js";
import {
  appFileSchema,
  IGNORED_INPUT_FIELDS,
  IGNORED_SPEC_FIELDS,
  inputSchema,
  NOTIFICATION_EVENTS,
  PIPECD_API_VERSION,
  specSchema,
} from "./app-spec-schema.js";
import { checkAlbSources } from "./check-alb-sources.js";
import { checkServiceDefinition, checkTaskDefinition } from "./check-ecs-definitions.js";
import { checkPipelineFlow } from "./check-pipeline-flow.js";
import { checkStageLengths } from "./check-stage-lengths.js";
import { DiagnosticSink, sortDiagnostics } from "./diagnostic-sink.js";
import { type FieldPath, isRecord, valueAt } from "./field-path.js";
import { APP_NAME } from "./kanaria-schema.js";
import { loadEcsDefinition } from "./load-ecs-definition.js";
import { loadYamlDocument, type YamlDocument } from "./load-yaml-document.js";
import { parsePipeline } from "./parse-pipeline.js";
import { SIX_HOURS_MS } from "./parse-stage-options.js";
import type { Diagnostic } from "./types.js";
import { type Origin, parseAt, parseFields } from "./zod-issues.js";

export interface AppLoadOptions {
  /** The app's name from kanaria.yaml; when absent, `spec.name` is the name. */
  name?: string;
  /** kanaria.yaml analysisProviders names; when absent, metric providers are not checked. */
  providers?: readonly string[];
  /** Type of each valid analysis provider (`DATADOG`, `CLOUDWATCH`); absent: queries not checked against it. */
  providerTypes?: ReadonlyMap<string, string>;
  /** AnalysisTemplate metrics available to this app. */
  templates?: TemplateLibrary;
  /** Where to report a config file that cannot be read (kanaria.yaml's apps[i]). */
  reference?: Origin;
}

export interface AppLoadResult {
  /** Undefined when anything in the app's files is an error. */
  app: AppConfig | undefined;
  /** The resolved name (kanaria.yaml name or spec.name), when there is one. */
  name: string | undefined;
  diagnostics: Diagnostic[];
}

const DEFAULT_SERVICE_FILE = "servicedef.yaml";
const DEFAULT_TASK_FILE = "taskdef.yaml";
const SLACK_MENTIONABLE = /^[UWS][A-Z0-9]{2,}$/;
const NEVER_SENT = /^(APPLICATION_|PIPED_)/;

export async function loadAppConfig(file: string, options: AppLoadOptions = {}): Promise<AppLoadResult> {
  const sink = new DiagnosticSink();
  const { app, name } = await readAppConfig(path.resolve(file), options, sink);
  return { app: sink.hasErrors() ? undefined : app, name, diagnostics: sortDiagnostics(sink.diagnostics) };
}

/** loadAppConfig's work, reporting into `sink`; `app` is only meaningful when `sink` has no errors. */
export async function readAppConfig(
  file: string,
  options: AppLoadOptions,
  sink: DiagnosticSink,
): Promise<{ app: AppConfig | undefined; name: string | undefined }> {
  const read = await loadYamlDocument(file);
  if (!read.ok) {
    const message = `app config ${file}: ${read.reason}`;
    if (options.reference) sink.error(options.reference.doc, options.reference.path, message);
    else sink.add({ file, line: 1, col: 1, severity: "error", path: "", message });
    return { app: undefined, name: options.name };
  }
  const doc = read.document;
  sink.addAll(doc.diagnostics);
  if (doc.broken) return { app: undefined, name: options.name };
  const at = (p: FieldPath): Origin => ({ doc, path: p });

  // The name as written, for kanaria.yaml's app list even when the rest of the file is unusable.
  const writtenName = valueAt(doc.value, ["spec", "name"]);
  const earlyName =
    options.name ?? (typeof writtenName === "string" && APP_NAME.test(writtenName) ? writtenName : undefined);
  const top = parseAt(appFileSchema, doc.value ?? {}, at([]), sink);
  if (!top) return { app: undefined, name: earlyName };
  if (top.apiVersion !== PIPECD_API_VERSION) {
    sink.error(doc, ["apiVersion"], `must be ${PIPECD_API_VERSION} (got "${top.apiVersion}")`);
  }
  if (top.kind !== "ECSApp") {
    sink.error(doc, ["kind"], `Kanaria deploys only ECS apps (kind: ECSApp); got ${top.kind}`);
    return { app: undefined, name: earlyName };
  }

  const { fields: spec } = parseFields(specSchema.shape, top.spec, at(["spec"]), sink);
  const rawSpec = isRecord(top.spec) ? top.spec : {};
  for (const [key, reason] of Object.entries(IGNORED_SPEC_FIELDS)) {
    if (rawSpec[key] !== undefined) sink.warning(doc, ["spec", key], `ignored: ${reason}`, "key");
  }
  if (spec.planner?.alwaysUsePipeline !== undefined) {
    sink.warning(
      doc,
      ["spec", "planner", "alwaysUsePipeline"],
      "ignored: Kanaria always uses the pipeline once the app has a running primary; the first deployment quick-syncs because a canary needs something to compare with",
      "key",
    );
  }

  const name = resolveName(doc, options.name, spec.name, sink);
  const labels = spec.labels ?? {};

  const inputAt = at(["spec", "input"]);
  const { fields: input } = parseFields(inputSchema.shape, rawSpec.input, inputAt, sink);
  const rawInput = valueAt(rawSpec, ["input"]);
  for (const [key, reason] of Object.entries(IGNORED_INPUT_FIELDS)) {
    if (isRecord(rawInput) && rawInput[key] !== undefined)
      sink.warning(doc, ["spec", "input", key], `ignored: ${reason}`, "key");
  }
  const accessType = input.accessType ?? "ELB";
  const targetGroups: AppConfig["input"]["targetGroups"] = {};
  for (const variant of ["primary", "canary", "baseline"] as const) {
    const group = input.targetGroups?.[variant];
    if (!group) continue;
    const ref: TargetGroupRef = {
      targetGroupArn: group.targetGroupArn,
      containerName: group.containerName,
      containerPort: group.containerPort,
    };
    if (group.loadBalancerName !== undefined) {
      sink.warning(
        doc,
        ["spec", "input", "targetGroups", variant, "loadBalancerName"],
        "ignored: an ALB target group needs no load balancer name",
        "key",
      );
    }
    targetGroups[variant] = ref;
  }
  const targetGroupsAt = at(["spec", "input", "targetGroups"]);
  // Presence as written: a group that is present but invalid was reported already, not "missing".
  const written = (variant: string) => valueAt(rawInput, ["targetGroups", variant]);
  const writtenGroups = {
    primary: written("primary"),
    canary: written("canary"),
    baseline: written("baseline"),
  };
  if (accessType === "ELB" && writtenGroups.primary === undefined) {
    sink.error(
      doc,
      [...targetGroupsAt.path, "primary"],
      "missing input.targetGroups.primary: Kanaria puts the primary task set behind this target group, even for a quick sync (or set input.accessType: SERVICE_DISCOVERY)",
    );
  }

  const providers = options.providers;
  const stageCtx = {
    providers,
    ...(options.providerTypes ? { providerTypes: options.providerTypes } : {}),
    templates: options.templates ?? new Map(),
    hasEnvLabel: labels.env !== undefined,
  };
  let pipeline: StageConfig[] | undefined;
  if (rawSpec.pipeline !== undefined && rawSpec.pipeline !== null) {
    const parsed = parsePipeline(rawSpec.pipeline, at(["spec", "pipeline"]), stageCtx, sink);
    if (parsed.complete && parsed.stages.length === 0) {
      sink.warning(
        doc,
        ["spec", "pipeline"],
        "the pipeline has no stages: every deployment will quick-sync (ECS_SYNC)",
        "key",
      );
    }
    if (parsed.stages.length > 0) pipeline = parsed.stages.map((p) => p.stage);
    checkPipelineFlow(
      {
        stages: parsed.stages,
        targetGroups: writtenGroups,
        accessType,
        targetGroupsAt,
        complete: parsed.complete,
      },
      sink,
    );
    checkAlbSources({ stages: parsed.stages, targetGroups: writtenGroups, accessType }, sink);
    checkStageLengths(
      {
        stages: parsed.stages,
        timeoutMs: spec.timeout ?? SIX_HOURS_MS,
        timeoutGiven: spec.timeout !== undefined,
      },
      sink,
    );
  }

  const autoRollback = resolveAutoRollback(doc, spec.planner?.autoRollback, input.autoRollback, sink);
  const mentions = readMentions(doc, spec.notification?.mentions ?? [], sink);

  const appDir = path.dirname(file);
  const definitionRef = (key: "serviceDefinitionFile" | "taskDefinitionFile", fallback: string) => {
    const given = input[key];
    const reference: Origin & { defaultNote: string | undefined } = {
      doc,
      path: ["spec", "input", key],
      defaultNote:
        given === undefined
          ? ` (input.${key} is not set, so Kanaria looked for its default, ${fallback})`
          : undefined,
    };
    return { file: path.resolve(appDir, given ?? fallback), reference };
  };
  const serviceRef = definitionRef("serviceDefinitionFile", DEFAULT_SERVICE_FILE);
  const taskRef = definitionRef("taskDefinitionFile", DEFAULT_TASK_FILE);
  const service = await loadEcsDefinition(serviceRef.file, "service", serviceRef.reference, sink);
  const task = await loadEcsDefinition(taskRef.file, "task", taskRef.reference, sink);
  if (service) checkServiceDefinition(service, pipeline !== undefined);
  if (task) checkTaskDefinition(task, targetGroups, targetGroupsAt, sink);

  if (name === undefined || !service || !task) return { app: undefined, name };
  const app: AppConfig = {
    name,
    file,
    labels,
    description: spec.description ?? "",
    input: {
      serviceDefinitionFile: serviceRef.file,
      taskDefinitionFile: taskRef.file,
      targetGroups,
      accessType,
    },
    serviceDefinition: service.value,
    taskDefinition: task.value,
    pipeline,
    autoRollback,
    timeoutMs: spec.timeout ?? SIX_HOURS_MS,
    mentions,
  };
  return { app, name };
}

function resolveName(
  doc: YamlDocument,
  entryName: string | undefined,
  specName: string | undefined,
  sink: DiagnosticSink,
): string | undefined {
  if (entryName !== undefined) return entryName;
  if (specName === undefined) {
    sink.error(
      doc,
      ["spec", "name"],
      "the app has no name: set spec.name here, or name: in the kanaria.yaml apps entry",
    );
    return undefined;
  }
  if (!APP_NAME.test(specName)) {
    sink.error(
      doc,
      ["spec", "name"],
      "cannot be used as the Kanaria app name (it is typed in /deploy <app>, so one word of letters, digits, '.', '_' or '-'); set name: in the kanaria.yaml apps entry",
    );
    return undefined;
  }
  return specName;
}

/** `spec.planner.autoRollback` wins; PipeCD's older `spec.input.autoRollback` still works, with a warning. */
function resolveAutoRollback(
  doc: YamlDocument,
  planner: boolean | undefined,
  input: boolean | undefined,
  sink: DiagnosticSink,
): boolean {
  if (input !== undefined) {
    if (planner !== undefined && planner !== input) {
      sink.error(
        doc,
        ["spec", "input", "autoRollback"],
        `contradicts spec.planner.autoRollback (${planner}); remove this deprecated one`,
      );
    } else {
      sink.warning(
        doc,
        ["spec", "input", "autoRollback"],
        "deprecated: move it to spec.planner.autoRollback",
        "key",
      );
    }
  }
  return planner ?? input ?? true;
}

function readMentions(
  doc: YamlDocument,
  raw: ReadonlyArray<{
    event: string;
    slack?: string[] | undefined;
    slackUsers?: string[] | undefined;
    slackGroups?: string[] | undefined;
    email?: string[] | undefined;
  }>,
  sink: DiagnosticSink,
): NotificationMention[] {
  const mentions: NotificationMention[] = [];
  for (const [i, mention] of raw.entries()) {
    const where: FieldPath = ["spec", "notification", "mentions", i];
    if (mention.event !== "*" && !NOTIFICATION_EVENTS.includes(mention.event)) {
      sink.error(
        doc,
        [...where, "event"],
        `unknown event "${mention.event}"; use * or one of ${NOTIFICATION_EVENTS.join(", ")}`,
      );
      continue;
    }
    if (NEVER_SENT.test(mention.event)) {
      sink.warning(
        doc,
        [...where, "event"],
        `Kanaria never sends ${mention.event} (it has no sync or piped events); this mention has no effect`,
      );
    }
    if (mention.email !== undefined)
      sink.warning(doc, [...where, "email"], "ignored: Kanaria notifies through Slack only", "key");
    const ids: string[] = [];
    for (const key of ["slack", "slackUsers", "slackGroups"] as const) {
      for (const [j, id] of (mention[key] ?? []).entries()) {
        if (!SLACK_MENTIONABLE.test(id)) {
          sink.warning(
            doc,
            [...where, key, j],
            `"${id}" does not look like a Slack user id (U…/W…) or user group id (S…); Slack shows it as plain text, not a mention`,
          );
        }
        ids.push(id);
      }
    }
    mentions.push({ event: mention.event, slack: ids });
  }
  return mentions;
}
