/**
 * A fault-injecting HTTP proxy in front of an AWS implementation that cannot inject faults itself
 * (moto_server), for tests: it forwards every request unchanged and applies the sandbox's outage windows
 * (sandbox/fault-windows.ts — refuse, reset, hang, 503, throttle; per service, optionally per
 * operation) on the time `now()` gives: real time by default, or a test's clock.
 *
 * It tells ECS from ELBv2 by the request itself (ECS's `X-Amz-Target:
 * AmazonEC2ContainerServiceV20141113.<Op>`, ELBv2's `Action=<Op>&Version=2015-12-01` form body);
 * anything else (EC2 set-up calls, moto's own API) passes through untouched. A service-wide `refuse`
 * window closes new connections on arrival when the proxy fronts only that service (`services`), since
 * before a request is read nothing says which service it is for; otherwise it closes them unanswered.
 * Held requests go on close().
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { type FaultService, FaultWindows } from "../../../sandbox/fault-windows.js";
import { HeldRequests } from "../../../sandbox/held-requests.js";
import { closeServer, listen, readBody } from "../../../sandbox/sandbox-http.js";
import { sendEcsError, sendElbv2Error } from "./aws-error-bodies.js";

const ECS_TARGET = "AmazonEC2ContainerServiceV20141113.";

export interface FaultProxyOptions {
  /** Where requests go, e.g. moto's `http://127.0.0.1:5000`. */
  target: string;
  /** The clock windows are read on (default: real time). */
  now?: () => number;
  /** The services whose calls come through this proxy (default both). */
  services?: readonly FaultService[];
}

export interface FaultProxy {
  endpoint: string;
  /** Add windows here (`windows.add({service, operation?, kind, from, until})`), clear them with `clear()`. */
  windows: FaultWindows;
  /** Requests passed to the target, per `service:operation` (e.g. `elbv2:ModifyListener`). */
  forwarded(key: string): number;
  close(): Promise<void>;
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const now = options.now ?? Date.now;
  const services = options.services ?? ["ecs", "elbv2"];
  const windows = new FaultWindows();
  const held = new HeldRequests(now);
  const counts = new Map<string, number>();
  const target = new URL(options.target);

  const server = createServer((request, response) => {
    void handle(request, response).catch(() => request.socket.destroy());
  });
  server.on("connection", (socket) => {
    const [only] = services;
    if (services.length === 1 && only && windows.refusesConnections(only, now())) socket.destroy();
  });
  server.on("close", () => held.dropAll());

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const call = identify(request, body);
    for (let window = call && windows.decide(call.service, call.operation, now()); call && window; ) {
      if (window.kind === "hang") {
        if (!(await held.hold(window.until, request.socket))) return;
        window = windows.decide(call.service, call.operation, now());
        continue;
      }
      if (window.kind === "refuse") request.socket.destroy();
      else if (window.kind === "reset") request.socket.resetAndDestroy();
      else injectError(call.service, window.kind, response);
      return;
    }
    if (call) {
      const key = `${call.service}:${call.operation}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    await forward(target, request, body, response);
  }

  const endpoint = await listen(server, "127.0.0.1", 0);
  return {
    endpoint,
    windows,
    forwarded: (key) => counts.get(key) ?? 0,
    close: () => closeServer(server),
  };
}

function identify(
  request: IncomingMessage,
  body: string,
): { service: FaultService; operation: string } | undefined {
  const target = request.headers["x-amz-target"];
  if (typeof target === "string" && target.startsWith(ECS_TARGET)) {
    return { service: "ecs", operation: target.slice(ECS_TARGET.length) };
  }
  const form = new URLSearchParams(body);
  const action = form.get("Action");
  if (action && form.get("Version") === "2015-12-01") return { service: "elbv2", operation: action };
  return undefined;
}

function injectError(service: FaultService, kind: "503" | "throttle", response: ServerResponse): void {
  if (service === "ecs") {
    if (kind === "503") sendEcsError(response, 503, "ServiceUnavailableException", "Service Unavailable");
    else sendEcsError(response, 400, "ThrottlingException", "Rate exceeded");
  } else if (kind === "503") sendElbv2Error(response, 503, "ServiceUnavailable", "Service is unavailable.");
  else sendElbv2Error(response, 400, "Throttling", "Rate exceeded");
}

function forward(
  target: URL,
  request: IncomingMessage,
  body: string,
  response: ServerResponse,
): Promise<void> {
  // The body is forwarded whole, so it is sent with a length rather than in chunks.
  const { "transfer-encoding": _chunked, ...headers } = request.headers;
  return new Promise((resolve, reject) => {
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: request.method,
        path: request.url,
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
        answer.on("end", resolve);
        answer.on("error", reject);
      },
    );
    upstream.on("error", reject);
    upstream.end(body);
  });
}
