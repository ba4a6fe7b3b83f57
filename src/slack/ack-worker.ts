/**
 * Worker-thread entry of the HTTP receiver (see ack-thread-receiver.ts). Bolt's own HTTPReceiver runs
 * here, behind a door (slack-request-gate.ts) that turns away forged requests and timestamps more than
 * five minutes from now either way (401) and bodies that are not a Slack payload object (400). Bolt
 * answers `ssl_check` and `url_verification`, parses the body, and hands every other request to the
 * `processEvent` below, which acks at once (the empty 200 Slack waits for) and passes the parsed body to
 * the main thread, where the app's listeners do the work. The bot's main thread drives deployments and
 * writes SQLite; a command arriving while it is busy would otherwise wait for it to finish before even
 * its ack went out (DESIGN §10: p99 < 100 ms with 50 concurrent commands).
 *
 * `/healthz` answers 200 only when the main thread answers a ping within `healthTimeoutMs`: a receiver
 * that acks while the engine is stuck is not healthy.
 *
 * `/metrics` (Prometheus) asks the main thread for the registry's text over the same channel: the
 * metrics live there, and a scrape waits for the main thread without holding any ack.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { parentPort, workerData } from "node:worker_threads";
// Bolt's public index, though this thread needs its receiver alone: the index costs the thread some
// 30 MB and half a second at start-up (once, before it listens), and private `dist/` paths would
// break on any Bolt release that moves them.
import { type App, HTTPReceiver, LogLevel, type Logger as SlackLogger } from "@slack/bolt";
import { gateSlackRequests } from "./slack-request-gate.js";

export interface AckWorkerData {
  signingSecret: string;
  port: number;
  healthTimeoutMs: number;
}

/** Worker → main thread. */
export type AckWorkerMessage =
  | { type: "listening"; port: number }
  | { type: "failed"; error: string }
  | { type: "event"; body: Record<string, unknown>; retryNum?: number; retryReason?: string }
  | { type: "ping"; id: number }
  | { type: "metrics"; id: number }
  | { type: "log"; level: "debug" | "info" | "warn" | "error"; message: string }
  | { type: "stopped" };

/**
 * Main thread → worker. `crash` is a test hook: the thread dies of an uncaught error, as it would of a
 * bug, so that the main thread's recovery can be tested (AckThreadReceiver.injectCrash).
 */
export type AckWorkerCommand =
  | { type: "pong"; id: number }
  | { type: "stop" }
  | { type: "crash" }
  | { type: "metrics"; id: number; answer: MetricsAnswer };

/** The main thread's answer to a scrape: the exposition text, or why there is none. */
export interface MetricsAnswer {
  status: number;
  contentType: string;
  body: string;
}

const ENDPOINT = "/slack/events";
const port = parentPort;
if (!port) throw new Error("ack-worker.ts runs as a worker thread (ack-thread-receiver.ts starts it)");
const data = workerData as AckWorkerData;
const send = (message: AckWorkerMessage) => port.postMessage(message);

const pings = new Map<number, () => void>();
let nextPing = 1;

/** Resolves true when the main thread answered within the timeout. */
function mainThreadAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    const id = nextPing++;
    const timer = setTimeout(() => {
      pings.delete(id);
      resolve(false);
    }, data.healthTimeoutMs);
    pings.set(id, () => {
      clearTimeout(timer);
      resolve(true);
    });
    send({ type: "ping", id });
  });
}

const scrapes = new Map<number, (answer: MetricsAnswer) => void>();

/** The metrics text from the main thread, or a 503 when it does not answer within the health timeout. */
function metricsFromMainThread(): Promise<MetricsAnswer> {
  return new Promise((resolve) => {
    const id = nextPing++;
    const timer = setTimeout(() => {
      scrapes.delete(id);
      resolve({
        status: 503,
        contentType: "text/plain",
        body: `the bot's main thread did not answer within ${data.healthTimeoutMs} ms\n`,
      });
    }, data.healthTimeoutMs);
    scrapes.set(id, (answer) => {
      clearTimeout(timer);
      resolve(answer);
    });
    send({ type: "metrics", id });
  });
}

const receiver = new HTTPReceiver({
  signingSecret: data.signingSecret,
  endpoints: ENDPOINT,
  processBeforeResponse: false,
  logger: forwardingLogger(),
  customRoutes: [
    {
      path: "/healthz",
      method: ["GET"],
      handler: (_req, res) => {
        void mainThreadAnswers().then((alive) => {
          res.writeHead(alive ? 200 : 503, { "content-type": "text/plain" });
          res.end(
            alive ? "ok\n" : `the bot's main thread did not answer within ${data.healthTimeoutMs} ms\n`,
          );
        });
      },
    },
    {
      path: "/metrics",
      method: ["GET"],
      handler: (_req, res) => {
        void metricsFromMainThread().then((answer) => {
          res.writeHead(answer.status, { "content-type": answer.contentType });
          res.end(answer.body);
        });
      },
    },
  ],
});

// Bolt's server calls the receiver's public `requestListener` for every request: the door goes in front
// of it (Bolt has no hook that runs before its own signature check).
receiver.requestListener = gateSlackRequests(receiver.requestListener, {
  signingSecret: data.signingSecret,
  endpoint: ENDPOINT,
  log: (level, message) => send({ type: "log", level, message }),
});

// The receiver only ever calls `processEvent` on the app it is given.
receiver.init({
  processEvent: async (event: {
    body: Record<string, unknown>;
    ack: () => Promise<void>;
    retryNum?: number;
    retryReason?: string;
  }) => {
    await event.ack();
    send({
      type: "event",
      body: event.body,
      ...(event.retryNum !== undefined ? { retryNum: event.retryNum } : {}),
      ...(event.retryReason !== undefined ? { retryReason: event.retryReason } : {}),
    });
  },
} as unknown as App);

port.on("message", (command: AckWorkerCommand) => {
  if (command.type === "pong") {
    pings.get(command.id)?.();
    pings.delete(command.id);
    return;
  }
  if (command.type === "metrics") {
    scrapes.get(command.id)?.(command.answer);
    scrapes.delete(command.id);
    return;
  }
  if (command.type === "crash") {
    setImmediate(() => {
      throw new Error("a crash injected into the Slack receiver thread");
    });
    return;
  }
  const stopped = receiver.stop();
  // Kept-alive connections would hold the close for seconds; the acks on them have all been sent.
  server?.closeAllConnections();
  void stopped.then(
    () => send({ type: "stopped" }),
    () => send({ type: "stopped" }),
  );
});

let server: Server | undefined;
receiver.start(data.port).then(
  (started: Server) => {
    server = started;
    send({ type: "listening", port: (started.address() as AddressInfo).port });
  },
  (error: unknown) => send({ type: "failed", error: error instanceof Error ? error.message : String(error) }),
);

/** Bolt's logger interface, its lines sent to the main thread's logger. */
function forwardingLogger(): SlackLogger {
  const order = [LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR];
  let level = LogLevel.INFO;
  const at =
    (name: LogLevel) =>
    (...parts: unknown[]) => {
      if (order.indexOf(name) < order.indexOf(level)) return;
      send({ type: "log", level: name, message: parts.map(String).join(" ") });
    };
  return {
    debug: at(LogLevel.DEBUG),
    info: at(LogLevel.INFO),
    warn: at(LogLevel.WARN),
    error: at(LogLevel.ERROR),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
