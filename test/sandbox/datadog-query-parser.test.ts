import { describe, expect, it } from "vitest";
import { type MetricNode, parseQuery, QueryParseError } from "../../sandbox/datadog-query-parser.js";

function metric(partial: Partial<MetricNode> & { metric: string }): MetricNode {
  return {
    kind: "metric",
    aggregator: "avg",
    filters: [],
    groupBy: [],
    modifier: undefined,
    rollup: undefined,
    ...partial,
  };
}

describe("parseQuery: accepted", () => {
  it.each<[string, unknown]>([
    ["avg:system.cpu.user{*}", metric({ metric: "system.cpu.user" })],
    ["system.cpu.user{*}", metric({ metric: "system.cpu.user" })],
    [
      "sum:trace.http.request.hits{service:web,version:v1.4.2}",
      metric({
        aggregator: "sum",
        metric: "trace.http.request.hits",
        filters: [
          { key: "service", value: "web" },
          { key: "version", value: "v1.4.2" },
        ],
      }),
    ],
    [
      "sum:aws.applicationelb.request_count{targetgroup:targetgroup/web-canary/0123abcd, app:web}",
      metric({
        aggregator: "sum",
        metric: "aws.applicationelb.request_count",
        filters: [
          { key: "targetgroup", value: "targetgroup/web-canary/0123abcd" },
          { key: "app", value: "web" },
        ],
      }),
    ],
    [
      "max:m{version:v1.*}",
      metric({ aggregator: "max", metric: "m", filters: [{ key: "version", value: "v1.*" }] }),
    ],
    [
      "sum:m{service:web} by {version}.as_count()",
      metric({
        aggregator: "sum",
        metric: "m",
        filters: [{ key: "service", value: "web" }],
        groupBy: ["version"],
        modifier: "count",
      }),
    ],
    [
      "min:m{*} by { env , version }",
      metric({ aggregator: "min", metric: "m", groupBy: ["env", "version"] }),
    ],
    ["sum:m{*}.as_rate()", metric({ aggregator: "sum", metric: "m", modifier: "rate" })],
    [
      "sum:m{*}.as_count().rollup(sum, 300)",
      metric({ aggregator: "sum", metric: "m", modifier: "count", rollup: { method: "sum", seconds: 300 } }),
    ],
    ["avg:m{*}.rollup(max)", metric({ metric: "m", rollup: { method: "max", seconds: undefined } })],
    ["avg:m{*}.rollup(120)", metric({ metric: "m", rollup: { method: undefined, seconds: 120 } })],
    ["avg:m{*}.rollup(count, 60)", metric({ metric: "m", rollup: { method: "count", seconds: 60 } })],
    [
      "sum:a{*} / sum:b{*}",
      {
        kind: "binary",
        op: "/",
        left: metric({ aggregator: "sum", metric: "a" }),
        right: metric({ aggregator: "sum", metric: "b" }),
      },
    ],
    [
      "(sum:a{*} + sum:b{*}) * 100",
      {
        kind: "binary",
        op: "*",
        left: {
          kind: "binary",
          op: "+",
          left: metric({ aggregator: "sum", metric: "a" }),
          right: metric({ aggregator: "sum", metric: "b" }),
        },
        right: { kind: "number", value: 100 },
      },
    ],
    [
      "100 * sum:a{*} / sum:b{*}",
      {
        kind: "binary",
        op: "/",
        left: {
          kind: "binary",
          op: "*",
          left: { kind: "number", value: 100 },
          right: metric({ aggregator: "sum", metric: "a" }),
        },
        right: metric({ aggregator: "sum", metric: "b" }),
      },
    ],
    [
      "sum:a{*} - sum:b{*} * 2.5",
      {
        kind: "binary",
        op: "-",
        left: metric({ aggregator: "sum", metric: "a" }),
        right: {
          kind: "binary",
          op: "*",
          left: metric({ aggregator: "sum", metric: "b" }),
          right: { kind: "number", value: 2.5 },
        },
      },
    ],
    ["-sum:a{*}", { kind: "negate", operand: metric({ aggregator: "sum", metric: "a" }) }],
    ["  sum:a{*}  ", metric({ aggregator: "sum", metric: "a" })],
  ])("%s", (query, expected) => {
    expect(parseQuery(query)).toEqual(expected);
  });
});

describe("parseQuery: refused like Datadog, with the column", () => {
  it.each<[string, RegExp, number]>([
    ["sum:m{service:web", /expected '}'/, 18],
    ["sum:m", /expected '\{'/, 6],
    ["sum:{*}", /expected a metric name/, 5],
    ["sum:m{service}", /expected ':' and a value after tag 'service'/, 14],
    ["sum:m{!service:web}", /negated tags are not supported/, 7],
    ["sum:m{service:web OR service:api}", /expected '}'/, 19],
    ["sum:m{*}.as_count(1)", /as_count\(\) takes no arguments/, 10],
    ["sum:m{*}.as_count().as_rate()", /may appear once/, 21],
    ["sum:m{*}.fill(zero)", /unknown function 'fill'/, 10],
    ["sum:m{*}.rollup(median, 60)", /unknown rollup method 'median'/, 10],
    ["sum:m{*}.rollup(sum, 0)", /seconds must be a positive integer/, 10],
    ["sum:m{*} by {}", /expected a tag key to group by/, 14],
    ["sum:m{*} +", /expected a metric name/, 11],
    ["(sum:m{*}", /expected '\)'/, 10],
    ["sum:m{*} sum:n{*}", /unexpected input/, 10],
    ["100", /a query needs at least one metric/, 1],
    ["", /expected a metric name/, 1],
  ])("%s", (query, message, column) => {
    let error: unknown;
    try {
      parseQuery(query);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(QueryParseError);
    const parseError = error as QueryParseError;
    expect(parseError.message).toMatch(message);
    expect(parseError.column).toBe(column);
    expect(parseError.rest).toBe(query.slice(column - 1));
  });
});
