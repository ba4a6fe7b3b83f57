import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/config-error.js";
import {
  checkQueryTemplate,
  type QueryScope,
  renderQuery,
  sameForEveryVariant,
} from "../../src/config/query-template.js";

const scope = (over: Partial<QueryScope> = {}): QueryScope => ({
  strategy: "CANARY_PRIMARY",
  variants: ["canary", "primary"],
  variantArgs: { primary: { tg: "blue" }, canary: { tg: "green" }, baseline: {} },
  appArgs: { service: "web" },
  fromTemplate: true,
  hasEnvLabel: true,
  ...over,
});

describe("checkQueryTemplate", () => {
  it("accepts every supported variable", () => {
    const query =
      "{{ .App.Name }} {{ .App.Env }} {{.Variant.Name}} {{ .VariantCustomArgs.tg }} {{ .AppCustomArgs.service }} {{ .Version }} {{- .App.Name -}}";
    expect(checkQueryTemplate(query, scope())).toEqual([]);
  });

  it.each([
    {
      query: "ns:{{ .K8s.Namespace }}",
      over: {},
      offset: 3,
      cause: "query",
      words: ["Kubernetes-only", "no namespace"],
    },
    {
      query: "{{ .Foo }}",
      over: {},
      offset: 0,
      cause: "query",
      words: ["not a known variable", "{{ .App.Name }}"],
    },
    { query: "x {{ .App.Id }}", over: {}, offset: 2, cause: "query", words: [".App has Name and Env"] },
    {
      query: '{{ index .AppCustomArgs "x" }}',
      over: {},
      offset: 0,
      cause: "query",
      words: ["only field references"],
    },
    { query: "a {{ .App.Name", over: {}, offset: 2, cause: "query", words: ["never closed"] },
    {
      query: "{{ .VariantCustomArgs.region }}",
      over: {},
      offset: 0,
      cause: "args",
      words: [
        '"region" is missing from canaryArgs and primaryArgs',
        "CANARY_PRIMARY renders this query for canary and primary",
      ],
    },
    {
      query: "{{ .VariantCustomArgs.tg }}",
      over: { strategy: "CANARY_BASELINE", variants: ["canary", "baseline"] as const },
      offset: 0,
      cause: "args",
      words: ['"tg" is missing from baselineArgs'],
    },
    {
      query: "{{ .Variant.Name }}",
      over: { strategy: "THRESHOLD", variants: [] },
      offset: 0,
      cause: "query",
      words: ["a THRESHOLD query is not per variant"],
    },
    {
      query: "{{ .AppCustomArgs.job }}",
      over: {},
      offset: 0,
      cause: "args",
      words: ['"job" is missing from template.appArgs (given: service)'],
    },
    {
      query: "{{ .AppCustomArgs.job }}",
      over: { fromTemplate: false, appArgs: undefined },
      offset: 0,
      cause: "query",
      words: ["AppCustomArgs come from template.appArgs", "does not use a template"],
    },
    {
      query: "{{ .App.Env }}",
      over: { hasEnvLabel: false },
      offset: 0,
      cause: "query",
      words: ['"env" entry in spec.labels'],
    },
  ])("$query → $words", ({ query, over, offset, cause, words }) => {
    const problems = checkQueryTemplate(query, scope(over));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ offset, cause });
    for (const word of words) expect(problems[0]?.message).toContain(word);
  });

  it("skips argument checks that only the app can settle (a template checked on its own)", () => {
    const standalone = scope({ variantArgs: undefined, appArgs: undefined, fromTemplate: true });
    expect(checkQueryTemplate("{{ .VariantCustomArgs.x }} {{ .AppCustomArgs.y }}", standalone)).toEqual([]);
  });
});

describe("renderQuery", () => {
  const vars = {
    app: { name: "web", env: "prd" },
    variant: "canary" as const,
    variantCustomArgs: { tg: "green" },
    appCustomArgs: { service: "storefront" },
    version: "v1.4.2",
  };

  it.each([
    ["sum:x{app:{{ .App.Name }},env:{{ .App.Env }}}", "sum:x{app:web,env:prd}"],
    ["{variant:{{.Variant.Name}},tg:{{ .VariantCustomArgs.tg }}}", "{variant:canary,tg:green}"],
    ["{{ .AppCustomArgs.service }}@{{ .Version }}", "storefront@v1.4.2"],
    ["a  {{- .App.Name -}}  b", "awebb"],
    ["no variables", "no variables"],
  ])("%s → %s", (template, expected) => {
    expect(renderQuery(template, vars)).toBe(expected);
  });

  it("throws QUERY_VARIABLE_MISSING for a value load-time validation should have required", () => {
    const render = () => renderQuery("{{ .VariantCustomArgs.region }}", vars);
    expect(render).toThrow(ConfigError);
    expect(render).toThrow(/no value for "region"/);
    expect(render).toThrow(expect.objectContaining({ code: "QUERY_VARIABLE_MISSING" }));
  });

  it("throws QUERY_TEMPLATE_INVALID for an unsupported expression", () => {
    const render = () => renderQuery("{{ len .App.Name }}", vars);
    expect(render).toThrow(/not a field reference/);
    expect(render).toThrow(expect.objectContaining({ code: "QUERY_TEMPLATE_INVALID" }));
  });
});

describe("sameForEveryVariant", () => {
  const args = { primary: { tg: "blue", region: "x" }, canary: { tg: "green", region: "x" }, baseline: {} };
  it.each([
    ["avg:x{service:{{ .App.Name }}}", args, true],
    ["avg:x{variant:{{ .Variant.Name }}}", args, false],
    ["avg:x{tg:{{ .VariantCustomArgs.tg }}}", args, false],
    ["avg:x{region:{{ .VariantCustomArgs.region }}}", args, true],
    ["avg:x{region:{{ .VariantCustomArgs.region }}}", undefined, false],
  ] as const)("%s (args %j) → %s", (query, variantArgs, same) => {
    expect(sameForEveryVariant(query, ["canary", "primary"], variantArgs)).toBe(same);
  });
});
