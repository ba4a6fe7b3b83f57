/**
 * A Bolt receiver whose HTTP side runs on its own worker thread (ack-worker.ts): Bolt's HTTPReceiver
 * there verifies, acks and forwards each request; here each forwarded body goes through
 * `app.processEvent`, so listeners, middleware and `respond` work as with Bolt's receiver in-thread.
 * The one difference: the ack has gone out before a listener runs, so `ack()` here sends nothing.
 * Kanaria never answers in the ack (its replies go by response URL or the Web API); an ack called with a
 * body is logged as lost rather than silently dropped.
 *
 * Why a thread: acks must not wait for the main thread, which drives every deployment (DESIGN §10).
 *
 * A thread that dies while listening (it should not: the door in front of Bolt, slack-request-gate.ts,
 * keeps bodies Bolt cannot handle away from it) is replaced by a new one on the same port, so the bot
 * is never left running with a port that refuses every connection, `/healthz` included. Requests in
 * flight on the dead thread are lost (Slack retries events; a person sees their command fail). A thread
 * that keeps dying, or cannot listen again, is given up on through `onFailure`, and the process exits.
 */
import type { Worker } from "node:worker_threads";
import type { App, Receiver } from "@slack/bolt";
import type { Logger } from "../engine/logger.js";
import { startModuleWorker } from "../module-worker.js";
import type { AckWorkerCommand, AckWorkerData, AckWorkerMessage, MetricsAnswer } from "./ack-worker.js";

export interface AckThreadReceiverOptions {
  signingSecret: string;
  logger: Logger;
  /** How long `/healthz` waits for the main thread before answering 503. Default 2000 ms. */
  healthTimeoutMs?: number;
  /**
   * Restarts allowed within a minute after the receiving thread died on its own (default 5). Past it,
   * or when a new thread cannot listen, the receiver gives up and calls `onFailure`.
   */
  maxRestartsPerMinute?: number;
  /** Called after a thread that died was replaced by a new one listening on the same port. */
  onRestart?: (port: number) => void;
  /**
   * Called when the receiver gave up: no more Slack requests arrive, and `/healthz` refuses connections.
   * The process must not go on half alive: the caller stops it with a non-zero exit code.
   */
  onFailure?: (error: Error) => void;
}

const RESTART_WINDOW_MS = 60_000;

export class AckThreadReceiver implements Receiver {
  private app: App | undefined;
  private worker: Worker | undefined;
  private stopping = false;
  private port = 0;
  /** When the thread was restarted, within the last minute (wall clock: thread deaths are real). */
  private restarts: number[] = [];
  /** Callers of `injectCrash` waiting for the outcome. */
  private recovery: { resolve: (port: number) => void; reject: (error: Error) => void }[] = [];
  private readonly log: Logger;
  /** What `/metrics` serves; none until `serveMetrics` is called (404). */
  private metrics: (() => Promise<{ contentType: string; text: string }>) | undefined;

  constructor(private readonly options: AckThreadReceiverOptions) {
    this.log = options.logger.child({ component: "slack-receiver" });
  }

  init(app: App): void {
    this.app = app;
  }

  /** `/metrics` answers with what `source` gives, rendered on the main thread at each scrape. */
  serveMetrics(source: () => Promise<{ contentType: string; text: string }>): void {
    this.metrics = source;
  }

  /** Listens on `port` (0: any free port) and resolves with the port bound. */
  async start(port: number): Promise<number> {
    if (this.worker) throw new Error("the Slack receiver is already started");
    this.stopping = false;
    this.restarts = [];
    this.port = await this.spawn(port);
    return this.port;
  }

  /**
   * Test hook: the receiving thread dies of an uncaught error, as it would of a bug in it or in Bolt.
   * Resolves with the port once a new thread listens there; rejects with the error given to
   * `onFailure` when the receiver gives up instead.
   */
  injectCrash(): Promise<number> {
    const worker = this.worker;
    if (!worker) return Promise.reject(new Error("the Slack receiver is not running"));
    const recovered = new Promise<number>((resolve, reject) => {
      this.recovery.push({ resolve, reject });
    });
    worker.postMessage({ type: "crash" } satisfies AckWorkerCommand);
    return recovered;
  }

