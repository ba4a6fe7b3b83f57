/**
 * A loopback HTTP server that answers the Prometheus HTTP API with bodies a test scripts, byte for byte
 * in the documented shapes, and records what the provider sent (path, parameters, headers).
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { closeServer, listen } from "../../../sandbox/sandbox-http.js";

export interface SeenRequest {
  method: string;
  path: string;
  params: URLSearchParams;
  headers: IncomingHttpHeaders;
}

export interface ScriptedAnswer {
  status?: number;
  /** A JSON value (serialized) or raw text. */
  body: unknown;
  headers?: Record<string, string>;
  /** Never answer (the client must time out). */
  hang?: boolean;
}

export interface ScriptedPrometheus {
  url: string;
  seen: SeenRequest[];
  /** The answer to every following request. */
  answer(next: ScriptedAnswer): void;
  close(): Promise<void>;
}

export async function startScriptedPrometheus(): Promise<ScriptedPrometheus> {
  const seen: SeenRequest[] = [];
  let current: ScriptedAnswer = { body: { status: "success", data: { resultType: "vector", result: [] } } };
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://fixture.invalid");
    seen.push({
      method: request.method ?? "GET",
      path: url.pathname,
      params: url.searchParams,
      headers: request.headers,
    });
    const { status = 200, body, headers = {}, hang } = current;
    if (hang) return;
    const text = typeof body === "string" ? body : JSON.stringify(body);
    response.writeHead(status, { "content-type": "application/json", ...headers });
    response.end(text);
  });
  const url = await listen(server, "127.0.0.1", 0);
  return { url, seen, answer: (next) => (current = next), close: () => closeServer(server) };
}

/** A success envelope around `data`. */
export function success(data: unknown, warnings?: string[]): unknown {
  return { status: "success", data, ...(warnings ? { warnings } : {}) };
}

/** An error envelope as Prometheus sends it. */
export function failure(errorType: string, error: string): unknown {
  return { status: "error", errorType, error };
}
