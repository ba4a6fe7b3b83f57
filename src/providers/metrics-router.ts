/**
 * Routes each metric query to the `analysisProviders` entry it names. An ANALYSIS stage may mix
 * providers (two Datadog organisations, say); a name no provider has is an error tick — config
 * validation refuses such names, so this only happens when kanaria.yaml changed under a running
 * deployment.
 */
import type { MetricQuery, MetricQueryResult, Metrics } from "../ports.js";

export class MetricsRouter implements Metrics {
  constructor(private readonly providers: ReadonlyMap<string, Metrics>) {}

  query(request: MetricQuery): Promise<MetricQueryResult> {
    const provider = this.providers.get(request.provider);
    if (provider) return provider.query(request);
    const known = [...this.providers.keys()].join(", ") || "none";
    return Promise.resolve({
      kind: "error",
      reason: `no analysis provider named "${request.provider}" (configured: ${known})`,
      retryAfterMs: undefined,
    });
  }
}
