import {
  CreateServiceCommand,
  CreateTaskSetCommand,
  DescribeServicesCommand,
  DescribeTaskSetsCommand,
  ECSClient,
  ListServicesCommand,
} from "@aws-sdk/client-ecs";
import {
  CreateRuleCommand,
  DescribeListenersCommand,
  DescribeRulesCommand,
  ModifyListenerCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { Faults } from "../../sandbox/faults.js";
import type { SeededApp } from "../../sandbox/seed-app.js";
import { SeededRandom } from "../../sandbox/seeded-random.js";
import { credentials, expectAwsError, type Harness, startHarness } from "./sandbox-harness.js";

let h: Harness;
let app: SeededApp;

beforeEach(async () => {
  h = await startHarness({ retries: 3 });
  app = h.cloud.seedApp({ app: "web", initialVersion: "v1" });
});
afterEach(async () => h.close());

const describeWeb = () => new DescribeServicesCommand({ cluster: "web", services: ["web"] });

describe("throttling and server errors", () => {
  test("ECS ThrottlingException is classified as throttling and retried until the call succeeds", async () => {
    h.cloud.faults.throttle("ecs", { operation: "DescribeServices", times: 2 });
    const out = await h.ecs.send(describeWeb());
    expect(out.services?.[0]?.serviceName).toBe("web");
    expect(h.retryErrorTypes).toEqual(["THROTTLING", "THROTTLING"]);
    expect(h.cloud.calls.list("ecs", "DescribeServices").map((c) => [c.status, c.errorCode])).toEqual([
      [400, "ThrottlingException"],
      [400, "ThrottlingException"],
      [200, undefined],
    ]);
  });

  test("ELBv2 Throttling is classified as throttling and retried", async () => {
    h.cloud.faults.throttle("elbv2", { times: 1 });
    const out = await h.elb.send(new DescribeListenersCommand({ ListenerArns: [app.listenerArn] }));
    expect(out.Listeners).toHaveLength(1);
    expect(h.retryErrorTypes).toEqual(["THROTTLING"]);
  });

  test("when retries run out, the SDK error is named after AWS's code", async () => {
    h.cloud.faults.throttle("ecs");
    await expectAwsError(h.ecs.send(describeWeb()), "ThrottlingException");
    h.cloud.faults.throttle("elbv2");
    await expectAwsError(
      h.elb.send(new DescribeListenersCommand({ ListenerArns: [app.listenerArn] })),
      "Throttling",
    );
    expect(h.cloud.calls.list("ecs", "DescribeServices")).toHaveLength(3);
  });

  test("500 and 503 are retried as transient; exhausted, they carry the service's error names", async () => {
    h.cloud.faults.serverError("ecs", 503, { times: 1 });
    h.cloud.faults.serverError("elbv2", 500, { times: 1 });
    await h.ecs.send(describeWeb());
    await h.elb.send(new DescribeListenersCommand({ ListenerArns: [app.listenerArn] }));
    expect(h.retryErrorTypes).toEqual(["TRANSIENT", "TRANSIENT"]);

    h.cloud.faults.serverError("ecs", 500);
    await expectAwsError(h.ecs.send(describeWeb()), "ServerException");
    h.cloud.faults.serverError("elbv2", 503);
    await expectAwsError(
      h.elb.send(new DescribeListenersCommand({ ListenerArns: [app.listenerArn] })),
      "ServiceUnavailable",
    );
  });

  test("faults are scoped to their operation, and clear() removes them", async () => {
    h.cloud.faults.throttle("ecs", { operation: "DescribeServices" });
    await h.ecs.send(new ListServicesCommand({ cluster: "web" }));
    await expectAwsError(h.ecs.send(describeWeb()), "ThrottlingException");
    h.cloud.faults.clear();
    await h.ecs.send(describeWeb());
  });

  test("the SDK's own standard retry strategy recovers from a throttled call", async () => {
    const ecs = new ECSClient({
      region: h.cloud.region,
      endpoint: h.cloud.ecsEndpoint,
      credentials,
      maxAttempts: 3,
    });
    try {
      h.cloud.faults.throttle("ecs", { operation: "DescribeServices", times: 1 });
      const out = await ecs.send(describeWeb());
      expect(out.services).toHaveLength(1);
      expect(h.cloud.calls.list("ecs", "DescribeServices").map((c) => c.status)).toEqual([400, 200]);
    } finally {
      ecs.destroy();
    }
  });
});

describe("eventual consistency", () => {
  test("a just-created task set is missing from Describe* for the configured window", async () => {
    h.cloud.faults.hideAfterCreate("ecs:taskSet", 5_000);
    await h.clock.advance(5_000); // the seeded primary is older than the window
    const created = await h.ecs.send(
      new CreateTaskSetCommand({
        cluster: "web",
        service: "web",
        taskDefinition: app.taskDefinitionArn ?? "",
        scale: { unit: "PERCENT", value: 25 },
        loadBalancers: [
          { targetGroupArn: app.targetGroups.canary.arn, containerName: "web", containerPort: 8080 },
        ],
      }),
    );
    const arn = created.taskSet?.taskSetArn ?? "";
    const byArn = () =>
      h.ecs.send(new DescribeTaskSetsCommand({ cluster: "web", service: "web", taskSets: [arn] }));

    expect((await byArn()).failures).toEqual([{ arn, reason: "MISSING" }]);
    expect((await h.ecs.send(describeWeb())).services?.[0]?.taskSets).toHaveLength(1);
    await h.clock.advance(4_999);
    expect((await byArn()).taskSets).toHaveLength(0);
    await h.clock.advance(1);
    expect((await byArn()).taskSets?.[0]?.taskSetArn).toBe(arn);
    expect((await h.ecs.send(describeWeb())).services?.[0]?.taskSets).toHaveLength(2);
  });

  test("a just-created rule is not found by ARN and left out of its listener's rules", async () => {
    h.cloud.faults.hideAfterCreate("elbv2:rule", 3_000);
    const created = await h.elb.send(
      new CreateRuleCommand({
        ListenerArn: app.listenerArn,
        Priority: 1,
        Conditions: [{ Field: "path-pattern", Values: ["/*"] }],
        Actions: [{ Type: "forward", TargetGroupArn: app.targetGroups.primary.arn }],
      }),
    );
    const ruleArn = created.Rules?.[0]?.RuleArn ?? "";
    await expectAwsError(
      h.elb.send(new DescribeRulesCommand({ RuleArns: [ruleArn] })),
      "RuleNotFoundException",
    );
    const listed = await h.elb.send(new DescribeRulesCommand({ ListenerArn: app.listenerArn }));
    expect(listed.Rules?.map((r) => r.IsDefault)).toEqual([true]);
    await h.clock.advance(3_000);
    const later = await h.elb.send(new DescribeRulesCommand({ RuleArns: [ruleArn] }));
    expect(later.Rules?.[0]?.RuleArn).toBe(ruleArn);
  });

  test("a just-created service is reported MISSING and left out of ListServices", async () => {
    h.cloud.faults.hideAfterCreate("ecs:service", 2_000);
    await h.clock.advance(2_000);
    await h.ecs.send(
      new CreateServiceCommand({
        cluster: "web",
        serviceName: "api",
        desiredCount: 1,
        deploymentController: { type: "EXTERNAL" },
      }),
    );
    const described = await h.ecs.send(new DescribeServicesCommand({ cluster: "web", services: ["api"] }));
    expect(described.failures?.[0]?.reason).toBe("MISSING");
    expect((await h.ecs.send(new ListServicesCommand({ cluster: "web" }))).serviceArns).toHaveLength(1);
    await h.clock.advance(2_000);
    expect((await h.ecs.send(new ListServicesCommand({ cluster: "web" }))).serviceArns).toHaveLength(2);
  });

  test("modifications are visible at once (only creation is eventually consistent)", async () => {
    h.cloud.faults.hideAfterCreate("elbv2:listener", 60_000);
    await h.elb.send(
      new ModifyListenerCommand({
        ListenerArn: app.listenerArn,
        DefaultActions: [{ Type: "forward", TargetGroupArn: app.targetGroups.primary.arn }],
      }),
    );
    // The seeded listener was created at the start; the hide window counts from then.
    await h.clock.advance(60_000);
    const out = await h.elb.send(new DescribeListenersCommand({ ListenerArns: [app.listenerArn] }));
    expect(out.Listeners?.[0]?.DefaultActions?.[0]?.ForwardConfig?.TargetGroups).toHaveLength(1);
  });
});

describe("fault plans", () => {
  test("API latency is drawn uniformly from its range, added latency stacks, count-limited faults expire", () => {
    const faults = new Faults(new SeededRandom(7));
    faults.setApiLatency({ min: 50, max: 150 });
    const delays = Array.from({ length: 200 }, () => faults.plan("ecs", "DescribeServices").delayMs);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(50);
    expect(Math.max(...delays)).toBeLessThanOrEqual(150);
    expect(delays.reduce((a, b) => a + b, 0) / delays.length).toBeGreaterThan(85);

    faults.setApiLatency({ min: 0, max: 0 });
    faults.latency("elbv2", 40, { operation: "ModifyListener", times: 1 });
    faults.latency("elbv2", 10);
    expect(faults.plan("elbv2", "ModifyListener").delayMs).toBe(50);
    expect(faults.plan("elbv2", "ModifyListener").delayMs).toBe(10);
    expect(faults.plan("ecs", "ModifyListener").delayMs).toBe(0);
  });

  test("probabilistic faults hit about the given share of calls, reproducibly", () => {
    const run = () => {
      const faults = new Faults(new SeededRandom(11));
      faults.throttle("ecs", { probability: 0.3 });
      return Array.from({ length: 1000 }, () => faults.plan("ecs", "X").error !== undefined);
    };
    const hits = run().filter(Boolean).length;
    expect(hits).toBeGreaterThan(250);
    expect(hits).toBeLessThan(350);
    expect(run()).toEqual(run());
  });
});
