/**
 * The analysis chart for a thread: one PNG per metric of an ANALYSIS stage, from its stored ticks
 * (`charts/` draws, this picks the data and names the file). The PNG is rasterised on a worker thread
 * (charts/chart-thread.ts) so the bot's event loop keeps acking Slack meanwhile. A chart that fails to
 * render is logged and left out: the figures are in the analysis reply anyway, and a chart must never
 * hold up the thread.
 */
import { analysisChartModel } from "../charts/analysis-chart-model.js";
import { chartOutcome } from "../charts/chart-outcome.js";
import type { ChartThread } from "../charts/chart-thread.js";
import type { Logger } from "../engine/logger.js";
import { metricTicks, stageLabel } from "../views/deployment-snapshot.js";
import type { AnalysisChartRenderer } from "./slack-notifier.js";

export function chartRenderer(logger: Logger, thread: ChartThread): AnalysisChartRenderer {
  const log = logger.child({ component: "charts" });
  return async ({ snapshot, stageIndex, metric }) => {
    const stage = snapshot.stages[stageIndex];
    if (!stage) return undefined;
    const { deployment } = snapshot;
    const measurements = metricTicks(snapshot, stageIndex, metric.common.name);
    if (measurements.length === 0) return undefined;
    const start = stage.state.analysisStart;
    try {
      const outcome = chartOutcome(stage, deployment.status, metric, measurements);
      const model = analysisChartModel({
        app: deployment.app,
        version: deployment.version,
        stageLabel: stageLabel(stage),
        metric,
        measurements,
        ...(outcome ? { outcome } : {}),
        ...(typeof start === "number" ? { analysisStart: start } : {}),
      });
      const safe = metric.common.name.replace(/[^A-Za-z0-9._-]+/g, "-");
      return {
        png: await thread.render(model),
        filename: `${deployment.app}-${deployment.version}-${safe}.png`,
        title: `${deployment.app} ${deployment.version} · ${metric.common.name}`,
      };
    } catch (error) {
      log.error({ err: error, deployment: deployment.id, metric: metric.common.name }, "chart not rendered");
      return undefined;
    }
  };
}
