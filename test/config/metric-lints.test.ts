import { describe, expect, it } from "vitest";
import {
  comparisonPointsProblem,
  queryResolution,
  ratioBoundProblem,
} from "../../src/config/metric-lints.js";

const SEED_QUERY = `sum:aws.applicationelb.httpcode_elb_5xx{env:prd,hostname:sample-lb.elb.amazonaws.com}.as_count()
/
sum:aws.applicationelb.request_count{env:prd,hostname:sample-lb.elb.amazonaws.com}.as_count()
`;

describe("ratioBoundProblem", () => {
  it("warns that max 10 on a 5xx/request ratio can never be exceeded, suggesting 0.10", () => {
    const problem = ratioBoundProblem(SEED_QUERY, { max: 10 });
    expect(problem?.bound).toBe("max");
    expect(problem?.message).toContain("max 10 can never be exceeded");
    expect(problem?.message).toContain("aws.applicationelb.httpcode_elb_5xx");
    expect(problem?.message).toContain("aws.applicationelb.request_count");
    expect(problem?.message).toContain("ratio between 0 and 1");
    expect(problem?.message).toContain("for 10% write max: 0.10");
  });

  it.each([
    ["sum:trace.errors{a}.as_count() / sum:trace.hits{a}.as_count()", { max: 5 }, "max: 0.05"],
    ["sum:x.fault{path:/api/v1}.as_count() / sum:x.invocations{*}", { max: 12.5 }, "max: 0.125"],
    ["sum:errors{*} / sum:requests{*}", { min: -1 }, "min -1 can never be undercut"],
  ])("%s %j → %s", (query, expected, words) => {
    expect(ratioBoundProblem(query, expected)?.message).toContain(words);
  });

  it.each([
    ["bounds inside [0, 1]", SEED_QUERY, { max: 0.1, min: 0 }],
    ["a query scaled to percent", `(${SEED_QUERY}) * 100`, { max: 10 }],
    ["a query scaled to percent in front", `100 * ${SEED_QUERY}`, { max: 10 }],
    ["no division", "sum:aws.applicationelb.httpcode_elb_5xx{*}.as_count()", { max: 10 }],
    ["a slash inside a tag filter", "sum:errors{path:/api/requests}.as_count()", { max: 10 }],
    ["a latency ratio", "avg:latency.p99{a} / avg:latency.p50{a}", { max: 3 }],
  ])("stays quiet for %s", (_name, query, expected) => {
    expect(ratioBoundProblem(query, expected)).toBeUndefined();
  });
});

describe("comparison window size", () => {
  it.each([
    ["avg:x{*}", 60, true],
    ["avg:x{*}.rollup(avg, 30)", 30, false],
    ["avg:x{*}.rollup(120)", 120, false],
  ])("resolution of %s is %d s", (query, seconds, assumed) => {
    expect(queryResolution(query)).toEqual({ seconds, assumed });
  });

  it("says a 1m interval at the assumed 60 s resolution can never fail, and why", () => {
    const message = comparisonPointsProblem(
      "avg:aws.applicationelb.target_response_time.average{*}",
      60_000,
      "EITHER",
    );
    expect(message).toContain("interval 1m yields 1 point per side");
    expect(message).toContain("assuming one point per 60 s");
    expect(message).toContain("AWS ALB metrics arrive once a minute");
    expect(message).toContain("can never fail");
    expect(message).toContain("at least 4m");
  });

  it("uses the rollup when there is one", () => {
    const message = comparisonPointsProblem("avg:x{*}.rollup(avg, 300)", 600_000, "HIGH");
    expect(message).toContain("yields 2 points per side at one point per 300 s (.rollup)");
    expect(message).toContain("at least 20m");
  });

  it("distinguishes a one-sided test with 3 points, which can fail only in the most extreme case", () => {
    const message = comparisonPointsProblem("avg:x{*}", 180_000, "HIGH");
    expect(message).toContain("fails only if every canary point is beyond every control point");
    expect(message).not.toContain("can never fail");
  });

  it.each([
    [240_000, "EITHER"],
    [600_000, "HIGH"],
  ] as const)("is quiet with %d ms (%s): 4 points or more", (interval, deviation) => {
    expect(comparisonPointsProblem("avg:x{*}", interval, deviation)).toBeUndefined();
  });
});
