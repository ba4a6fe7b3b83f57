/**
 * A sandbox cloud on a virtual clock with real SDK clients pointed at it. `retries` swaps the SDK's
 * retry strategy for one that retries at once (no real-time backoff) and records how the SDK classified
 * each failure, so tests can assert that throttling is seen as THROTTLING.
 */
import { ECSClient, type ECSClientConfig } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { expect } from "vitest";
import { type SandboxCloud, startSandboxCloud } from "../../sandbox/start-sandbox-cloud.js";
import { VirtualClock } from "../../sandbox/virtual-clock.js";

export const credentials = { accessKeyId: "sandbox", secretAccessKey: "sandbox" };

type RetryStrategy = NonNullable<ECSClientConfig["retryStrategy"]>;

export interface Harness {
  clock: VirtualClock;
  cloud: SandboxCloud;
  ecs: ECSClient;
  elb: ElasticLoadBalancingV2Client;
  /** SDK error classifications seen by the recording retry strategy (when `retries` was given). */
  retryErrorTypes: string[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  config?: unknown;
  /** Attempts per call with the immediate, recording retry strategy (default 1: no retries). */
  retries?: number;
}

export async function startHarness({ config = {}, retries = 1 }: HarnessOptions = {}): Promise<Harness> {
  const clock = new VirtualClock();
  const cloud = await startSandboxCloud({ config, clock });
  const retryErrorTypes: string[] = [];
  const retryStrategy = immediateRetries(retries, retryErrorTypes);
  const common = { region: cloud.region, credentials, retryStrategy };
  const ecs = new ECSClient({ ...common, endpoint: cloud.ecsEndpoint });
  const elb = new ElasticLoadBalancingV2Client({ ...common, endpoint: cloud.elbv2Endpoint });
  return {
    clock,
    cloud,
    ecs,
    elb,
    retryErrorTypes,
    async close() {
      ecs.destroy();
      elb.destroy();
      await cloud.close();
    },
  };
}

/** Retries up to `maxAttempts` with no delay; never retries what the SDK calls a CLIENT_ERROR. */
function immediateRetries(maxAttempts: number, seen: string[]): RetryStrategy {
  const token = (count: number) => ({ getRetryCount: () => count, getRetryDelay: () => 0 });
  return {
    acquireInitialRetryToken: async () => token(0),
    refreshRetryTokenForRetry: async (previous, info) => {
      seen.push(info.errorType);
      const next = previous.getRetryCount() + 1;
      if (info.errorType === "CLIENT_ERROR" || next >= maxAttempts)
        throw info.error ?? new Error("no more retries");
      return token(next);
    },
    recordSuccess: () => undefined,
  };
}

/** Awaits a rejection and checks the SDK error's `name` (the modelled exception or AWS's code). */
export async function expectAwsError(promise: Promise<unknown>, name: string): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${name}`).toBeInstanceOf(Error);
  expect((error as Error).name).toBe(name);
  return error as Error;
}

export const MINUTE = 60_000;
