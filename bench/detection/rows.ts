/**
 * The rows of `bench:detection`: for each metrics source, how the sandbox delivers its data (never a
 * bucket before a real backend would have it), the provider Kanaria reads it with (its `lag` set as a
 * user would set it), and the ANALYSIS metric. Delivery figures and their sources:
 *
 * - Datadog ALB metrics via the AWS integration: Datadog's crawler polls CloudWatch every 10 minutes by
 *   default, and CloudWatch's 1-minute metrics are available about 2 minutes after their minute, "so
 *   total latency to view your metrics may be ~10-12 minutes" (docs.datadoghq.com/integrations/guide/
 *   cloud-metric-delay). Sandbox: a crawl every 10 minutes (phase drawn per seed) brings every minute
 *   that ended 2 minutes before it. A user sets `lag: 12m`.
 * - Datadog APM trace metrics (`trace.*.hits/errors`): computed by the Datadog Agent from 100% of the
 *   traces it receives and sent as metrics, not crawled (docs.datadoghq.com/tracing/metrics,
 *   /tracing/metrics/metrics_namespace). The stats concentrator aggregates spans into 10-second buckets
 *   and, when it flushes, keeps the most recent buckets back (DataDog/libdatadog, libdd-trace-stats
 *   README), so a bucket leaves some 20–30 s after its spans. Sandbox: ingested 30 s after the fact.
 *   Kanaria: `lag: 45s`, what a user reading APM metrics sets (the 30 s and a margin; the Datadog
 *   provider's default of 60 s is for metrics in general, and the README says to lower it for APM's).
 * - CloudWatch ALB (`source: ALB`): ELB reports its metrics to CloudWatch every minute, a minute
 *   within the minute after it closed (cloudwatch-lag.ts). Sandbox: a minute is published 60 s after
 *   it ends. Kanaria: default lag, 90 s.
 * - Prometheus: a sample is in Prometheus one scrape after the fact. Sandbox: 15 s ingestion lag (a
 *   15 s scrape interval). Kanaria: default lag, 30 s (about twice the scrape interval).
 * - The seed's own analysis (test/fixtures/seeds/seed-example/app.pipecd.yaml), as written: THRESHOLD
 *   `max: 10` on `sum:…httpcode_elb_5xx{env:prd,hostname:<the ALB>} / sum:…request_count{…}` every
 *   minute, through the same AWS integration (10-minute crawls). PipeCD has no lag setting: Kanaria's
 *   Datadog default, 60 s.
 */

import { createCloudWatchServer } from "../../sandbox/cloudwatch-server.js";
import { DatadogFaults } from "../../sandbox/datadog-faults.js";
import { startSandboxDatadog } from "../../sandbox/datadog-server.js";
import { PrometheusFaults } from "../../sandbox/prometheus-faults.js";
import { startSandboxPrometheus } from "../../sandbox/prometheus-server.js";
import { closeServer, listen } from "../../sandbox/sandbox-http.js";
import type { SeededApp } from "../../sandbox/seed-app.js";
import type { SeededRandom } from "../../sandbox/seeded-random.js";
import type { SandboxCloud } from "../../sandbox/start-sandbox-cloud.js";
import type { VirtualClock } from "../../sandbox/virtual-clock.js";
import type { AnalysisMetric, SequentialMetric } from "../../src/domain/analysis-metric.js";
import { encodeCloudWatchQuery } from "../../src/domain/cloudwatch-query.js";
import type { Metrics } from "../../src/ports.js";
import { AlbDimensionResolver } from "../../src/providers/cloudwatch/alb-dimensions.js";
import { createCloudWatchClients } from "../../src/providers/cloudwatch/cloudwatch-clients.js";
import { CloudWatchMetrics } from "../../src/providers/cloudwatch/cloudwatch-metrics.js";
import { DatadogMetrics } from "../../src/providers/datadog/datadog-metrics.js";
import { PrometheusMetrics } from "../../src/providers/prometheus/prometheus-metrics.js";
import { metricCommon, sequentialMetric } from "../../test/fixtures/metric-common.js";

const SECOND = 1000;
const MINUTE = 60_000;

