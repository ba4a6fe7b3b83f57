/**
 * Worker-thread side of remote-fetch.ts: sends each request it is given with its own `fetch`, on its
 * own event loop, and reports the status, the body and how long the bot took to answer (request start
 * → body read), measured here where nothing else competes for the loop.
 */
import { performance } from "node:perf_hooks";
import { parentPort } from "node:worker_threads";

export interface FetchJob {
  id: number;
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

export type FetchAnswer =
  /** `endedAtMs`: when the body was read, in ms since the epoch (comparable across threads). */
  | { id: number; status: number; text: string; elapsedMs: number; endedAtMs: number }
  | { id: number; error: string };

const port = parentPort;
if (!port) throw new Error("fetch-worker runs as a worker thread (remote-fetch.ts starts it)");
port.on("message", (job: FetchJob) => {
  const started = performance.now();
  fetch(job.url, {
    method: job.method,
    headers: job.headers,
    ...(job.body !== undefined ? { body: job.body } : {}),
  })
    .then(async (response) => {
      const text = await response.text();
      const now = performance.now();
      const answer: FetchAnswer = {
        id: job.id,
        status: response.status,
        text,
        elapsedMs: now - started,
        endedAtMs: performance.timeOrigin + now,
      };
      port.postMessage(answer);
    })
    .catch((error: unknown) => port.postMessage({ id: job.id, error: String(error) } satisfies FetchAnswer));
});
