/**
 * Retries belong to one call (DESIGN §4): however many calls failed before, the next call — to another
 * operation, on the same client or another — still gets all its attempts. The SDK's own strategies
 * share a quota per client; the last test shows the failure this replaces.
 */
import { ECSClient, ListServicesCommand } from "@aws-sdk/client-ecs";
import { StandardRetryStrategy } from "@smithy/core/retry";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type SandboxCloud, startSandboxCloud } from "../../../sandbox/start-sandbox-cloud.js";
import { VirtualClock } from "../../../sandbox/virtual-clock.js";
import type { EcsProviderConfig } from "../../../src/config/types.js";
import { KanariaError } from "../../../src/domain/kanaria-error.js";
import { type AwsClients, createAwsClients } from "../../../src/providers/aws/aws-clients.js";
import { AwsEcs } from "../../../src/providers/aws/aws-ecs.js";
import { AwsLoadBalancer } from "../../../src/providers/aws/aws-load-balancer.js";
import { PerCallRetryStrategy } from "../../../src/providers/aws/per-call-retry.js";
import { startStubAwsServer } from "./stub-aws-server.js";

const credentials = { accessKeyId: "sandbox", secretAccessKey: "sandbox" };
const FAILED_CALLS = 60;

let cloud: SandboxCloud;
let clients: AwsClients;
beforeEach(async () => {
  cloud = await startSandboxCloud({ clock: new VirtualClock() });
  cloud.seedApp({ app: "web", initialVersion: "v1" });
  clients = createAwsClients(
    {
      name: "sandbox",
      type: "ECS",
      region: cloud.region,
      endpoints: { ecs: cloud.ecsEndpoint, elbv2: cloud.elbv2Endpoint },
    },
    { credentials, retry: { maxAttempts: 3, baseDelayMs: 0, throttlingBaseDelayMs: 0 } },
  );
});
afterEach(async () => {
  clients.ecs.destroy();
  clients.elbv2.destroy();
  await cloud.close();
});

describe("per-call retries", () => {
  it(`after ${FAILED_CALLS} calls that failed every attempt, other calls still get all their attempts`, async () => {
    const ecs = new AwsEcs(clients.ecs, cloud.clock);
    cloud.faults.serverError("ecs", 503, { operation: "DescribeServices" });
    for (let i = 0; i < FAILED_CALLS; i++) {
      const error = await ecs.describeService("web", "web").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KanariaError);
      expect((error as KanariaError).transient).toBe(true);
    }
    expect(cloud.calls.list("ecs", "DescribeServices")).toHaveLength(FAILED_CALLS * 3);

    // Another operation on the same client: two 503s, then the third attempt succeeds.
    cloud.faults.serverError("ecs", 503, { operation: "ListServices", times: 2 });
    const listed = await clients.ecs.send(new ListServicesCommand({ cluster: "web" }));
    expect(listed.serviceArns).toHaveLength(1);
    expect(cloud.calls.list("ecs", "ListServices").map((c) => c.status)).toEqual([503, 503, 200]);

    // Another service: the same.
    const app = cloud.seedApp({ app: "web" });
    cloud.faults.serverError("elbv2", 503, { operation: "DescribeTargetHealth", times: 2 });
    await new AwsLoadBalancer(clients.elbv2).describeTargetHealth(app.targetGroups.primary.arn);
    expect(cloud.calls.list("elbv2", "DescribeTargetHealth").map((c) => c.status)).toEqual([503, 503, 200]);

    // And the failing operation itself, once AWS is back, gets its retries too.
    cloud.faults.clear();
    cloud.faults.serverError("ecs", 503, { operation: "DescribeServices", times: 2 });
    expect(await ecs.describeService("web", "web")).toMatchObject({ serviceName: "web" });
  });

  it("the SDK's standard strategy, by contrast, stops retrying every call once its shared quota is spent", async () => {
    const sdk = new ECSClient({
      region: cloud.region,
      endpoint: cloud.ecsEndpoint,
      credentials,
      retryStrategy: new StandardRetryStrategy({ maxAttempts: 3, baseDelay: 0 }),
    });
    try {
      cloud.faults.serverError("ecs", 503, { operation: "DescribeServices" });
      for (let i = 0; i < FAILED_CALLS; i++) {
        await new AwsEcs(sdk, cloud.clock).describeService("web", "web").catch(() => undefined);
      }
      cloud.faults.serverError("ecs", 503, { operation: "ListServices", times: 2 });
      const before = cloud.calls.list("ecs", "ListServices").length;
      const error = await sdk.send(new ListServicesCommand({ cluster: "web" })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(cloud.calls.list("ecs", "ListServices").length - before).toBe(1);
    } finally {
      sdk.destroy();
    }
  });
});

describe("backoff", () => {
  const info = (errorType: "THROTTLING" | "TRANSIENT" | "CLIENT_ERROR") => ({
    errorType,
    error: Object.assign(new Error("x"), { $metadata: {} }) as Error & { $metadata: object; cause?: Error },
  });

  it("is capped exponential with full jitter, with a larger base for throttling", async () => {
    const strategy = new PerCallRetryStrategy({ maxAttempts: 10, random: () => 0.5, maxDelayMs: 1_000 });
    let token = await strategy.acquireInitialRetryToken();
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      token = await strategy.refreshRetryTokenForRetry(token, info("TRANSIENT"));
      delays.push(token.getRetryDelay());
    }
    expect(delays).toEqual([50, 100, 200, 400, 500, 500]);
    const throttled = await strategy.refreshRetryTokenForRetry(
      await strategy.acquireInitialRetryToken(),
      info("THROTTLING"),
    );
    expect(throttled.getRetryDelay()).toBe(250);
  });

  it("gives up on client errors at once and after maxAttempts otherwise", async () => {
    const strategy = new PerCallRetryStrategy({ maxAttempts: 2, random: () => 0 });
    const first = await strategy.acquireInitialRetryToken();
    await expect(strategy.refreshRetryTokenForRetry(first, info("CLIENT_ERROR"))).rejects.toThrow("x");
    const second = await strategy.refreshRetryTokenForRetry(first, info("TRANSIENT"));
    await expect(strategy.refreshRetryTokenForRetry(second, info("TRANSIENT"))).rejects.toThrow("x");
  });
});

describe("timeouts from kanaria.yaml", () => {
  it("the provider's request timeout bounds a call to a server that never answers", async () => {
    const stub = await startStubAwsServer();
    const provider: EcsProviderConfig = {
      name: "stub",
      type: "ECS",
      region: "us-east-1",
      endpoints: { ecs: stub.endpoint },
      timeouts: { requestMs: 200 },
    };
    const hung = createAwsClients(provider, { credentials, maxAttempts: 2, retry: { baseDelayMs: 0 } });
    try {
      const error = await new AwsEcs(hung.ecs, cloud.clock).describeService("web", "web").catch((e) => e);
      expect(error).toMatchObject({ code: "AWS_TimeoutError", transient: true });
      expect(stub.requests()).toBe(2);
    } finally {
      hung.ecs.destroy();
      hung.elbv2.destroy();
      await stub.close();
    }
  });
});
