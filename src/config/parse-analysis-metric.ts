/**
 * One metric of an ANALYSIS stage (or of an AnalysisTemplate), validated into an `AnalysisMetric`.
 * A metric with `template: {name, appArgs}` starts from the template's metric and is overridden by the
 * fields written next to `template`; every field is reported in the file where it was written.
 */
import { z } from "zod";
import type { AnalysisMetric, Deviation, MetricCommon } from "../domain/analysis-metric.js";
import { encodeCloudWatchQuery } from "../domain/cloudwatch-query.js";
import { albSourceQueries } from "./alb-source-queries.js";
import {
  METRIC_KEYS,
  metricSchema,
  STRATEGY_SPECIFIC,
  type Strategy,
  stringMap,
  USED_BY,
} from "./analysis-metric-schema.js";
import type { TemplateLibrary } from "./analysis-templates.js";
import type { DiagnosticSink } from "./diagnostic-sink.js";
import { formatDuration } from "./duration.js";
import { type FieldPath, isRecord } from "./field-path.js";
import { comparisonPointsProblem, ratioBoundProblem } from "./metric-lints.js";
import { parseCloudWatchQuery, queryShapeProblem } from "./parse-cloudwatch-query.js";
import {
  checkQueryTemplate,
  type QueryProblem,
  type QueryScope,
  sameForEveryVariant,
  type Variant,
} from "./query-template.js";
import { reportPromqlRanges } from "./report-promql-ranges.js";
import { type Origin, parseAt, warnUnknownKeys } from "./zod-issues.js";

export interface MetricContext {
  /** Names of kanaria.yaml analysisProviders; undefined skips the check (an app config read alone). */
  providers: readonly string[] | undefined;
  /** Type of each valid provider; a query is checked against its provider's type when known. */
  providerTypes?: ReadonlyMap<string, string>;
  templates: TemplateLibrary;
  /** Whether the app has an `env` label (for `{{ .App.Env }}`); undefined when unknown. */
  hasEnvLabel: boolean | undefined;
  /** The ANALYSIS stage's duration; undefined when checking a template on its own. */
  stageDurationMs: number | undefined;
}

interface Field {
  value: unknown;
  /** Where the field was written; the path ends with the field's key. */
  origin: Origin;
}

/** A metric as written in an app's ANALYSIS stage (`with.metrics[index]`). */
export function parseAnalysisMetric(
  raw: unknown,
  at: Origin,
  index: number,
  ctx: MetricContext,
  sink: DiagnosticSink,
): AnalysisMetric | undefined {
  if (!isRecord(raw)) {
    sink.error(
      at.doc,
      at.path,
      "a metric must be a map of settings (strategy, provider, query, interval, …)",
    );
    return undefined;
  }
  const fields = new Map<string, Field>();
  let name = `metrics[${index}]`;
  let appArgs: Record<string, string> | undefined;
  if (raw.template !== undefined) {
    const refAt: Origin = { doc: at.doc, path: [...at.path, "template"] };
    const ref = parseAt(
      z.object({ name: z.string().min(1), appArgs: stringMap.optional() }),
      raw.template,
      refAt,
      sink,
    );
    warnUnknownKeys(raw.template, ["name", "appArgs"], refAt, sink, "template");
    if (!ref) return undefined;
    const template = ctx.templates.get(ref.name);
    if (!template) {
      const names = [...ctx.templates.keys()];
      const defined =
        names.length > 0
          ? `defined: ${names.join(", ")}`
          : "no AnalysisTemplate metrics were found in .pipe/ or analysisTemplateFiles";
      sink.error(at.doc, [...refAt.path, "name"], `analysis template "${ref.name}" not found (${defined})`);
      return undefined;
    }
    for (const [key, value] of Object.entries(template.raw)) {
      fields.set(key, { value, origin: { doc: template.doc, path: [...template.path, key] } });
    }
    name = template.name;
    appArgs = ref.appArgs ?? {};
  }
  for (const [key, value] of Object.entries(raw)) {
    if (key !== "template") fields.set(key, { value, origin: { doc: at.doc, path: [...at.path, key] } });
  }
  const identity: MetricIdentity = { name, appArgs, container: at };
  if (raw.template !== undefined) identity.templateRef = [...at.path, "template"];
  return buildMetric(fields, identity, ctx, sink);
}

