/**
 * The CloudWatch provider against the sandbox cloud: a seeded app (ALB `web-alb` with primary, canary
 * and baseline target groups), its metric store written directly with minutes before the virtual
 * clock's start (the traffic model writes only minutes after it), and a provider built the way
 * `serve` builds it, pointed at the sandbox's CloudWatch and ELBv2 endpoints.
 */

import type { SeededApp } from "../../../sandbox/seed-app.js";
import { type SandboxCloud, startSandboxCloud } from "../../../sandbox/start-sandbox-cloud.js";
import { VirtualClock } from "../../../sandbox/virtual-clock.js";
import { type CloudWatchQuery, encodeCloudWatchQuery } from "../../../src/domain/cloudwatch-query.js";
import type { MetricQuery } from "../../../src/ports.js";
import {
  AlbDimensionResolver,
  loadBalancerDimension,
  targetGroupDimension,
} from "../../../src/providers/cloudwatch/alb-dimensions.js";
import { createCloudWatchClients } from "../../../src/providers/cloudwatch/cloudwatch-clients.js";
import {
  CloudWatchMetrics,
  type CloudWatchMetricsOptions,
} from "../../../src/providers/cloudwatch/cloudwatch-metrics.js";

export const MINUTE = 60_000;

export interface CloudWatchFixture {
  clock: VirtualClock;
  cloud: SandboxCloud;
  app: SeededApp;
  /** Start of the n-th minute before the clock's start (n ≥ 1). */
  minutesAgo(n: number): number;
  /** Writes one minute of the ALB counts of a target group, as the traffic model does. */
  writeAlb(
    group: "primary" | "canary" | "baseline",
    minuteStart: number,
    requests: number,
    errors: number,
  ): void;
  provider(options?: Partial<CloudWatchMetricsOptions> & { requestMs?: number }): CloudWatchMetrics;
  close(): Promise<void>;
}

export async function startCloudWatchFixture(pageSize = 3): Promise<CloudWatchFixture> {
  const clock = new VirtualClock();
  const cloud = await startSandboxCloud({ clock, cloudwatchPageSize: pageSize });
  const app = cloud.seedApp({ app: "web", baseline: true, env: "prd" });
  const start = clock.now();
  const providers: CloudWatchMetrics[] = [];
  const closers: Array<() => void> = [];
  return {
    clock,
    cloud,
    app,
    minutesAgo: (n) => start - n * MINUTE,
    writeAlb(group, minuteStart, requests, errors) {
      const tags = {
        targetgroup: targetGroupDimension(app.targetGroups[group].arn) ?? "",
        loadbalancer: loadBalancerDimension(app.loadBalancerArn) ?? "",
      };
      cloud.metrics.add("aws.applicationelb.request_count", tags, minuteStart, requests);
      cloud.metrics.add("aws.applicationelb.httpcode_target_5xx", tags, minuteStart, errors);
    },
    provider(options = {}) {
      const clients = createCloudWatchClients(
        {
          name: "cloudwatch",
          type: "CLOUDWATCH",
          region: cloud.region,
          endpoints: { cloudwatch: cloud.cloudwatchEndpoint, elbv2: cloud.elbv2Endpoint },
        },
        {
          credentials: { accessKeyId: "sandbox", secretAccessKey: "sandbox" },
          retry: { maxAttempts: 1, baseDelayMs: 0 },
          ...(options.requestMs ? { timeouts: { requestMs: options.requestMs } } : {}),
        },
      );
      closers.push(() => {
        clients.cloudwatch.destroy();
        clients.elbv2.destroy();
      });
      const provider = new CloudWatchMetrics({
        cloudwatch: clients.cloudwatch,
        albDimensions: new AlbDimensionResolver(clients.elbv2),
        clock,
        lagMs: 0,
        ...options,
      });
      providers.push(provider);
      return provider;
    },
    async close() {
      for (const close of closers) close();
      await cloud.close();
    },
  };
}

/** A request for `query` over [from, to). */
export function request(
  query: CloudWatchQuery | string,
  from: number,
  to: number,
  timeoutMs = 30_000,
): MetricQuery {
  return {
    provider: "cloudwatch",
    query: typeof query === "string" ? query : encodeCloudWatchQuery(query),
    from,
    to,
    timeoutMs,
  };
}
