/**
 * Reports the range selectors of one Prometheus query that do not fit the provider's step
 * (promql-range-lint.ts says which and why) at their place in the query's YAML string. A templated range
 * is judged on what it renders to with the args load time knows, for each variant the metric queries.
 */
import type { Strategy } from "./analysis-metric-schema.js";
import type { DiagnosticSink } from "./diagnostic-sink.js";
import { promqlRangeProblems } from "./promql-range-lint.js";
import { type QueryScope, renderQuery } from "./query-template.js";
import type { Origin } from "./zod-issues.js";

export interface PromqlRangeInput {
  query: string;
  intervalMs: number;
  strategy: Strategy;
  /** The variants the metric queries and the args load time knows (query-template.ts). */
  scope: Pick<QueryScope, "variants" | "variantArgs" | "appArgs">;
}

/** Reports each problem at `origin` (the query's string); false when one of them is an error. */
export function reportPromqlRanges(sink: DiagnosticSink, origin: Origin, input: PromqlRangeInput): boolean {
  const problems = promqlRangeProblems({
    query: input.query,
    intervalMs: input.intervalMs,
    strategy: input.strategy,
    renderRange: (range) => renderKnown(range, input.scope),
  });
  for (const problem of problems) {
    sink.reportInString(problem.severity, origin.doc, origin.path, problem.offset, problem.message);
  }
  return problems.every((p) => p.severity !== "error");
}

/**
 * `text` rendered for each variant (once when there are none) with the args load time knows; undefined
 * when it uses a value that only run time (or the app using a template) supplies.
 */
function renderKnown(text: string, scope: PromqlRangeInput["scope"]): string[] | undefined {
  const { variants, variantArgs, appArgs } = scope;
  try {
    return (variants.length > 0 ? variants : [undefined]).map((variant) =>
      renderQuery(text, {
        app: { name: "" },
        ...(variant ? { variant } : {}),
        ...(variant && variantArgs ? { variantCustomArgs: variantArgs[variant] } : {}),
        ...(appArgs ? { appCustomArgs: appArgs } : {}),
      }),
    );
  } catch {
    return undefined;
  }
}
