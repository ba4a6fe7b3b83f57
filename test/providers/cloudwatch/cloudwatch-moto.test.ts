/**
 * The CloudWatch provider against moto's CloudWatch and ELBv2 (when `moto_server` is on PATH; a notice
 * is printed otherwise): datapoints written with PutMetricData through the real SDK, read back with
 * GetMetricData through the provider — a metric query with dimensions, the ALB's own counts of a real
 * target group (its load balancer found with DescribeTargetGroups), and a wrong dimension as no data.
 */
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VirtualClock } from "../../../sandbox/virtual-clock.js";
import type { AlbCountMetric } from "../../../src/domain/cloudwatch-query.js";
import {
  AlbDimensionResolver,
  loadBalancerDimension,
  targetGroupDimension,
} from "../../../src/providers/cloudwatch/alb-dimensions.js";
import { createCloudWatchClients } from "../../../src/providers/cloudwatch/cloudwatch-clients.js";
import { CloudWatchMetrics } from "../../../src/providers/cloudwatch/cloudwatch-metrics.js";
import { type AwsWorld, setUpAwsWorld } from "../aws/aws-world-setup.js";
import { type MotoServer, motoAvailable, startMoto } from "../aws/moto-server.js";
import { MINUTE, request } from "./cloudwatch-fixture.js";

const available = motoAvailable();
if (!available)
  console.warn("NOTICE: moto_server is not on PATH; the CloudWatch moto contract tests are skipped.");

const region = "us-east-1";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
/** A minute boundary: moto keeps whatever timestamps it is given. */
const START = Date.UTC(2026, 11, 6, 9, 0, 0);

describe.skipIf(!available)("CloudWatch provider on moto_server", () => {
  let moto: MotoServer;
  let world: AwsWorld;
  let provider: CloudWatchMetrics;
  let loadBalancer: string;
  const clock = new VirtualClock(START);
  const closers: Array<() => void> = [];

  beforeAll(async () => {
    moto = await startMoto();
    const ecs = new ECSClient({ region, credentials, endpoint: moto.endpoint });
    const elbv2 = new ElasticLoadBalancingV2Client({ region, credentials, endpoint: moto.endpoint });
    closers.push(
      () => ecs.destroy(),
      () => elbv2.destroy(),
    );
    world = await setUpAwsWorld({ ecs, elbv2 }, { ec2Endpoint: moto.endpoint });
    const listenerLb = world.listenerArn.split(":listener/")[1]?.split("/").slice(0, 3).join("/");
    loadBalancer = listenerLb ?? "";
    const writer = new CloudWatchClient({ region, credentials, endpoint: moto.endpoint });
    closers.push(() => writer.destroy());
    const put = (metric: string, group: string, values: number[]) =>
      writer.send(
        new PutMetricDataCommand({
          Namespace: "AWS/ApplicationELB",
          MetricData: values.map((value, i) => ({
            MetricName: metric,
            Dimensions: [
              { Name: "TargetGroup", Value: targetGroupDimension(group) ?? "" },
              { Name: "LoadBalancer", Value: loadBalancer },
            ],
            Timestamp: new Date(START - (10 - i) * MINUTE),
            Value: value,
            Unit: "Count",
          })),
        }),
      );
    // Five minutes, 10 to 6 minutes before START. ALB publishes 5XX only when nonzero: green has one.
    await put("RequestCount", world.blue, [1000, 1000, 1000, 1000, 1000]);
    await put("HTTPCode_Target_5XX_Count", world.blue, [3, 3, 3, 3, 3]);
    await put("RequestCount", world.green, [100, 100, 100, 100, 100]);
    const clients = createCloudWatchClients(
      {
        name: "moto",
        type: "CLOUDWATCH",
        region,
        endpoints: { cloudwatch: moto.endpoint, elbv2: moto.endpoint },
      },
      { credentials, retry: { maxAttempts: 1 } },
    );
    closers.push(
      () => clients.cloudwatch.destroy(),
      () => clients.elbv2.destroy(),
    );
    provider = new CloudWatchMetrics({
      cloudwatch: clients.cloudwatch,
      albDimensions: new AlbDimensionResolver(clients.elbv2),
      clock,
      lagMs: 0,
    });
  }, 120_000);

  afterAll(async () => {
    for (const close of closers) close();
    await moto?.stop();
  });

  const from = START - 10 * MINUTE;
  const to = START - 5 * MINUTE;
  const alb = (metric: AlbCountMetric, arn: string) => ({
    kind: "alb" as const,
    metric,
    targetGroupArn: arn,
    periodSeconds: 60,
  });
  const sum = (r: { kind: string; points?: Array<[number, number]> }) =>
    r.kind === "points" ? r.points?.reduce((a, [, v]) => a + v, 0) : r.kind;

  it("finds the target group's load balancer with DescribeTargetGroups", async () => {
    const found = await new AlbDimensionResolver(
      new ElasticLoadBalancingV2Client({ region, credentials, endpoint: moto.endpoint }),
    ).resolve(world.green);
    expect(found).toEqual({ targetGroup: targetGroupDimension(world.green), loadBalancers: [loadBalancer] });
    expect(
      loadBalancerDimension(`arn:aws:elasticloadbalancing:${region}:1:loadbalancer/${loadBalancer}`),
    ).toBe(loadBalancer);
  });

  it("reads the ALB's own counts of canary and control in one batch", async () => {
    const results = await provider.queryAll([
      request(alb("HTTPCode_Target_5XX_Count", world.green), from, to),
      request(alb("RequestCount", world.green), from, to),
      request(alb("HTTPCode_Target_5XX_Count", world.blue), from, to),
      request(alb("RequestCount", world.blue), from, to),
    ]);
    expect(results.map(sum)).toEqual(["no-data", 500, 15, 5000]);
  });

  it("reads a metric query with dimensions, per minute", async () => {
    const result = await provider.query(
      request(
        {
          kind: "metric",
          namespace: "AWS/ApplicationELB",
          metric: "RequestCount",
          dimensions: { TargetGroup: targetGroupDimension(world.blue) ?? "", LoadBalancer: loadBalancer },
          stat: "Sum",
          periodSeconds: 60,
        },
        from,
        to,
      ),
    );
    expect(result).toEqual({
      kind: "points",
      points: [10, 9, 8, 7, 6].map((n) => [START - n * MINUTE, 1000]),
    });
  });

  it("answers a wrong dimension with no data", async () => {
    const result = await provider.query(
      request(
        {
          kind: "metric",
          namespace: "AWS/ApplicationELB",
          metric: "RequestCount",
          dimensions: { TargetGroup: "targetgroup/nope/0123456789abcdef", LoadBalancer: loadBalancer },
          stat: "Sum",
          periodSeconds: 60,
        },
        from,
        to,
      ),
    );
    expect(result).toEqual({ kind: "no-data" });
  });
});
