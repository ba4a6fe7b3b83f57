/**
 * kanaria.yaml's `metrics:` section: where `serve` exposes Prometheus metrics besides the HTTP
 * receiver's own `/metrics`. Needed in Socket Mode, where no HTTP receiver listens.
 *
 *   metrics:
 *     port: 9464   # GET http://<host>:9464/metrics
 */
import { z } from "zod";
import type { DiagnosticSink } from "./diagnostic-sink.js";
import type { YamlDocument } from "./load-yaml-document.js";
import { closedObject, parseAt } from "./zod-issues.js";

export interface MetricsSettings {
  /** A port of its own for GET /metrics; 0 = any free port (tests). */
  port?: number;
}

export const metricsSchema = closedObject({
  port: z.number().int().min(0).max(65535).optional(),
});

/** The section's settings (empty when absent); undefined after reporting its problems to `sink`. */
export function readMetricsSettings(
  doc: YamlDocument,
  raw: unknown,
  sink: DiagnosticSink,
): MetricsSettings | undefined {
  const parsed = parseAt(metricsSchema, raw ?? {}, { doc, path: ["metrics"] }, sink);
  if (!parsed) return undefined;
  return parsed.port === undefined ? {} : { port: parsed.port };
}