/** What a row gets to start its backend with. */
export interface RowEnv {
  cloud: SandboxCloud;
  clock: VirtualClock;
  seeded: SeededApp;
  random: SeededRandom;
  /** The version tags of the live release and of the bad canary (APM tags traffic by version). */
  versions: { primary: string; canary: string };
}

/** A running backend: the provider Kanaria reads it with, and the metric the ANALYSIS stage judges. */
export interface RowBackend {
  provider: Metrics;
  metric: AnalysisMetric;
  close(): Promise<void>;
}

export interface DetectionRow {
  /** Short key for the command line. */
  key: string;
  name: string;
  delivery: string;
  lag: string;
  targetMs: number | undefined;
  start(env: RowEnv): Promise<RowBackend>;
}

/** The provider name every row's metric names (one provider per run). */
export const PROVIDER = "metrics";

const tag = (arn: string): string => arn.slice(arn.indexOf("targetgroup/"));

/**
 * Datadog's AWS integration: data up to the last crawl's reach. A crawl every 10 minutes, at a phase
 * drawn per seed, brings the minutes that ended at least 2 minutes before it (CloudWatch's delay).
 */
function crawled(env: RowEnv): (nowMs: number) => number {
  const firstCrawl = env.clock.now() + Math.floor(env.random.next() * 10 * MINUTE);
  return (nowMs) => {
    const crawl = firstCrawl + Math.floor((nowMs - firstCrawl) / (10 * MINUTE)) * 10 * MINUTE;
    return Math.floor((crawl - 2 * MINUTE) / MINUTE) * MINUTE;
  };
}

/** The SEQUENTIAL error-ratio metric against the primary, as the sandbox's config writes it. */
function errorsVsPrimary(overrides: Partial<SequentialMetric>): SequentialMetric {
  return sequentialMetric("errors-vs-primary", {
    common: metricCommon("errors-vs-primary", { provider: PROVIDER }),
    maxRatio: 1.5,
    ...overrides,
  });
}

async function datadogBackend(
  env: RowEnv,
  delivery: { faults?: DatadogFaults; publishedUntil?: (nowMs: number) => number },
  lagMs: number,
  metric: AnalysisMetric,
): Promise<RowBackend> {
  const datadog = await startSandboxDatadog({
    source: env.cloud.metrics,
    clock: env.clock,
    ...(delivery.faults ? { faults: delivery.faults } : {}),
    ...(delivery.publishedUntil ? { publishedUntil: delivery.publishedUntil } : {}),
  });
  const provider = new DatadogMetrics({
    apiKey: "sandbox",
    applicationKey: "sandbox",
    baseUrl: datadog.url,
    clock: env.clock,
    lagMs,
  });
  return { provider, metric, close: () => datadog.close() };
}

/** Per-target-group ALB counts in Datadog (the AWS integration's names and tags). */
function albCounts(env: RowEnv): SequentialMetric {
  const count = (metric: string) =>
    `sum:aws.applicationelb.${metric}{env:prd,targetgroup:{{ .VariantCustomArgs.targetGroup }}}.as_count()`;
  return errorsVsPrimary({
    errors: count("httpcode_target_5xx"),
    total: count("request_count"),
    variantArgs: {
      primary: { targetGroup: tag(env.seeded.targetGroups.primary.arn) },
      canary: { targetGroup: tag(env.seeded.targetGroups.canary.arn) },
      baseline: {},
    },
  });
}

