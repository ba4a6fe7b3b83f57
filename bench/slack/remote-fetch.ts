/**
 * A `fetch` for the sandbox's signed client that sends from a worker thread (fetch-worker.ts). The bot
 * and the sandbox share the main thread's event loop, so a response timed there is read only when that
 * loop is free again — long after the bot wrote its ack to the socket. Timed on the worker's own loop,
 * the figure is what Slack would see: the time until the bot answered on the wire.
 */
import { startModuleWorker } from "../../src/module-worker.js";
import type { FetchAnswer, FetchJob } from "./fetch-worker.js";

export interface RemoteFetch {
  fetch: typeof fetch;
  /**
   * For a request body sent through `fetch`: request start → response read, measured in the worker,
   * and when it was read (ms since the epoch).
   */
  timing(body: string): { elapsedMs: number; endedAtMs: number } | undefined;
  close(): Promise<void>;
}

export function startRemoteFetch(): RemoteFetch {
  const worker = startModuleWorker(import.meta.url, "fetch-worker");
  worker.unref();
  const waiting = new Map<number, (answer: FetchAnswer) => void>();
  const timings = new Map<string, { elapsedMs: number; endedAtMs: number }>();
  worker.on("message", (answer: FetchAnswer) => {
    waiting.get(answer.id)?.(answer);
    waiting.delete(answer.id);
  });
  let next = 1;
  const remote = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const body = typeof init?.body === "string" ? init.body : undefined;
    const job: FetchJob = {
      id: next++,
      url: String(input),
      method: init?.method ?? "GET",
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      body,
    };
    const answer = await new Promise<FetchAnswer>((resolve) => {
      waiting.set(job.id, resolve);
      worker.postMessage(job);
    });
    if ("error" in answer) throw new Error(answer.error);
    if (body !== undefined) timings.set(body, { elapsedMs: answer.elapsedMs, endedAtMs: answer.endedAtMs });
    return new Response(answer.text, { status: answer.status });
  };
  return {
    fetch: remote as typeof fetch,
    timing: (body) => timings.get(body),
    close: async () => {
      await worker.terminate();
    },
  };
}
