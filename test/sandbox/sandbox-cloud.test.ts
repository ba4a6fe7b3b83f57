import { CreateClusterCommand, DescribeServicesCommand, ECSClient } from "@aws-sdk/client-ecs";
import {
  DescribeListenersCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterEach, describe, expect, test } from "vitest";
import { type SandboxCloud, startSandboxCloud } from "../../sandbox/start-sandbox-cloud.js";
import { VirtualClock } from "../../sandbox/virtual-clock.js";
import { credentials } from "./sandbox-harness.js";

const clouds: SandboxCloud[] = [];
afterEach(async () => {
  await Promise.all(clouds.splice(0).map((c) => c.close()));
});

describe("startSandboxCloud", () => {
  test("listens on loopback, seeds the configured apps, and serves them in real time", async () => {
    const cloud = await startSandboxCloud({
      config: { region: "ap-northeast-1", apps: [{ name: "web", initialVersion: "v1", desiredCount: 2 }] },
      seedConfiguredApps: true,
    });
    clouds.push(cloud);
    expect(cloud.ecsEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(cloud.elbv2Endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const [web] = cloud.seededApps();
    expect(web).toMatchObject({
      app: "web",
      region: "ap-northeast-1",
      clusterName: "web",
      serviceName: "web",
    });
    expect(cloud.seedApp({ app: "web" })).toBe(web);

    const ecs = new ECSClient({ region: "ap-northeast-1", endpoint: cloud.ecsEndpoint, credentials });
    const elb = new ElasticLoadBalancingV2Client({
      region: "ap-northeast-1",
      endpoint: cloud.elbv2Endpoint,
      credentials,
    });
    try {
      const services = await ecs.send(new DescribeServicesCommand({ cluster: "web", services: ["web"] }));
      expect(services.services?.[0]?.taskSets?.[0]).toMatchObject({ status: "PRIMARY", runningCount: 2 });
      const listeners = await elb.send(
        new DescribeListenersCommand({ ListenerArns: [web?.listenerArn ?? ""] }),
      );
      expect(listeners.Listeners?.[0]?.Port).toBe(80);
    } finally {
      ecs.destroy();
      elb.destroy();
    }
  });

  test("ARNs are made in the region the request was signed for", async () => {
    const cloud = await startSandboxCloud({ clock: new VirtualClock() });
    clouds.push(cloud);
    const ecs = new ECSClient({ region: "eu-west-1", endpoint: cloud.ecsEndpoint, credentials });
    try {
      const out = await ecs.send(new CreateClusterCommand({ clusterName: "prod" }));
      expect(out.cluster?.clusterArn).toBe("arn:aws:ecs:eu-west-1:123456789012:cluster/prod");
    } finally {
      ecs.destroy();
    }
  });

  test("an invalid config is refused before anything listens", async () => {
    await expect(startSandboxCloud({ config: { tasks: { startDelayMs: -1 } } })).rejects.toThrow(
      /tasks\.startDelayMs/,
    );
  });

  test("createService: false leaves the service to the first deployment; clusters resolve by ARN too", async () => {
    const cloud = await startSandboxCloud({ clock: new VirtualClock() });
    clouds.push(cloud);
    const app = cloud.seedApp({
      app: "api",
      createService: false,
      initialVersion: "v1",
      cluster: "ecs-cluster",
    });
    expect(app.serviceArn).toBe("arn:aws:ecs:us-east-1:123456789012:service/ecs-cluster/api");
    expect(app.taskDefinitionArn).toBeUndefined();
    const ecs = new ECSClient({ region: cloud.region, endpoint: cloud.ecsEndpoint, credentials });
    try {
      const out = await ecs.send(new DescribeServicesCommand({ cluster: app.clusterArn, services: ["api"] }));
      expect(out.services).toEqual([]);
      expect(out.failures?.[0]).toEqual({ arn: app.serviceArn, reason: "MISSING" });
    } finally {
      ecs.destroy();
    }
  });

  test("a seeded app with baseline forwards to it at weight 0, so baseline task sets can get healthy", async () => {
    const cloud = await startSandboxCloud({ clock: new VirtualClock() });
    clouds.push(cloud);
    const app = cloud.seedApp({ app: "shop", baseline: true, desiredCount: 3 });
    const listener = cloud.world.elb.listener(app.listenerArn);
    const forward = listener.defaultActions[0];
    expect(forward?.type === "forward" ? forward.targetGroups.map((g) => g.weight) : []).toEqual([100, 0, 0]);
    expect(cloud.world.elb.loadBalancersOf(app.targetGroups.baseline.arn)).toEqual([app.loadBalancerArn]);
    expect(app.primaryTaskSetArn).toBeUndefined();
  });
});
