/**
 * Outage windows on the sandbox's virtual clock, seen through Kanaria's AWS adapters and the real SDK
 * clients: during a window every kind fails the call with the right classified error (transient, with
 * the SDK's retries spent), after it the same call succeeds. Short real-time request timeouts stand in
 * for the production ones where a held call must time out; nothing asserts on elapsed time.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FaultWindowKind, FaultWindows } from "../../sandbox/fault-windows.js";
import type { SeededApp } from "../../sandbox/seed-app.js";
import { type SandboxCloud, startSandboxCloud } from "../../sandbox/start-sandbox-cloud.js";
import { VirtualClock } from "../../sandbox/virtual-clock.js";
import { KanariaError } from "../../src/domain/kanaria-error.js";
import type { ForwardRule } from "../../src/ports.js";
import { type AwsClients, createAwsClients } from "../../src/providers/aws/aws-clients.js";
import { AwsEcs } from "../../src/providers/aws/aws-ecs.js";
import { AwsLoadBalancer } from "../../src/providers/aws/aws-load-balancer.js";

const MINUTE = 60_000;

let clock: VirtualClock;
let cloud: SandboxCloud;
let app: SeededApp;
let clients: AwsClients;
let ecs: AwsEcs;
let lb: AwsLoadBalancer;

function clientsFor(c: SandboxCloud, requestMs = 500): AwsClients {
  return createAwsClients(
    {
      name: "sandbox",
      type: "ECS",
      region: c.region,
      endpoints: { ecs: c.ecsEndpoint, elbv2: c.elbv2Endpoint },
    },
    {
      credentials: { accessKeyId: "sandbox", secretAccessKey: "sandbox" },
      retry: { maxAttempts: 2, baseDelayMs: 0, throttlingBaseDelayMs: 0 },
      timeouts: { requestMs },
    },
  );
}

beforeEach(async () => {
  clock = new VirtualClock();
  cloud = await startSandboxCloud({ clock });
  app = cloud.seedApp({ app: "web", initialVersion: "v1" });
  clients = clientsFor(cloud);
  ecs = new AwsEcs(clients.ecs, clock);
  lb = new AwsLoadBalancer(clients.elbv2);
});
afterEach(async () => {
  clients.ecs.destroy();
  clients.elbv2.destroy();
  await cloud.close();
});

const EXPECTED: Record<FaultWindowKind, { ecs: RegExp; elbv2: RegExp }> = {
  refuse: { ecs: /^AWS_(ECONNRESET|EPIPE)$/, elbv2: /^AWS_(ECONNRESET|EPIPE)$/ },
  reset: { ecs: /^AWS_ECONNRESET$/, elbv2: /^AWS_ECONNRESET$/ },
  hang: { ecs: /^AWS_TimeoutError$/, elbv2: /^AWS_TimeoutError$/ },
  "503": { ecs: /^AWS_ServiceUnavailableException$/, elbv2: /^AWS_ServiceUnavailable$/ },
  throttle: { ecs: /^AWS_ThrottlingException$/, elbv2: /^AWS_Throttling$/ },
};

async function failure(promise: Promise<unknown>): Promise<KanariaError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KanariaError);
  return error as KanariaError;
}

async function theRule(): Promise<ForwardRule> {
  const [rule] = await lb.findForwardRules([app.targetGroups.primary.arn, app.targetGroups.canary.arn]);
  if (!rule) throw new Error("the seeded listener has no forward rule");
  return rule;
}

describe.each(Object.keys(EXPECTED) as FaultWindowKind[])("a %s window", (kind) => {
  it("fails every ECS call of the service while it lasts, and they succeed after", async () => {
    const from = clock.now() + MINUTE;
    cloud.faults.window({ service: "ecs", kind, from, until: from + 2 * MINUTE });
    expect(await ecs.describeService("web", "web")).toMatchObject({ serviceName: "web" });

    await clock.advance(MINUTE);
    const error = await failure(ecs.describeService("web", "web"));
    expect(error.code).toMatch(EXPECTED[kind].ecs);
    expect(error.transient).toBe(true);
    expect(error.message).toMatch(/^DescribeServices failed/);
    // The retry needed a new connection: a service-wide refuse window closed it on arrival.
    if (kind === "refuse") expect(cloud.calls.list("ecs", "(connection)").length).toBeGreaterThan(0);

    await clock.advance(2 * MINUTE);
    expect(await ecs.describeService("web", "web")).toMatchObject({ serviceName: "web" });
  });

  it("fails only its ELBv2 operation, and the call succeeds after", async () => {
    const rule = await theRule();
    const weights = rule.targetGroups.map((t) => ({ ...t }));
    const now = clock.now();
    cloud.faults.window({
      service: "elbv2",
      operation: "ModifyListener",
      kind,
      from: now,
      until: now + MINUTE,
    });

    const error = await failure(lb.setWeights(rule, weights));
    expect(error.code).toMatch(EXPECTED[kind].elbv2);
    expect(error.transient).toBe(true);
    expect(error.message).toMatch(/^ModifyListener failed/);
    // Another operation of the same service is unaffected.
    expect((await lb.describeTargetHealth(app.targetGroups.primary.arn)).healthy).toBeGreaterThan(0);

    await clock.advance(MINUTE);
    expect(await lb.setWeights(rule, weights)).toEqual(weights);
  });
});

describe("held calls", () => {
  it("a call held by a hang window is answered when the window ends", async () => {
    const patient = clientsFor(cloud, 60_000);
    try {
      const now = clock.now();
      cloud.faults.window({ service: "ecs", kind: "hang", from: now, until: now + MINUTE });
      const pending = new AwsEcs(patient.ecs, clock).describeService("web", "web");
      await until(() => cloud.faults.listWindows()[0]?.hits === 1);
      await clock.advance(MINUTE);
      expect(await pending).toMatchObject({ serviceName: "web" });
    } finally {
      patient.ecs.destroy();
      patient.elbv2.destroy();
    }
  });

  it("close() lets held calls go: the client sees its connection closed and close() returns", async () => {
    const other = await startSandboxCloud({ clock });
    other.seedApp({ app: "web", initialVersion: "v1" });
    const patient = clientsFor(other, 60_000);
    try {
      other.faults.window({
        service: "ecs",
        kind: "hang",
        from: clock.now(),
        until: Number.POSITIVE_INFINITY,
      });
      const pending = failure(new AwsEcs(patient.ecs, clock).describeService("web", "web"));
      await until(() => other.faults.listWindows()[0]?.hits === 1);
      await other.close();
      expect((await pending).transient).toBe(true);
    } finally {
      patient.ecs.destroy();
      patient.elbv2.destroy();
    }
  });
});

describe("the window table", () => {
  it("opens at from, closes at until, lets the first added win, and can be removed", () => {
    const windows = new FaultWindows();
    const remove = windows.add({ service: "ecs", kind: "hang", from: 100, until: 200 });
    windows.add({ service: "ecs", operation: "CreateTaskSet", kind: "503", from: 0, until: 1_000 });
    expect(windows.decide("ecs", "DescribeServices", 99)).toBeUndefined();
    expect(windows.decide("ecs", "DescribeServices", 100)?.kind).toBe("hang");
    expect(windows.decide("ecs", "CreateTaskSet", 150)?.kind).toBe("hang");
    expect(windows.decide("ecs", "DescribeServices", 200)).toBeUndefined();
    expect(windows.decide("ecs", "CreateTaskSet", 200)?.kind).toBe("503");
    expect(windows.decide("elbv2", "CreateTaskSet", 150)).toBeUndefined();
    remove();
    expect(windows.decide("ecs", "CreateTaskSet", 150)?.kind).toBe("503");
    expect(windows.list().map((w) => w.hits)).toEqual([2]);
    expect(() => windows.add({ service: "ecs", kind: "reset", from: 5, until: 5 })).toThrow(/must end after/);
  });

  it("count-limited faults still apply outside windows, and are not consumed inside them", () => {
    const now = clock.now();
    cloud.faults.throttle("ecs", { operation: "DescribeServices", times: 1 });
    cloud.faults.window({ service: "ecs", kind: "reset", from: now, until: now + 10 });
    expect(cloud.faults.plan("ecs", "DescribeServices", now).connection).toEqual({ kind: "reset" });
    expect(cloud.faults.plan("ecs", "DescribeServices", now + 10).error).toEqual({ kind: "throttle" });
    expect(cloud.faults.plan("ecs", "DescribeServices", now + 10).error).toBeUndefined();
  });
});

/** Waits (real time, polling) for a condition the test cannot await directly. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1_000 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(condition()).toBe(true);
}