  /** A thread listening on `port`; resolves with the port bound once it listens. */
  private spawn(port: number): Promise<number> {
    const workerData: AckWorkerData = {
      signingSecret: this.options.signingSecret,
      port,
      healthTimeoutMs: this.options.healthTimeoutMs ?? 2000,
    };
    // A small young generation: the thread's garbage is a few KB per request.
    const worker = startModuleWorker(import.meta.url, "ack-worker", {
      workerData,
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
    });
    this.worker = worker;
    return new Promise<number>((resolve, reject) => {
      let listening = false;
      let failure: Error | undefined;
      worker.on("message", (message: AckWorkerMessage) => {
        if (message.type === "listening") {
          listening = true;
          resolve(message.port);
        } else if (message.type === "failed") {
          failure = new Error(`the Slack receiver could not listen on port ${port}: ${message.error}`);
          reject(failure);
        } else {
          this.handle(worker, message);
        }
      });
      // An uncaught error comes as `error`, then `exit`; only at `exit` has the thread let go of the
      // port, so that a new thread can listen on it.
      worker.on("error", (error) => {
        failure ??= error;
      });
      worker.on("exit", (code) => {
        if (this.worker === worker) this.worker = undefined;
        const error = failure ?? new Error(`the Slack receiver thread exited (code ${code})`);
        if (!listening) return reject(error);
        if (!this.stopping) this.restart(error);
      });
    });
  }

  /** Replaces a thread that died while listening, on the same port, unless it keeps dying. */
  private restart(error: Error): void {
    const now = Date.now();
    this.restarts = this.restarts.filter((at) => now - at < RESTART_WINDOW_MS);
    const limit = this.options.maxRestartsPerMinute ?? 5;
    if (this.restarts.length >= limit) {
      this.giveUp(
        new Error(`the Slack receiver thread died ${limit + 1} times within a minute`, { cause: error }),
      );
      return;
    }
    this.restarts.push(now);
    this.log.error({ err: error }, "the Slack receiver thread died; starting a new one on the same port");
    this.spawn(this.port).then(
      (port) => {
        if (this.stopping) return;
        this.log.info({ port }, "the Slack receiver is listening again");
        this.options.onRestart?.(port);
        for (const waiting of this.recovery.splice(0)) waiting.resolve(port);
      },
      (failed: Error) => {
        if (!this.stopping) this.giveUp(failed);
      },
    );
  }

  private giveUp(error: Error): void {
    this.log.error(
      { err: error },
      "the Slack receiver stopped for good: no more Slack requests are received",
    );
    this.options.onFailure?.(error);
    for (const waiting of this.recovery.splice(0)) waiting.reject(error);
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.stopping = true;
    const stopped = new Promise<void>((resolve) => {
      worker.on("message", (message: AckWorkerMessage) => {
        if (message.type === "stopped") resolve();
      });
      worker.once("exit", () => resolve());
    });
    worker.postMessage({ type: "stop" } satisfies AckWorkerCommand);
    await stopped;
    this.worker = undefined;
    await worker.terminate();
  }

  private handle(worker: Worker, message: AckWorkerMessage): void {
    switch (message.type) {
      case "event":
        this.dispatch(message.body, message.retryNum, message.retryReason);
        return;
      case "ping":
        worker.postMessage({ type: "pong", id: message.id } satisfies AckWorkerCommand);
        return;
      case "log":
        this.log[message.level](message.message);
        return;
      case "metrics":
        void this.scrape().then((answer) =>
          worker.postMessage({ type: "metrics", id: message.id, answer } satisfies AckWorkerCommand),
        );
        return;
      default:
        return;
    }
  }

  private async scrape(): Promise<MetricsAnswer> {
    if (!this.metrics) return { status: 404, contentType: "text/plain", body: "no metrics here\n" };
    try {
      const { contentType, text } = await this.metrics();
      return { status: 200, contentType, body: text };
    } catch (error) {
      this.log.error({ err: error }, "rendering /metrics failed");
      return { status: 500, contentType: "text/plain", body: "rendering the metrics failed\n" };
    }
  }

  private dispatch(body: Record<string, unknown>, retryNum?: number, retryReason?: string): void {
    const app = this.app;
    if (!app) {
      this.log.error("a Slack request arrived before the app was attached to its receiver; dropped");
      return;
    }
    app
      .processEvent({
        body,
        ...(retryNum !== undefined ? { retryNum } : {}),
        ...(retryReason !== undefined ? { retryReason } : {}),
        customProperties: {},
        ack: async (response?: unknown) => {
          if (response !== undefined && response !== "") {
            this.log.warn("an ack with a body was not delivered: the receiver thread had acked already");
          }
        },
      })
      .catch((error: unknown) => this.log.error({ err: error }, "handling a Slack request failed"));
  }
}
