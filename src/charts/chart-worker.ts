/**
 * Worker-thread entry for chart rendering (see chart-thread.ts): rasterising a chart takes 50–200 ms
 * of CPU, which on the bot's main thread would hold up every Slack ack and every deployment's next
 * step. Receives `{id, model}`, answers `{id, png}` (the buffer transferred, not copied) or
 * `{id, error}`.
 *
 * Memory: resvg keeps each render's bitmap (about 9 MB at the charts' size) in native memory that V8
 * does not see, so without help the worker only collects it when its small JS heap happens to fill:
 * 20 analyses grew the bot's RSS by ~160 MB. Hence, after every job, a full GC (cheap on this worker's
 * heap, and off the main thread) and one turn of the event loop before the next job, because Node runs
 * native finalizers from `setImmediate`. The PNG is copied into a JS-owned buffer before it is
 * transferred: a transferred buffer that resvg allocated is never released by it.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { parentPort } from "node:worker_threads";
import type { AnalysisChartModel } from "./analysis-chart-model.js";
import { renderChartPng } from "./render-chart.js";

export interface ChartJob {
  id: number;
  model: AnalysisChartModel;
}

export type ChartAnswer = { id: number; png: Uint8Array } | { id: number; error: string };

// `--expose-gc` set at run time is seen by contexts created after it: the new context hands out `gc`.
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

const port = parentPort;
if (!port) throw new Error("chart-worker.ts runs as a worker thread (chart-thread.ts starts it)");

const queue: ChartJob[] = [];
let draining = false;

port.on("message", (job: ChartJob) => {
  queue.push(job);
  if (!draining) void drain();
});

async function drain(): Promise<void> {
  draining = true;
  for (let job = queue.shift(); job; job = queue.shift()) {
    const answer = render(job);
    collectGarbage();
    if ("png" in answer) port?.postMessage(answer, [answer.png.buffer as ArrayBuffer]);
    else port?.postMessage(answer);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  draining = false;
}

function render(job: ChartJob): ChartAnswer {
  try {
    return { id: job.id, png: new Uint8Array(renderChartPng(job.model)) };
  } catch (error) {
    return { id: job.id, error: error instanceof Error ? error.message : String(error) };
  }
}
