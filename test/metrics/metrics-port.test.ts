/**
 * `metrics.port` in kanaria.yaml (validated with file:line like every key) and the small server that
 * serves /metrics there when no HTTP receiver does (Socket Mode).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";
import { startMetricsServer } from "../../src/metrics/metrics-server.js";
import { ServeMetrics } from "../../src/metrics/serve-metrics.js";
import { parseExposition, sampleValue } from "./exposition.js";

const dir = mkdtempSync(join(tmpdir(), "kanaria-metrics-port-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function load(metricsLines: string[]) {
  const file = join(dir, "kanaria.yaml");
  writeFileSync(file, ["slack:", "  port: 3000", ...metricsLines, "apps: []", ""].join("\n"));
  return { file, loaded: await loadConfig(file) };
}

describe("metrics.port", () => {
  it("is read when given and absent otherwise", async () => {
    expect((await load(["metrics:", "  port: 9464"])).loaded.config?.metrics).toEqual({ port: 9464 });
    expect((await load([])).loaded.config?.metrics).toBeUndefined();
  });

  it("names the file and line of a wrong value or an unknown key", async () => {
    const wrong = await load(["metrics:", '  port: "nine"']);
    expect(wrong.loaded.config).toBeUndefined();
    const [error] = wrong.loaded.diagnostics.filter((d) => d.severity === "error");
    expect(error).toMatchObject({ file: wrong.file, line: 4, path: "metrics.port" });
    expect(error?.message).toMatch(/number/);

    const range = await load(["metrics:", "  port: 70000"]);
    expect(range.loaded.diagnostics.find((d) => d.severity === "error")).toMatchObject({ line: 4 });

    const typo = await load(["metrics:", "  prot: 9464"]);
    const [unknown] = typo.loaded.diagnostics.filter((d) => d.severity === "error");
    expect(unknown).toMatchObject({ file: typo.file, line: 4 });
    expect(unknown?.message).toMatch(/prot/);
  });
});

describe("the metrics server", () => {
  it("serves GET /metrics as Prometheus text and nothing else", async () => {
    const metrics = new ServeMetrics();
    metrics.observe("slack", "chat.postMessage", "ok", 12);
    const server = await startMetricsServer(
      0,
      async () => ({ contentType: metrics.contentType, text: await metrics.text() }),
      "127.0.0.1",
    );
    try {
      const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = parseExposition(await response.text());
      expect(
        sampleValue(text, "kanaria_external_calls_total", {
          service: "slack",
          operation: "chat.postMessage",
          outcome: "ok",
        }),
      ).toBe(1);
      expect((await fetch(`http://127.0.0.1:${server.port}/`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${server.port}/metrics`, { method: "POST" })).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