export const DETECTION_ROWS: readonly DetectionRow[] = [
  {
    key: "datadog-alb",
    name: "Datadog ALB (AWS integration), SEQUENTIAL",
    delivery: "crawl every 10 min, minutes 2 min old",
    lag: "12m",
    targetMs: undefined,
    start: (env) => datadogBackend(env, { publishedUntil: crawled(env) }, 12 * MINUTE, albCounts(env)),
  },
  {
    key: "datadog-apm",
    name: "Datadog APM trace metrics, SEQUENTIAL",
    delivery: "ingested 30 s late",
    lag: "45s",
    targetMs: 2 * MINUTE,
    start(env) {
      const count = (metric: string) =>
        `sum:trace.http.request.${metric}{service:${env.seeded.app},env:prd,version:{{ .VariantCustomArgs.version }}}.as_count()`;
      const metric = errorsVsPrimary({
        errors: count("errors"),
        total: count("hits"),
        variantArgs: {
          primary: { version: env.versions.primary },
          canary: { version: env.versions.canary },
          baseline: {},
        },
      });
      return datadogBackend(env, { faults: new DatadogFaults({ lagMs: 30 * SECOND }) }, 45 * SECOND, metric);
    },
  },
  {
    key: "cloudwatch",
    name: "CloudWatch ALB (source: ALB), SEQUENTIAL",
    delivery: "minute published 60 s after it ends",
    lag: "90s (default)",
    targetMs: 3 * MINUTE,
    async start(env) {
      const { cloud } = env;
      const { server } = createCloudWatchServer(
        { world: cloud.world, faults: cloud.faults, log: cloud.calls },
        { source: cloud.metrics, publishDelayMs: MINUTE },
      );
      const endpoint = await listen(server, "127.0.0.1", 0);
      const clients = createCloudWatchClients(
        {
          name: PROVIDER,
          type: "CLOUDWATCH",
          region: cloud.region,
          endpoints: { cloudwatch: endpoint, elbv2: cloud.elbv2Endpoint },
        },
        { credentials: { accessKeyId: "sandbox", secretAccessKey: "sandbox" } },
      );
      const provider = new CloudWatchMetrics({
        cloudwatch: clients.cloudwatch,
        albDimensions: new AlbDimensionResolver(clients.elbv2),
        clock: env.clock,
      });
      const metric = errorsVsPrimary({
        errors: encodeCloudWatchQuery({
          kind: "alb",
          metric: "HTTPCode_Target_5XX_Count",
          periodSeconds: 60,
        }),
        total: encodeCloudWatchQuery({ kind: "alb", metric: "RequestCount", periodSeconds: 60 }),
      });
      return {
        provider,
        metric,
        async close() {
          clients.cloudwatch.destroy();
          clients.elbv2.destroy();
          await closeServer(server);
        },
      };
    },
  },
  {
    key: "prometheus",
    name: "Prometheus (ALB counts), SEQUENTIAL",
    delivery: "ingested 15 s late (scrape)",
    lag: "30s (default)",
    targetMs: 2 * MINUTE,
    async start(env) {
      const prometheus = await startSandboxPrometheus({
        source: env.cloud.metrics,
        clock: env.clock,
        faults: new PrometheusFaults({ lagMs: 15 * SECOND }),
      });
      const provider = new PrometheusMetrics({ address: prometheus.url, clock: env.clock });
      const count = (code: string) =>
        `sum(increase(alb_requests_total{app="${env.seeded.app}",target_group="{{ .VariantCustomArgs.targetGroup }}"${code}}[1m]))`;
      const metric = errorsVsPrimary({
        errors: count(',code=~"5.."'),
        total: count(""),
        variantArgs: {
          primary: { targetGroup: tag(env.seeded.targetGroups.primary.arn) },
          canary: { targetGroup: tag(env.seeded.targetGroups.canary.arn) },
          baseline: {},
        },
      });
      return { provider, metric, close: () => prometheus.close() };
    },
  },
  {
    key: "seed",
    name: "seed: THRESHOLD max 10 on Datadog ALB (AWS integration)",
    delivery: "crawl every 10 min, minutes 2 min old",
    lag: "60s (default; PipeCD has none)",
    targetMs: undefined,
    start(env) {
      const scope = `{env:prd,hostname:${env.seeded.loadBalancerDnsName}}`;
      const metric: AnalysisMetric = {
        strategy: "THRESHOLD",
        common: metricCommon("metrics[0]", { provider: PROVIDER }),
        query: `sum:aws.applicationelb.httpcode_elb_5xx${scope}.as_count()\n/\nsum:aws.applicationelb.request_count${scope}.as_count()\n`,
        expected: { max: 10 },
      };
      return datadogBackend(env, { publishedUntil: crawled(env) }, MINUTE, metric);
    },
  },
];
