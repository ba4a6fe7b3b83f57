/**
 * The analysis-provider half of `check-config --online`: each provider, built exactly as `serve` builds
 * it, answers one small read-only query over the last five minutes. An answer with or without data
 * shows the address, the keys or credentials and the read permission work; an error is one finding with
 * the provider's own reason (Datadog's 403, CloudWatch's AccessDenied naming `cloudwatch:GetMetricData`,
 * a refused connection, a timeout).
 */
import type { AnalysisProviderConfig, KanariaConfig } from "../config/types.js";
import { encodeCloudWatchQuery } from "../domain/cloudwatch-query.js";
import type { OnlineFinding } from "../domain/online-finding.js";
import type { Logger } from "../engine/logger.js";
import { analysisProviders } from "./analysis-providers.js";

const WINDOW_MS = 5 * 60_000;
const TIMEOUT_MS = 10_000;

/** A query every backend can answer, usually with no data; its answer is not looked at, only its kind. */
function probeQuery(type: AnalysisProviderConfig["type"]): string {
  switch (type) {
    case "DATADOG":
      return "avg:kanaria.check_config.probe{*}";
    case "PROMETHEUS":
      // One series at most (a count), whatever the server scrapes.
      return "count(up)";
    case "CLOUDWATCH":
      return encodeCloudWatchQuery({
        kind: "metric",
        namespace: "AWS/ApplicationELB",
        metric: "RequestCount",
        dimensions: { LoadBalancer: "app/kanaria-check-config-probe/0" },
        stat: "Sum",
        periodSeconds: 60,
      });
  }
}

export async function probeAnalysisProviders(
  config: KanariaConfig,
  logger: Logger,
  now: number,
): Promise<OnlineFinding[]> {
  let providers: Awaited<ReturnType<typeof analysisProviders>>;
  try {
    providers = await analysisProviders(config, logger);
  } catch (error) {
    return [{ severity: "error", subject: "analysis providers", message: messageOf(error) }];
  }
  const findings: OnlineFinding[] = [];
  for (const provider of config.analysisProviders) {
    const metrics = providers.get(provider.name);
    if (!metrics) continue;
    const answer = await metrics.query({
      provider: provider.name,
      query: probeQuery(provider.type),
      from: now - WINDOW_MS,
      to: now,
      timeoutMs: TIMEOUT_MS,
    });
    if (answer.kind === "error")
      findings.push({
        severity: "error",
        subject: `analysis provider "${provider.name}" (${provider.type})`,
        message: `a read-only test query failed: ${answer.reason}`,
      });
  }
  return findings;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
