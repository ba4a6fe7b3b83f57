/**
 * Renders charts on a worker thread so the event loop that acks Slack and drives deployments never
 * stalls on rasterisation (DESIGN §10: event-loop delay p99 < 50 ms with 100 deployments). One worker,
 * started on the first chart and kept (it loads ECharts, resvg and the font once); jobs queue in it.
 * A worker that dies fails the jobs it held and is started afresh for the next one. The worker is
 * unref'd: it never keeps the process alive.
 */
import type { Worker } from "node:worker_threads";
import { startModuleWorker } from "../module-worker.js";
import type { AnalysisChartModel } from "./analysis-chart-model.js";
import type { ChartAnswer, ChartJob } from "./chart-worker.js";

export interface ChartThread {
  /** The chart as a PNG; rejects when rendering failed or the worker died. */
  render(model: AnalysisChartModel): Promise<Buffer>;
  /** Ends the worker; pending jobs are rejected. */
  close(): Promise<void>;
}

interface Pending {
  resolve(png: Buffer): void;
  reject(error: Error): void;
}

export function startChartThread(): ChartThread {
  let worker: Worker | undefined;
  let nextId = 1;
  const pending = new Map<number, Pending>();

  const failAll = (error: Error) => {
    for (const job of pending.values()) job.reject(error);
    pending.clear();
  };

  const ensureWorker = (): Worker => {
    if (worker) return worker;
    // A small young generation: rendering makes short-lived garbage in bursts, and V8's default lets it
    // take tens of MB of RSS between scavenges (~30 MB less over a run of charts, for more scavenges).
    const started = startModuleWorker(import.meta.url, "chart-worker", {
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
    });
    started.unref();
    started.on("message", (answer: ChartAnswer) => {
      const job = pending.get(answer.id);
      if (!job) return;
      pending.delete(answer.id);
      if ("png" in answer)
        job.resolve(Buffer.from(answer.png.buffer, answer.png.byteOffset, answer.png.byteLength));
      else job.reject(new Error(`chart not rendered: ${answer.error}`));
    });
    const gone = (error: Error) => {
      if (worker === started) worker = undefined;
      failAll(error);
    };
    started.on("error", (error) => gone(error));
    started.on("exit", (code) => gone(new Error(`the chart worker exited (code ${code})`)));
    worker = started;
    return started;
  };

  return {
    render(model) {
      return new Promise<Buffer>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        const job: ChartJob = { id, model };
        try {
          ensureWorker().postMessage(job);
        } catch (error) {
          pending.delete(id);
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    },
    async close() {
      const current = worker;
      worker = undefined;
      failAll(new Error("the chart worker was closed"));
      if (current) await current.terminate();
    },
  };
}
