/**
 * The sandbox cloud's entry point: one simulated world behind an ECS server (JSON 1.1), an ELBv2
 * server (Query/XML) and a CloudWatch server (JSON 1.0, GetMetricData) on loopback, plus the metric
 * store the Datadog fake and CloudWatch read, fault injection and a log of API calls. Point the real SDK
 * clients at `ecsEndpoint` / `elbv2Endpoint` / `cloudwatchEndpoint` with any credentials
 * (`{accessKeyId: "sandbox", secretAccessKey: "sandbox"}`) and the sandbox's region.
 *
 * Time: pass a `VirtualClock` to run minutes in milliseconds (the world steps on every tick), or nothing
 * for real time (the world catches up on each request, each metric read and once a second).
 */
import type { Server } from "node:http";
import { systemClock } from "../src/engine/system-clock.js";
import type { Clock } from "../src/ports.js";
import { ApiCallLog } from "./api-call-log.js";
import { type CloudWatchAccess, createCloudWatchServer } from "./cloudwatch-server.js";
import { createEcsServer } from "./ecs-server.js";
import { createElbv2Server } from "./elbv2-server.js";
import { Faults } from "./faults.js";
import { MetricStore } from "./metric-store.js";
import { parseSandboxConfig, type SandboxConfig } from "./sandbox-config.js";
import { closeServer, listen } from "./sandbox-http.js";
import { SandboxWorld } from "./sandbox-world.js";
import { type SeedAppSpec, type SeededApp, seedApp } from "./seed-app.js";
import { SeededRandom } from "./seeded-random.js";
import { VirtualClock } from "./virtual-clock.js";

export interface SandboxCloudOptions {
  /** A sandbox config object (validated here; see sandbox-config.ts). Default: all defaults. */
  config?: unknown;
  /** Default: real time. */
  clock?: Clock;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port each). */
  ports?: { ecs?: number; elbv2?: number; cloudwatch?: number };
  /** Datapoints per GetMetricData page (default CloudWatch's 100,800; tests page with a few). */
  cloudwatchPageSize?: number;
  /** Seed every app listed in the config before returning (what `kanaria sandbox` does). */
  seedConfiguredApps?: boolean;
}

export interface SandboxCloud {
  ecsEndpoint: string;
  elbv2Endpoint: string;
  cloudwatchEndpoint: string;
  /** Make CloudWatch operations answer AccessDenied. */
  cloudwatchAccess: CloudWatchAccess;
  /** The region ARNs are made in unless a request is signed for another one. */
  region: string;
  config: SandboxConfig;
  world: SandboxWorld;
  metrics: MetricStore;
  faults: Faults;
  calls: ApiCallLog;
  clock: Clock;
  /** Seeds an app (see seed-app.ts); seeding the same app again returns the first result. */
  seedApp(spec: SeedAppSpec): SeededApp;
  seededApps(): SeededApp[];
  close(): Promise<void>;
}

export async function startSandboxCloud(options: SandboxCloudOptions = {}): Promise<SandboxCloud> {
  const config = parseSandboxConfig(options.config ?? {});
  const clock = options.clock ?? systemClock;
  const metrics = new MetricStore();
  const world = new SandboxWorld(config, clock, metrics);
  const faults = new Faults(new SeededRandom(config.seed).fork("faults"));
  faults.setApiLatency(config.apiLatencyMs);
  const calls = new ApiCallLog();
  const host = options.host ?? "127.0.0.1";

  const servers: Server[] = [];
  const stop =
    clock instanceof VirtualClock ? clock.onTick((now) => world.catchUp(now)) : realTimeTicker(world);
  try {
    const ecsServer = createEcsServer({ world, faults, log: calls });
    servers.push(ecsServer);
    const ecsEndpoint = await listen(ecsServer, host, options.ports?.ecs ?? 0);
    const elbv2Server = createElbv2Server({ world, faults, log: calls });
    servers.push(elbv2Server);
    const elbv2Endpoint = await listen(elbv2Server, host, options.ports?.elbv2 ?? 0);
    const cloudwatch = createCloudWatchServer(
      { world, faults, log: calls },
      { source: metrics, ...(options.cloudwatchPageSize ? { pageSize: options.cloudwatchPageSize } : {}) },
    );
    servers.push(cloudwatch.server);
    const cloudwatchEndpoint = await listen(cloudwatch.server, host, options.ports?.cloudwatch ?? 0);

    const seeded = new Map<string, SeededApp>();
    const cloud: SandboxCloud = {
      ecsEndpoint,
      elbv2Endpoint,
      cloudwatchEndpoint,
      cloudwatchAccess: cloudwatch.access,
      region: config.region,
      config,
      world,
      metrics,
      faults,
      calls,
      clock,
      seedApp(spec) {
        const existing = seeded.get(spec.app);
        if (existing) return existing;
        const created = seedApp(world, config, spec);
        seeded.set(spec.app, created);
        return created;
      },
      seededApps: () => [...seeded.values()],
      async close() {
        stop();
        await Promise.all(servers.filter((s) => s.listening).map(closeServer));
      },
    };
    if (options.seedConfiguredApps) for (const app of config.apps) cloud.seedApp({ app: app.name });
    return cloud;
  } catch (error) {
    stop();
    await Promise.all(servers.filter((s) => s.listening).map(closeServer));
    throw error;
  }
}

/** In real time nothing else would close a minute nobody asked about; an unref'd timer does. */
function realTimeTicker(world: SandboxWorld): () => void {
  const timer = setInterval(() => world.catchUp(), 1000);
  timer.unref();
  return () => clearInterval(timer);
}
