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
    return Promise.resolve(this.unknown(request.provider));
  }

  /** Each provider gets its own requests as one batch, so that it can combine them. */
  async queryAll(requests: readonly MetricQuery[]): Promise<MetricQueryResult[]> {
    const results: MetricQueryResult[] = requests.map((r) => this.unknown(r.provider));
    const byProvider = new Map<string, number[]>();
    requests.forEach((request, i) => {
      if (this.providers.has(request.provider)) {
        byProvider.set(request.provider, [...(byProvider.get(request.provider) ?? []), i]);
      }
    });
    await Promise.all(
      [...byProvider].map(async ([name, indexes]) => {
        const provider = this.providers.get(name) as Metrics;
        const answers = await provider.queryAll(indexes.map((i) => requests[i] as MetricQuery));
        indexes.forEach((index, k) => {
          results[index] = answers[k] as MetricQueryResult;
        });
      }),
    );
    return results;
  }

  lagMsOf(provider: string): number | undefined {
    return this.providers.get(provider)?.lagMsOf?.(provider);
  }

  alignmentMsOf(provider: string): number | undefined {
    return this.providers.get(provider)?.alignmentMsOf?.(provider);
  }

  private unknown(name: string): MetricQueryResult {
    const known = [...this.providers.keys()].join(", ") || "none";
    return {
      kind: "error",
      reason: `no analysis provider named "${name}" (configured: ${known})`,
      retryAfterMs: undefined,
    };
  }
}
