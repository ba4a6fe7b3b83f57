/** The MetricDataQueries one batch becomes: unique ids per query, metric math renamed, ALB dimensions. */
import { describe, expect, it } from "vitest";
import {
  loadBalancerDimension,
  targetGroupDimension,
} from "../../../src/providers/cloudwatch/alb-dimensions.js";
import {
  metricDataQueries,
  prefixExpressionIds,
} from "../../../src/providers/cloudwatch/metric-data-queries.js";

describe("prefixExpressionIds", () => {
  it("renames the metric ids, not functions, other words or quoted text", () => {
    expect(prefixExpressionIds("100 * FILL(errors, 0) / total + errors_x", ["errors", "total"], "q1_")).toBe(
      "100 * FILL(q1_errors, 0) / q1_total + errors_x",
    );
    expect(
      prefixExpressionIds("SEARCH('errors total', 'Sum', 60) + errors", ["errors", "total"], "q0_"),
    ).toBe("SEARCH('errors total', 'Sum', 60) + q0_errors");
  });
});

describe("metricDataQueries", () => {
  it("returns only the expression of a metric-math query, its metrics hidden", () => {
    const stat = {
      namespace: "AWS/ApplicationELB",
      metric: "RequestCount",
      dimensions: { LoadBalancer: "app/web/1" },
      stat: "Sum",
    };
    const { queries, planned } = metricDataQueries(
      2,
      {
        kind: "expression",
        expression: "a / b",
        metrics: { a: stat, b: stat },
        periodSeconds: 300,
      },
      undefined,
    );
    expect(queries.map((q) => [q.Id, q.ReturnData, q.Expression ?? q.MetricStat?.Period])).toEqual([
      ["q2_a", false, 300],
      ["q2_b", false, 300],
      ["q2", true, "q2_a / q2_b"],
    ]);
    expect(planned).toEqual({ ids: ["q2"], periodSeconds: 300 });
  });

  it("reads an ALB count on each load balancer of the target group, to be summed", () => {
    const { queries, planned } = metricDataQueries(
      0,
      { kind: "alb", metric: "RequestCount", targetGroupArn: "arn", periodSeconds: 60 },
      { targetGroup: "targetgroup/web/1", loadBalancers: ["app/a/1", "app/b/2"] },
    );
    expect(queries.map((q) => q.MetricStat?.Metric?.Dimensions)).toEqual([
      [
        { Name: "TargetGroup", Value: "targetgroup/web/1" },
        { Name: "LoadBalancer", Value: "app/a/1" },
      ],
      [
        { Name: "TargetGroup", Value: "targetgroup/web/1" },
        { Name: "LoadBalancer", Value: "app/b/2" },
      ],
    ]);
    expect(queries.map((q) => q.MetricStat?.Stat)).toEqual(["Sum", "Sum"]);
    expect(planned.ids).toEqual(["q0_lb0", "q0_lb1"]);
  });
});

describe("ALB dimensions from ARNs", () => {
  it("takes the TargetGroup and LoadBalancer values from the ARNs' tails", () => {
    expect(
      targetGroupDimension("arn:aws:elasticloadbalancing:ap-northeast-1:123:targetgroup/web-green/fedcba98"),
    ).toBe("targetgroup/web-green/fedcba98");
    expect(
      loadBalancerDimension("arn:aws:elasticloadbalancing:ap-northeast-1:123:loadbalancer/app/web/0123abcd"),
    ).toBe("app/web/0123abcd");
    expect(targetGroupDimension("arn:aws:ecs:ap-northeast-1:123:service/web")).toBeUndefined();
  });
});
