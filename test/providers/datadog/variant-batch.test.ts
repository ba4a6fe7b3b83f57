import { describe, expect, it } from "vitest";
import { groupTag, planVariantBatches } from "../../../src/providers/datadog/variant-batch.js";

const ERRORS = (version: string) =>
  `sum:trace.http.request.errors{service:web,version:${version}}.as_count()`;
const HITS = (version: string) => `sum:trace.http.request.hits{service:web,version:${version}}.as_count()`;

describe("planVariantBatches", () => {
  it("asks canary and control of one query as one grouped request", () => {
    expect(planVariantBatches([ERRORS("v2"), ERRORS("v1")])).toEqual([
      {
        kind: "grouped",
        query: "sum:trace.http.request.errors{service:web} by {version}.as_count()",
        tagKey: "version",
        members: [
          { index: 0, tagValue: "v2" },
          { index: 1, tagValue: "v1" },
        ],
      },
    ]);
  });

  it("pairs SEQUENTIAL's four queries into two requests, errors and totals", () => {
    const batches = planVariantBatches([ERRORS("v2"), HITS("v2"), ERRORS("v1"), HITS("v1")]);
    expect(batches.map((b) => (b.kind === "grouped" ? [b.query, b.members.map((m) => m.index)] : b))).toEqual(
      [
        ["sum:trace.http.request.errors{service:web} by {version}.as_count()", [0, 2]],
        ["sum:trace.http.request.hits{service:web} by {version}.as_count()", [1, 3]],
      ],
    );
  });

  it("groups every scope of an arithmetic query, and keeps the scope `*` where the variant was its only filter", () => {
    const ratio = (v: string) =>
      `100 * sum:http.5xx{version:${v}}.as_count() / sum:http.requests{env:prod,version:${v}}.rollup(sum, 60)`;
    expect(planVariantBatches([ratio("v2"), ratio("v1")])[0]).toMatchObject({
      kind: "grouped",
      query:
        "100 * sum:http.5xx{*} by {version}.as_count() / sum:http.requests{env:prod} by {version}.rollup(sum, 60)",
    });
  });

  it("finds the varying tag wherever it stands in the scope", () => {
    const q = (v: string) => `avg:latency.p99{task_set:${v},service:web,env:prod}`;
    expect(planVariantBatches([q("ecs-svc/1"), q("ecs-svc/2")])[0]).toMatchObject({
      kind: "grouped",
      query: "avg:latency.p99{service:web,env:prod} by {task_set}",
      tagKey: "task_set",
    });
  });

  it.each([
    ["different metrics", ERRORS("v2"), HITS("v1")],
    ["two tags differ", "sum:m{env:prod,version:v2}", "sum:m{env:staging,version:v1}"],
    ["the variant is a different tag", "sum:m{service:web,version:v2}", "sum:m{service:web,color:green}"],
    ["a wildcard value", "sum:m{version:v2*}", "sum:m{version:v1}"],
    ["boolean scope syntax", "sum:m{version:v2 OR version:v3}", "sum:m{version:v1}"],
    ["an IN list", "sum:m{version IN (v2,v3)}", "sum:m{version:v1}"],
    ["a negated item on the key", "sum:m{version:v2,!version:v3}", "sum:m{version:v1,!version:v3}"],
    ["a group-by of its own", "sum:m{version:v2} by {host}", "sum:m{version:v1} by {host}"],
    [
      "several queries in one string",
      "sum:a{version:v2}, sum:b{version:v2}",
      "sum:a{version:v1}, sum:b{version:v1}",
    ],
    ["a scope without the tag", "sum:a{version:v2} / sum:b{*}", "sum:a{version:v1} / sum:b{*}"],
    [
      "two values in one query",
      "sum:a{version:v2} / sum:b{version:v1}",
      "sum:a{version:v1} / sum:b{version:v2}",
    ],
    ["different functions", "sum:m{version:v2}.as_count()", "sum:m{version:v1}.as_rate()"],
    ["no scope at all", "sum:m", "sum:n"],
  ])("asks alone when %s", (_, a, b) => {
    expect(planVariantBatches([a, b])).toEqual([
      { kind: "single", query: a, indexes: [0] },
      { kind: "single", query: b, indexes: [1] },
    ]);
  });

  it("asks identical queries once", () => {
    expect(planVariantBatches([ERRORS("v2"), ERRORS("v2")])).toEqual([
      { kind: "single", query: ERRORS("v2"), indexes: [0, 1] },
    ]);
  });

  it("batches what it can and asks the rest alone, every index answered once", () => {
    const queries = ["avg:cpu{service:web}", ERRORS("v2"), "sum:m{version:v2 OR version:v3}", ERRORS("v1")];
    const batches = planVariantBatches(queries);
    expect(batches.map((b) => b.kind)).toEqual(["single", "grouped", "single"]);
    const indexes = batches.flatMap((b) => (b.kind === "single" ? b.indexes : b.members.map((m) => m.index)));
    expect([...indexes].sort()).toEqual([0, 1, 2, 3]);
  });

  it("batches three variants (canary, baseline, primary) together", () => {
    const batch = planVariantBatches([ERRORS("canary"), ERRORS("baseline"), ERRORS("primary")])[0];
    expect(batch?.kind === "grouped" && batch.members.map((m) => m.tagValue)).toEqual([
      "canary",
      "baseline",
      "primary",
    ]);
  });
});

describe("groupTag", () => {
  it("is the group's tag as Datadog lists it, lower-cased (Datadog lower-cases tags at intake)", () => {
    expect(groupTag("version", "V2-Beta")).toBe("version:v2-beta");
  });
});
