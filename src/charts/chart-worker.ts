/**
 * Worker-thread entry for chart rendering (see chart-thread.ts): rasterising a chart takes 50–200 ms
 * of CPU, which on the bot's main thread would hold up every Slack ack and every deployment's next
 * step. Receives `{id, model}`, answers `{id, png}` (the buffer transferred, not copied) or
 * `{id, error}`.
 */
import { parentPort } from "node:worker_threads";
import type { AnalysisChartModel } from "./analysis-chart-model.js";
import { renderChartPng } from "./render-chart.js";

export interface ChartJob {
  id: number;
  model: AnalysisChartModel;
}

export type ChartAnswer = { id: number; png: Uint8Array } | { id: number; error: string };

const port = parentPort;
if (!port) throw new Error("chart-worker.ts runs as a worker thread (chart-thread.ts starts it)");
port.on("message", (job: ChartJob) => {
  let answer: ChartAnswer;
  try {
    const png = renderChartPng(job.model);
    const bytes = new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
    answer = { id: job.id, png: bytes };
    port.postMessage(answer, [bytes.buffer as ArrayBuffer]);
    return;
  } catch (error) {
    answer = { id: job.id, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(answer);
});
