/**
 * Metric query templates, PipeCD style: `{{ .App.Name }}`, `{{ .Variant.Name }}`,
 * `{{ .VariantCustomArgs.x }}`, `{{ .AppCustomArgs.x }}`, plus Kanaria's `{{ .Version }}` (and PipeCD's
 * `{{ .App.Env }}`, the app's `env` label). Only plain field references are supported, which is all
 * PipeCD's documentation uses; anything else is reported at load time rather than failing mid-canary.
 */
import { ConfigError } from "./config-error.js";

export type Variant = "primary" | "canary" | "baseline";

export interface QueryVars {
  app: { name: string; env?: string };
  /** Unset for queries that are not per variant (THRESHOLD, PREVIOUS). */
  variant?: Variant;
  variantCustomArgs?: Readonly<Record<string, string>>;
  appCustomArgs?: Readonly<Record<string, string>>;
  version?: string;
}

interface Reference {
  /** Offsets of the whole `{{ … }}` in the template. */
  start: number;
  end: number;
  /** Field path, e.g. `["AppCustomArgs", "job"]`; undefined when the expression is not a field reference. */
  fields: string[] | undefined;
  expression: string;
  trimBefore: boolean;
  trimAfter: boolean;
}

export interface QueryProblem {
  /** Offset in the template of the `{{` the problem is about. */
  offset: number;
  message: string;
  /**
   * `args` when the query is fine but the metric does not supply a value it uses (primaryArgs,
   * canaryArgs, baselineArgs, template.appArgs): with templates, the app is what needs fixing.
   */
  cause: "query" | "args";
}