/** A template metric on its own: everything that can be checked without the app that will use it. */
export function checkTemplateMetric(
  template: { name: string; doc: Origin["doc"]; path: FieldPath; raw: Record<string, unknown> },
  ctx: MetricContext,
  sink: DiagnosticSink,
): void {
  const container: Origin = { doc: template.doc, path: template.path };
  if (template.raw.template !== undefined) {
    sink.error(
      template.doc,
      [...template.path, "template"],
      "a template metric cannot refer to another template",
      "key",
    );
    return;
  }
  const fields = new Map<string, Field>();
  for (const [key, value] of Object.entries(template.raw)) {
    fields.set(key, { value, origin: { doc: template.doc, path: [...template.path, key] } });
  }
  buildMetric(
    fields,
    { name: template.name, appArgs: undefined, container, standaloneTemplate: true },
    ctx,
    sink,
  );
}

interface MetricIdentity {
  name: string;
  /** template.appArgs; undefined for a metric without template (or a template checked on its own). */
  appArgs: Record<string, string> | undefined;
  /** Where missing fields are reported: the app's metric entry (or the template metric). */
  container: Origin;
  /** The app metric's `template:` field, when the metric uses a template. */
  templateRef?: FieldPath;
  standaloneTemplate?: boolean;
}

function buildMetric(
  fields: ReadonlyMap<string, Field>,
  identity: MetricIdentity,
  ctx: MetricContext,
  sink: DiagnosticSink,
): AnalysisMetric | undefined {
  const where = (key: string): Origin =>
    fields.get(key)?.origin ?? { doc: identity.container.doc, path: [...identity.container.path, key] };
  const errorAt = (key: string, message: string) => sink.error(where(key).doc, where(key).path, message);
  const warnAt = (key: string, message: string, target?: "key") =>
    sink.warning(where(key).doc, where(key).path, message, target);

  for (const [key, field] of fields) {
    if (!METRIC_KEYS.includes(key)) {
      const container: Origin = { doc: field.origin.doc, path: field.origin.path.slice(0, -1) };
      warnUnknownKeys({ [key]: field.value }, METRIC_KEYS, container, sink, "a metric");
    }
  }
  const expectedField = fields.get("expected");
  if (expectedField) {
    warnUnknownKeys(expectedField.value, ["min", "max"], expectedField.origin, sink, "expected");
  }

  const merged = Object.fromEntries([...fields].map(([key, field]) => [key, field.value]));
  const parsed = parseAt(metricSchema, merged, identity.container, sink, (key) => fields.get(key)?.origin);
  if (!parsed) return undefined;

  const strategy: Strategy = parsed.strategy ?? "THRESHOLD";
  let ok = true;
  const fail = (key: string, message: string) => {
    errorAt(key, message);
    ok = false;
  };
  // A template on its own may leave fields to the apps that use it (they override and complete it).
  const requireField = (key: string, message = `missing required key "${key}"`) => {
    if (!identity.standaloneTemplate) fail(key, message);
  };
  if (parsed.provider === undefined) requireField("provider");
  else if (ctx.providers && !ctx.providers.includes(parsed.provider)) {
    const defined = ctx.providers.length > 0 ? `defined: ${ctx.providers.join(", ")}` : "none are defined";
    fail(
      "provider",
      `analysis provider "${parsed.provider}" is not defined in kanaria.yaml analysisProviders (${defined})`,
    );
  }
  const providerType = parsed.provider === undefined ? undefined : ctx.providerTypes?.get(parsed.provider);
  if (parsed.interval === undefined) {
    requireField("interval", 'missing required key "interval" (how often to query, e.g. "1m")');
  }

  for (const key of STRATEGY_SPECIFIC) {
    if (!fields.has(key) || USED_BY[strategy].includes(key)) continue;
    if (strategy === "SEQUENTIAL" && key === "query") {
      fail(key, "SEQUENTIAL reads two count queries, errors and total; query is not used");
    } else warnAt(key, `ignored: ${strategy} does not use ${key}`, "key");
  }

  const common: MetricCommon = {
    name: parsed.name ?? identity.name,
    provider: parsed.provider ?? "",
    intervalMs: parsed.interval ?? 0,
    failureLimit: parsed.failureLimit ?? 0,
    skipOnNoData: parsed.skipOnNoData ?? false,
    timeoutMs: parsed.timeout ?? 30_000,
    dryRun: parsed.dryRun ?? false,
    appArgs: identity.appArgs ?? {},
  };
  const variantArgs = {
    primary: parsed.primaryArgs ?? {},
    canary: parsed.canaryArgs ?? {},
    baseline: parsed.baselineArgs ?? {},
  };
  // A template on its own knows no variant args: the apps using it give them.
  const knownArgs = identity.standaloneTemplate ? undefined : variantArgs;
  const scopeFor = (variants: readonly Variant[]): QueryScope => ({
    strategy,
    variants,
    variantArgs: knownArgs,
    appArgs: identity.appArgs,
    fromTemplate: identity.appArgs !== undefined || identity.standaloneTemplate === true,
    hasEnvLabel: ctx.hasEnvLabel,
  });
  const warnSameSeries = (key: string, variants: readonly Variant[], where: string) =>
    warnAt(
      key,
      `${strategy} compares ${variants.join(" with ")}, but this query reads the same series for both (no {{ .Variant.Name }}, and no {{ .VariantCustomArgs.<key> }} that differs${where}): the comparison can never fail`,
    );
  const checkQuery = (
    key: "query" | "errors" | "total",
    variants: readonly Variant[],
  ): string | undefined => {
    const written = parsed[key];
    if (written === undefined) {
      requireField(key);
      return undefined;
    }
    const mismatch = queryShapeProblem(written, parsed.provider, providerType);
    if (mismatch) {
      fail(key, mismatch);
      return undefined;
    }
    const reportProblem = (origin: Origin, problem: QueryProblem) => {
      ok = false;
      if (problem.cause === "args" && identity.templateRef && origin.doc !== identity.container.doc) {
        // The template's query is fine; this app does not supply a value it uses. Say so at the app.
        sink.error(
          identity.container.doc,
          identity.templateRef,
          `template "${identity.name}" ${key}: ${problem.message}`,
        );
      } else {
        sink.errorInString(origin.doc, origin.path, problem.offset, problem.message);
      }
    };
    if (typeof written !== "string") {
      const origin = where(key);
      const cloudwatch = parseCloudWatchQuery(
        written,
        origin,
        {
          scope: scopeFor(variants),
          report: (path, problem) => reportProblem({ doc: origin.doc, path }, problem),
        },
        sink,
      );
      if (!cloudwatch) {
        ok = false;
        return undefined;
      }
      if (
        variants.length > 0 &&
        cloudwatch.strings.every((t) => sameForEveryVariant(t, variants, knownArgs))
      ) {
        warnSameSeries(key, variants, ", in any of its fields");
      }
      return encodeCloudWatchQuery(cloudwatch.query);
    }
    const text = written;
    const problems = checkQueryTemplate(text, scopeFor(variants));
    if (problems.length === 0 && variants.length > 0 && sameForEveryVariant(text, variants, knownArgs)) {
      warnSameSeries(key, variants, "");
    }
    for (const problem of problems) reportProblem(where(key), problem);
    const ranges = { query: text, intervalMs: common.intervalMs, strategy, scope: scopeFor(variants) };
    if (
      problems.length === 0 &&
      providerType === "PROMETHEUS" &&
      !reportPromqlRanges(sink, where(key), ranges)
    )
      ok = false;
    return text;
  };

  if (ctx.stageDurationMs !== undefined && common.intervalMs > ctx.stageDurationMs) {
    warnAt(
      "interval",
      `interval ${formatDuration(common.intervalMs)} is longer than the stage duration ${formatDuration(ctx.stageDurationMs)}: the metric is never queried before the stage ends`,
    );
  }

  let metric: AnalysisMetric | undefined;
  switch (strategy) {
    case "THRESHOLD": {
      const query = checkQuery("query", []);
      const expected = parsed.expected ?? {};
      if (expected.min === undefined && expected.max === undefined) {
        requireField("expected", "THRESHOLD needs expected.min and/or expected.max");
      } else if (expected.min !== undefined && expected.max !== undefined && expected.min > expected.max) {
        fail(
          "expected",
          `expected.min ${expected.min} is above expected.max ${expected.max}: every value would fail`,
        );
      }
      if (query !== undefined) {
        const problem = ratioBoundProblem(query, expected);
        if (problem) {
          const origin = where("expected");
          sink.warning(origin.doc, [...origin.path, problem.bound], problem.message);
        }
      }
      const bounds: { min?: number; max?: number } = {};
      if (expected.min !== undefined) bounds.min = expected.min;
      if (expected.max !== undefined) bounds.max = expected.max;
      metric = { strategy, common, query: query ?? "", expected: bounds };
      break;
    }
    case "PREVIOUS":
    case "CANARY_BASELINE":
    case "CANARY_PRIMARY": {
      const variants: Variant[] =
        strategy === "PREVIOUS"
          ? []
          : strategy === "CANARY_BASELINE"
            ? ["canary", "baseline"]
            : ["canary", "primary"];
      const query = checkQuery("query", variants);
      const deviation: Deviation = parsed.deviation ?? "EITHER";
      if (query !== undefined && common.intervalMs > 0) {
        const problem = comparisonPointsProblem(query, common.intervalMs, deviation);
        if (problem) warnAt("interval", problem);
      }
      if (strategy === "PREVIOUS") metric = { strategy, common, query: query ?? "", deviation };
      else metric = { strategy, common, query: query ?? "", deviation, variantArgs };
      break;
    }
    case "SEQUENTIAL": {
      const control = parsed.control ?? "PRIMARY";
      const variants: Variant[] = ["canary", control === "PRIMARY" ? "primary" : "baseline"];
      let errors: string | undefined;
      let total: string | undefined;
      if (parsed.source === "ALB") {
        const alb = albSourceQueries({
          provider: parsed.provider,
          providerType,
          intervalMs: common.intervalMs,
          wrote: { errors: fields.has("errors"), total: fields.has("total") },
        });
        for (const problem of alb.problems) fail(problem.key, problem.message);
        ({ errors, total } = alb);
      } else {
        errors = checkQuery("errors", variants);
        total = checkQuery("total", variants);
      }
      if (parsed.deviation !== undefined && parsed.deviation !== "HIGH") {
        fail(
          "deviation",
          "SEQUENTIAL detects only increases of the error ratio: deviation must be HIGH (or left out)",
        );
      }
      const maxRatio = parsed.maxRatio ?? 1;
      if (maxRatio < 1) {
        warnAt(
          "maxRatio",
          `maxRatio ${maxRatio} < 1 fails a canary that is no worse than its control; 1 tolerates no increase`,
        );
      }
      metric = {
        strategy,
        common,
        errors: errors ?? "",
        total: total ?? "",
        control,
        maxRatio,
        alpha: parsed.alpha ?? 0.01,
        deviation: "HIGH",
        earlyPass: parsed.earlyPass ?? false,
        variantArgs,
      };
      break;
    }
  }
  return ok ? metric : undefined;
}
