/**
 * Worker-thread side of remote-fetch.ts: sends each request it is given on its own event loop, and
 * reports the status, the body and how long the bot took to answer (request start → body read),
 * measured here where nothing else competes for the loop.
 *
 * It sends with `node:http` and a keep-alive agent rather than `fetch`: the sender stands in for Slack's
 * servers, which do not run on the bot's CPU, and undici's fetch costs about as much CPU per request
 * as the bot's receiver does to verify and ack it. On a 2-core machine that cost would be measured as
 * the bot's latency.
 */
import { Agent, request } from "node:http";
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
const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

port.on("message", (job: FetchJob) => {
  const started = performance.now();
  const fail = (error: unknown) =>
    port.postMessage({ id: job.id, error: String(error) } satisfies FetchAnswer);
  const body = job.body === undefined ? undefined : Buffer.from(job.body);
  const outgoing = request(
    job.url,
    {
      method: job.method,
      agent,
      headers: { ...job.headers, ...(body ? { "content-length": String(body.length) } : {}) },
    },
    (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", fail);
      response.on("end", () => {
        const now = performance.now();
        port.postMessage({
          id: job.id,
          status: response.statusCode ?? 0,
          text: Buffer.concat(chunks).toString("utf8"),
          elapsedMs: now - started,
          endedAtMs: performance.timeOrigin + now,
        } satisfies FetchAnswer);
      });
    },
  );
  outgoing.on("error", fail);
  outgoing.end(body);
});
