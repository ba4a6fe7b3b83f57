/**
 * Kanaria's AWS adapters against moto_server behind the fault proxy: for each outage window kind, calls
 * fail with the right classified error while the window lasts and succeed after it, on a second,
 * independent implementation of ECS and ELBv2. Time is the test's FakeClock; the SDK's request timeout
 * (real time) is short so held calls end quickly. Skipped, with a printed notice, without moto_server.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAULT_WINDOW_KINDS, type FaultWindowKind } from "../../../sandbox/fault-windows.js";
import { KanariaError } from "../../../src/domain/kanaria-error.js";
import type { ForwardRule } from "../../../src/ports.js";
import { type AwsClients, createAwsClients } from "../../../src/providers/aws/aws-clients.js";
import { AwsEcs } from "../../../src/providers/aws/aws-ecs.js";
import { AwsLoadBalancer } from "../../../src/providers/aws/aws-load-balancer.js";
import { FakeClock } from "../../fakes/fake-clock.js";
import { type AwsWorld, setUpAwsWorld } from "./aws-world-setup.js";
import { type FaultProxy, startFaultProxy } from "./fault-proxy.js";
import { type MotoServer, motoAvailable, startMoto } from "./moto-server.js";

const MINUTE = 60_000;
const available = motoAvailable();
if (!available)
  console.warn("NOTICE: moto_server is not on PATH; the AWS fault-window tests on moto are skipped.");

const EXPECTED: Record<FaultWindowKind, { ecs: RegExp; elbv2: RegExp }> = {
  refuse: { ecs: /^AWS_(ECONNRESET|EPIPE)$/, elbv2: /^AWS_(ECONNRESET|EPIPE)$/ },
  reset: { ecs: /^AWS_ECONNRESET$/, elbv2: /^AWS_ECONNRESET$/ },
  hang: { ecs: /^AWS_TimeoutError$/, elbv2: /^AWS_TimeoutError$/ },
  "503": { ecs: /^AWS_ServiceUnavailableException$/, elbv2: /^AWS_ServiceUnavailable$/ },
  throttle: { ecs: /^AWS_ThrottlingException$/, elbv2: /^AWS_Throttling$/ },
};

describe.skipIf(!available)("outage windows on moto_server, through the fault proxy", () => {
  const clock = new FakeClock();
  let moto: MotoServer;
  let ecsProxy: FaultProxy;
  let elbProxy: FaultProxy;
  let direct: AwsClients;
  let proxied: AwsClients;
  let world: AwsWorld;
  let ecs: AwsEcs;
  let lb: AwsLoadBalancer;
  let rule: ForwardRule;

  const credentials = { accessKeyId: "test", secretAccessKey: "test" };
  const provider = (ecsUrl: string, elbv2Url: string) => ({
    name: "moto",
    type: "ECS" as const,
    region: "us-east-1",
    endpoints: { ecs: ecsUrl, elbv2: elbv2Url },
  });

  beforeAll(async () => {
    moto = await startMoto();
    await moto.reset();
    ecsProxy = await startFaultProxy({ target: moto.endpoint, now: () => clock.now(), services: ["ecs"] });
    elbProxy = await startFaultProxy({ target: moto.endpoint, now: () => clock.now(), services: ["elbv2"] });
    direct = createAwsClients(provider(moto.endpoint, moto.endpoint), { credentials });
    world = await setUpAwsWorld(direct, { ec2Endpoint: moto.endpoint });
    proxied = createAwsClients(provider(ecsProxy.endpoint, elbProxy.endpoint), {
      credentials,
      retry: { maxAttempts: 2, baseDelayMs: 0, throttlingBaseDelayMs: 0 },
      timeouts: { requestMs: 1_000 },
    });
    ecs = new AwsEcs(proxied.ecs, clock);
    lb = new AwsLoadBalancer(proxied.elbv2);
    const [found] = await lb.findForwardRules([world.blue, world.green]);
    if (!found) throw new Error("moto world has no forward rule for blue/green");
    rule = found;
  });
  afterAll(async () => {
    for (const c of [direct, proxied]) {
      c?.ecs.destroy();
      c?.elbv2.destroy();
    }
    await ecsProxy?.close();
    await elbProxy?.close();
    await moto?.stop();
  });

  const cluster = () => String(world.app.serviceDefinition.cluster);

  async function failure(promise: Promise<unknown>): Promise<KanariaError> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(KanariaError);
    return error as KanariaError;
  }

  describe.each(FAULT_WINDOW_KINDS)("a %s window", (kind) => {
    it("fails ECS calls while it lasts, classified transient, and they succeed after", async () => {
      const now = clock.now();
      ecsProxy.windows.add({ service: "ecs", kind, from: now, until: now + MINUTE });
      const error = await failure(ecs.describeService(cluster(), "web"));
      expect(error.code).toMatch(EXPECTED[kind].ecs);
      expect(error.transient).toBe(true);
      await clock.advance(MINUTE);
      expect(await ecs.describeService(cluster(), "web")).toMatchObject({ serviceName: "web" });
    });

    it("fails ModifyListener only, and moving weights succeeds after", async () => {
      const now = clock.now();
      const weights = rule.targetGroups.map((t) => ({ ...t }));
      elbProxy.windows.add({
        service: "elbv2",
        operation: "ModifyListener",
        kind,
        from: now,
        until: now + MINUTE,
      });
      const error = await failure(lb.setWeights(rule, weights));
      expect(error.code).toMatch(EXPECTED[kind].elbv2);
      expect(error.transient).toBe(true);
      const health = await lb.describeTargetHealth(world.blue);
      expect(health).toMatchObject({ healthy: expect.any(Number) });
      const before = elbProxy.forwarded("elbv2:ModifyListener");
      await clock.advance(MINUTE);
      expect(await lb.setWeights(rule, weights)).toEqual(weights);
      expect(elbProxy.forwarded("elbv2:ModifyListener")).toBe(before + 1);
    });
  });
});
