/**
 * A Bolt receiver whose HTTP side runs on its own worker thread (ack-worker.ts): Bolt's HTTPReceiver
 * there verifies, acks and forwards each request; here each forwarded body goes through
 * `app.processEvent`, so listeners, middleware and `respond` work as with Bolt's receiver in-thread.
 * The one difference: the ack has gone out before a listener runs, so `ack()` here sends nothing.
 * Kanaria never answers in the ack (its replies go by response URL or the Web API); an ack called with a
 * body is logged as lost rather than silently dropped.
 *
 * Why a thread: acks must not wait for the main thread, which drives every deployment (DESIGN §10).
 */
import type { Worker } from "node:worker_threads";
import type { App, Receiver } from "@slack/bolt";
import type { Logger } from "../engine/logger.js";
import { startModuleWorker } from "../module-worker.js";
import type { AckWorkerCommand, AckWorkerData, AckWorkerMessage } from "./ack-worker.js";

export interface AckThreadReceiverOptions {
  signingSecret: string;
  logger: Logger;
  /** How long `/healthz` waits for the main thread before answering 503. Default 2000 ms. */
  healthTimeoutMs?: number;
  /** Called when the receiving thread dies on its own: no more Slack requests arrive after it. */
  onFailure?: (error: Error) => void;
}

export class AckThreadReceiver implements Receiver {
  private app: App | undefined;
  private worker: Worker | undefined;
  private stopping = false;
  private readonly log: Logger;

  constructor(private readonly options: AckThreadReceiverOptions) {
    this.log = options.logger.child({ component: "slack-receiver" });
  }

  init(app: App): void {
    this.app = app;
  }

  /** Listens on `port` (0: any free port) and resolves with the port bound. */
  start(port: number): Promise<number> {
    if (this.worker) return Promise.reject(new Error("the Slack receiver is already started"));
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
    this.stopping = false;
    return new Promise<number>((resolve, reject) => {
      let listening = false;
      worker.on("message", (message: AckWorkerMessage) => {
        if (message.type === "listening") {
          listening = true;
          resolve(message.port);
        } else if (message.type === "failed") {
          reject(new Error(`the Slack receiver could not listen on port ${port}: ${message.error}`));
        } else {
          this.handle(worker, message);
        }
      });
      const gone = (error: Error) => {
        if (this.worker === worker) this.worker = undefined;
        if (!listening) return reject(error);
        if (this.stopping) return;
        this.log.error(
          { err: error },
          "the Slack receiver thread stopped: no more Slack requests are received",
        );
        this.options.onFailure?.(error);
      };
      worker.on("error", gone);
      worker.on("exit", (code) => gone(new Error(`the Slack receiver thread exited (code ${code})`)));
    });
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
      default:
        return;
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
