/**
 * How the AWS adapters classify failures that come over the wire (real SDK clients, real HTTP on
 * loopback): what waiting can heal is `transient`, what people must fix is not, and an access-denied
 * message names the permission to grant. Also: the per-call retry strategy retries exactly the
 * transient ones.
 */
import { createServer } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KanariaError } from "../../../src/domain/kanaria-error.js";
import { createAwsClients } from "../../../src/providers/aws/aws-clients.js";
import { AwsEcs } from "../../../src/providers/aws/aws-ecs.js";
import { AwsLoadBalancer } from "../../../src/providers/aws/aws-load-balancer.js";
import { FakeClock } from "../../fakes/fake-clock.js";
import { type StubAnswer, type StubAwsServer, startStubAwsServer } from "./stub-aws-server.js";

let stub: StubAwsServer;
beforeEach(async () => {
  stub = await startStubAwsServer();
});
afterEach(async () => stub.close());

function adapters(endpoint: string, maxAttempts = 1) {
  const clients = createAwsClients(
    { name: "stub", type: "ECS", region: "us-east-1", endpoints: { ecs: endpoint, elbv2: endpoint } },
    {
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      retry: { maxAttempts, baseDelayMs: 0, throttlingBaseDelayMs: 0 },
      // Long enough that a loaded machine never times out an answered call; only the hang test waits it.
      timeouts: { requestMs: 1_000 },
    },
  );
  return {
    ecs: new AwsEcs(clients.ecs, new FakeClock()),
    lb: new AwsLoadBalancer(clients.elbv2),
    destroy: () => {
      clients.ecs.destroy();
      clients.elbv2.destroy();
    },
  };
}

async function failure(promise: Promise<unknown>): Promise<KanariaError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KanariaError);
  return error as KanariaError;
}

const defaultRule = {
  listenerArn: "arn:aws:elasticloadbalancing:us-east-1:1:listener/app/a/1/1",
  ruleArn: undefined,
  targetGroups: [],
  stickiness: undefined,
  actions: [],
};
const setWeights = (lb: AwsLoadBalancer) => lb.setWeights(defaultRule, []);

describe("ECS errors over the wire", () => {
  it.each<[string, number, boolean]>([
    ["ThrottlingException", 400, true],
    ["ServerException", 500, true],
    ["ServiceUnavailableException", 503, true],
    ["AccessDeniedException", 400, false],
    ["UnrecognizedClientException", 400, false],
    ["ClusterNotFoundException", 400, false],
    ["ServiceNotFoundException", 400, false],
    ["InvalidParameterException", 400, false],
    ["ClientException", 400, false],
  ])("%s (HTTP %i) → transient %s", async (code, status, transient) => {
    stub.answer({ kind: "ecs-error", status, code });
    const a = adapters(stub.endpoint);
    try {
      const error = await failure(a.ecs.describeService("web", "web"));
      expect(error.code).toBe(`AWS_${code}`);
      expect(error.transient).toBe(transient);
      expect(error.message).toMatch(/^DescribeServices failed/);
    } finally {
      a.destroy();
    }
  });

  it("an access-denied message names the ECS permission to grant", async () => {
    stub.answer({ kind: "ecs-error", status: 400, code: "AccessDeniedException", message: "no" });
    const a = adapters(stub.endpoint);
    try {
      const error = await failure(a.ecs.describeService("web", "web"));
      expect(error.message).toContain("grant ecs:DescribeServices");
    } finally {
      a.destroy();
    }
  });
});

describe("ELBv2 errors over the wire", () => {
  it.each<[string, number, boolean]>([
    ["Throttling", 400, true],
    ["ServiceUnavailable", 503, true],
    ["InternalFailure", 500, true],
    ["AccessDenied", 403, false],
    ["UnauthorizedOperation", 403, false],
    ["InvalidClientTokenId", 403, false],
    ["ListenerNotFound", 400, false],
    ["RuleNotFound", 400, false],
    ["TargetGroupNotFound", 400, false],
    ["ValidationError", 400, false],
  ])("%s (HTTP %i) → transient %s", async (code, status, transient) => {
    stub.answer({ kind: "elbv2-error", status, code });
    const a = adapters(stub.endpoint);
    try {
      const error = await failure(setWeights(a.lb));
      expect(error.code).toMatch(new RegExp(`^AWS_${code}(Exception)?$`));
      expect(error.transient).toBe(transient);
      expect(error.message).toMatch(/^ModifyListener failed/);
    } finally {
      a.destroy();
    }
  });

  it("an access-denied message names the ELBv2 permission to grant", async () => {
    stub.answer({ kind: "elbv2-error", status: 403, code: "AccessDenied", message: "not authorized" });
    const a = adapters(stub.endpoint);
    try {
      const error = await failure(setWeights(a.lb));
      expect(error.message).toContain("grant elasticloadbalancing:ModifyListener");
    } finally {
      a.destroy();
    }
  });
});

describe("network failures", () => {
  it("a refused connection is transient", async () => {
    const a = adapters(await closedPortEndpoint());
    try {
      const error = await failure(a.ecs.describeService("web", "web"));
      expect(error.code).toBe("AWS_ECONNREFUSED");
      expect(error.transient).toBe(true);
    } finally {
      a.destroy();
    }
  });

  it("a connection reset mid-request is transient", async () => {
    stub.answer({ kind: "reset" });
    const a = adapters(stub.endpoint);
    try {
      const error = await failure(a.lb.describeTargetHealth("arn:tg"));
      expect(error.code).toBe("AWS_ECONNRESET");
      expect(error.transient).toBe(true);
      expect(error.message).toMatch(/^DescribeTargetHealth failed/);
    } finally {
      a.destroy();
    }
  });

  it("a server that accepts and never answers surfaces as a transient timeout, not a stall", async () => {
    stub.answer({ kind: "hang" });
    const a = adapters(stub.endpoint);
    try {
      const error = await failure(a.ecs.describeService("web", "web"));
      expect(error.code).toBe("AWS_TimeoutError");
      expect(error.transient).toBe(true);
    } finally {
      a.destroy();
    }
  });
});

describe("what the per-call retry strategy retries", () => {
  it.each<[string, number, StubAnswer]>([
    ["503", 3, { kind: "ecs-error", status: 503, code: "ServiceUnavailableException" }],
    ["throttling", 3, { kind: "ecs-error", status: 400, code: "ThrottlingException" }],
    ["a reset", 3, { kind: "reset" }],
    ["access denied", 1, { kind: "ecs-error", status: 400, code: "AccessDeniedException" }],
    ["a missing cluster", 1, { kind: "ecs-error", status: 400, code: "ClusterNotFoundException" }],
  ])("%s → %i attempts of 3", async (_what, attempts, answer) => {
    stub.answer(answer);
    const a = adapters(stub.endpoint, 3);
    try {
      const error = await failure(a.ecs.describeService("web", "web"));
      expect(stub.requests()).toBe(attempts);
      if (attempts > 1) expect(error.message).toContain(`(after ${attempts} attempts)`);
    } finally {
      a.destroy();
    }
  });
});

/** A loopback port nothing listens on (taken, then released). */
async function closedPortEndpoint(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return `http://127.0.0.1:${address.port}`;
}