const ACTION = /\{\{(- )?([\s\S]*?)( -)?\}\}/g;
const FIELD_PATH = /^\.[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$/;

function scan(template: string): { parts: Array<string | Reference>; problems: QueryProblem[] } {
  const parts: Array<string | Reference> = [];
  const problems: QueryProblem[] = [];
  let last = 0;
  for (const match of template.matchAll(ACTION)) {
    const start = match.index;
    if (start > last) parts.push(template.slice(last, start));
    const expression = (match[2] ?? "").trim();
    parts.push({
      start,
      end: start + match[0].length,
      fields: FIELD_PATH.test(expression) ? expression.slice(1).split(".") : undefined,
      expression,
      trimBefore: match[1] !== undefined,
      trimAfter: match[3] !== undefined,
    });
    last = start + match[0].length;
  }
  const tail = template.slice(last);
  const open = tail.indexOf("{{");
  if (open !== -1)
    problems.push({ offset: last + open, message: '"{{" is never closed with "}}"', cause: "query" });
  if (tail !== "") parts.push(tail);
  return { parts, problems };
}

/** What a query may refer to, as far as load time knows it. */
export interface QueryScope {
  strategy: string;
  /** Variants the strategy renders this query for; empty for THRESHOLD and PREVIOUS. */
  variants: readonly Variant[];
  /** Args per variant; undefined while checking a template on its own (an app may still supply them). */
  variantArgs: Readonly<Record<Variant, Readonly<Record<string, string>>>> | undefined;
  /** `template.appArgs`; undefined while checking a template on its own (the app supplies them later). */
  appArgs: Readonly<Record<string, string>> | undefined;
  /** Whether the metric comes from a template (where AppCustomArgs are meaningful). */
  fromTemplate: boolean;
  /** Whether the app has an `env` label; undefined when unknown. */
  hasEnvLabel: boolean | undefined;
}

const ARGS_FIELD: Record<Variant, string> = {
  primary: "primaryArgs",
  canary: "canaryArgs",
  baseline: "baselineArgs",
};
const KNOWN =
  "{{ .App.Name }}, {{ .App.Env }}, {{ .Variant.Name }}, {{ .VariantCustomArgs.<key> }}, {{ .AppCustomArgs.<key> }}, {{ .Version }}";

/** Every reason `template` could not be rendered under `scope`. */
export function checkQueryTemplate(template: string, scope: QueryScope): QueryProblem[] {
  const { parts, problems } = scan(template);
  for (const part of parts) {
    if (typeof part === "string") continue;
    const problem = checkReference(part, scope);
    if (problem) problems.push({ offset: part.start, ...problem });
  }
  return problems.sort((a, b) => a.offset - b.offset);
}

function checkReference(ref: Reference, scope: QueryScope): Omit<QueryProblem, "offset"> | undefined {
  const problem = referenceProblem(ref, scope);
  if (problem === undefined) return undefined;
  return typeof problem === "string"
    ? { message: problem, cause: "query" }
    : { message: problem.args, cause: "args" };
}

/** A message about the query itself, or `{args}` when a value the query uses is not supplied. */
function referenceProblem(ref: Reference, scope: QueryScope): string | { args: string } | undefined {
  const shown = `{{ ${ref.expression} }}`;
  const fields = ref.fields;
  if (!fields) {
    return `${shown}: Kanaria supports only field references in queries, such as ${KNOWN}`;
  }
  const [head, key, ...rest] = fields;
  const exact = (n: number) => fields.length === n;
  switch (head) {
    case "App":
      if (exact(2) && key === "Name") return undefined;
      if (exact(2) && key === "Env") {
        return scope.hasEnvLabel === false ? `${shown} needs an "env" entry in spec.labels` : undefined;
      }
      return `${shown} is not a known variable; .App has Name and Env`;
    case "Version":
      return exact(1) ? undefined : `${shown} is not a known variable; use {{ .Version }}`;
    case "Variant":
      if (!(exact(2) && key === "Name")) return `${shown} is not a known variable; .Variant has only Name`;
      return scope.variants.length === 0 ? notPerVariant(shown, scope.strategy) : undefined;
    case "VariantCustomArgs": {
      if (key === undefined || rest.length > 0) return `${shown}: write {{ .VariantCustomArgs.<key> }}`;
      if (scope.variants.length === 0) return notPerVariant(shown, scope.strategy);
      const args = scope.variantArgs;
      if (args === undefined) return undefined;
      const missing = scope.variants.filter((v) => !Object.hasOwn(args[v], key));
      if (missing.length === 0) return undefined;
      const fieldsMissing = missing.map((v) => ARGS_FIELD[v]).join(" and ");
      return {
        args: `${shown}: "${key}" is missing from ${fieldsMissing} (${scope.strategy} renders this query for ${scope.variants.join(" and ")})`,
      };
    }
    case "AppCustomArgs": {
      if (key === undefined || rest.length > 0) return `${shown}: write {{ .AppCustomArgs.<key> }}`;
      if (!scope.fromTemplate) {
        return `${shown}: AppCustomArgs come from template.appArgs, and this metric does not use a template; write the value into the query`;
      }
      if (scope.appArgs === undefined || Object.hasOwn(scope.appArgs, key)) return undefined;
      const given = Object.keys(scope.appArgs);
      return {
        args: `${shown}: "${key}" is missing from template.appArgs (${given.length > 0 ? `given: ${given.join(", ")}` : "none given"})`,
      };
    }
    case "K8s":
      return `${shown} is Kubernetes-only: ECS apps have no namespace or pods; select the ECS service by its tags instead (e.g. {{ .App.Name }})`;
    case "VariantArgs":
      return `${shown}: the variable is called .VariantCustomArgs`;
    default:
      return `${shown} is not a known variable; known: ${KNOWN}`;
  }
}

function notPerVariant(shown: string, strategy: string): string {
  return `${shown} is set only for strategies that query each variant (CANARY_BASELINE, CANARY_PRIMARY, SEQUENTIAL); a ${strategy} query is not per variant`;
}

/**
 * Renders a query for one variant at run time. Load-time validation guarantees every reference resolves;
 * a reference that does not is a bug and throws ConfigError QUERY_VARIABLE_MISSING.
 */
export function renderQuery(template: string, vars: QueryVars): string {
  const { parts, problems } = scan(template);
  const first = problems[0];
  if (first) throw new ConfigError("QUERY_TEMPLATE_INVALID", `query template: ${first.message}`);
  let out = "";
  for (const [i, part] of parts.entries()) {
    if (typeof part !== "string") {
      out += resolve(part, vars);
      continue;
    }
    let text = part;
    const previous = parts[i - 1];
    const next = parts[i + 1];
    if (previous && typeof previous !== "string" && previous.trimAfter) text = text.trimStart();
    if (next && typeof next !== "string" && next.trimBefore) text = text.trimEnd();
    out += text;
  }
  return out;
}

function resolve(ref: Reference, vars: QueryVars): string {
  const missing = (what: string) =>
    new ConfigError("QUERY_VARIABLE_MISSING", `query template: {{ ${ref.expression} }}: ${what}`);
  const fields = ref.fields;
  if (!fields)
    throw new ConfigError(
      "QUERY_TEMPLATE_INVALID",
      `query template: {{ ${ref.expression} }} is not a field reference`,
    );
  const [head, key] = fields;
  if (head === "App" && key === "Name" && fields.length === 2) return vars.app.name;
  if (head === "App" && key === "Env" && fields.length === 2) {
    if (vars.app.env === undefined) throw missing("the app has no env label");
    return vars.app.env;
  }
  if (head === "Version" && fields.length === 1) {
    if (vars.version === undefined) throw missing("no version given");
    return vars.version;
  }
  if (head === "Variant" && key === "Name" && fields.length === 2) {
    if (vars.variant === undefined) throw missing("the query is not rendered for a variant");
    return vars.variant;
  }
  if (
    (head === "VariantCustomArgs" || head === "AppCustomArgs") &&
    key !== undefined &&
    fields.length === 2
  ) {
    const args = head === "VariantCustomArgs" ? vars.variantCustomArgs : vars.appCustomArgs;
    const value = args?.[key];
    if (value === undefined) throw missing(`no value for "${key}"`);
    return value;
  }
  throw missing("unknown variable");
}

/**
 * True when `template` renders the same text for every variant in `variants`: it names neither
 * `.Variant.Name` nor a `.VariantCustomArgs` key whose values differ between them. A comparison of a
 * series with itself can never fail. With `variantArgs` unknown (a template on its own), any
 * VariantCustomArgs reference counts as varying, since the app may supply different values.
 */
export function sameForEveryVariant(
  template: string,
  variants: readonly Variant[],
  variantArgs: Readonly<Record<Variant, Readonly<Record<string, string>>>> | undefined,
): boolean {
  for (const part of scan(template).parts) {
    if (typeof part === "string" || !part.fields) continue;
    const [head, key] = part.fields;
    if (head === "Variant") return false;
    if (head !== "VariantCustomArgs" || key === undefined) continue;
    if (!variantArgs) return false;
    const values = new Set(variants.map((v) => variantArgs[v][key]));
    if (values.size > 1) return false;
  }
  return true;
}
