/**
 * Slack's Socket Mode in the sandbox: `apps.connections.open` (with the app-level `xapp-` token) hands
 * out a `ws://` URL on the sandbox server; the app connects, gets `hello`, and then receives what Slack
 * would otherwise POST to its request URL as envelopes (`slash_commands`, `interactive`, `events_api`),
 * each of which it must acknowledge by sending `{"envelope_id": …}` back. `deliver` sends one envelope
 * to the most recent open connection and resolves with the acknowledgement's payload.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { acceptWebSocket, type WebSocketConnection } from "./websocket-connection.js";

export type EnvelopeType = "slash_commands" | "interactive" | "events_api";

export interface DeliveredEnvelope {
  envelopeId: string;
  type: EnvelopeType;
  /** Whether the app acknowledged it before the timeout. */
  acked: boolean;
  /** The `payload` the acknowledgement carried (a slash command's immediate answer), if any. */
  ackPayload: unknown;
}

/** Server pings keep the client's own "server went quiet" timer (30 s in @slack/socket-mode) happy. */
const SERVER_PING_MS = 10_000;

export class SlackSocketMode {
  private readonly connections: WebSocketConnection[] = [];
  private readonly waiting = new Map<string, (payload: unknown) => void>();
  private readonly delivered: DeliveredEnvelope[] = [];
  private next = 1;

  constructor(
    private readonly appId: string,
    private readonly baseUrl: () => string,
  ) {}

  /** What `apps.connections.open` answers. */
  openUrl(): string {
    return `${this.baseUrl().replace(/^http/, "ws")}/socket-mode/${this.next++}`;
  }

  /** Takes an HTTP upgrade of a `/socket-mode/…` path; says hello once connected. */
  upgrade(request: IncomingMessage, socket: Duplex): void {
    const connection = acceptWebSocket(request, socket);
    if (!connection) return;
    this.connections.push(connection);
    const pinger = setInterval(() => connection.ping(), SERVER_PING_MS);
    pinger.unref();
    connection.onClose(() => clearInterval(pinger));
    connection.onText((text) => this.acknowledged(text));
    connection.sendText(
      JSON.stringify({
        type: "hello",
        num_connections: this.openConnections(),
        debug_info: { host: "kanaria-sandbox", build_number: 1, approximate_connection_time: 3600 },
        connection_info: { app_id: this.appId },
      }),
    );
  }

  openConnections(): number {
    return this.connections.filter((c) => c.isOpen).length;
  }

  /** Every envelope sent so far, oldest first. */
  envelopes(): readonly DeliveredEnvelope[] {
    return this.delivered;
  }

  /**
   * Sends one envelope to the newest open connection; resolves once the app acknowledges it, or after
   * `timeoutMs` (real time) with `acked: false`. Rejects when no app is connected.
   */
  deliver(type: EnvelopeType, payload: unknown, timeoutMs = 3_000): Promise<DeliveredEnvelope> {
    const connection = [...this.connections].reverse().find((c) => c.isOpen);
    if (!connection) return Promise.reject(new Error("no app is connected over Socket Mode"));
    const envelopeId = `env-${this.next++}`;
    return new Promise((resolve) => {
      const finish = (acked: boolean, ackPayload: unknown) => {
        clearTimeout(timer);
        this.waiting.delete(envelopeId);
        const envelope: DeliveredEnvelope = { envelopeId, type, acked, ackPayload };
        this.delivered.push(envelope);
        resolve(envelope);
      };
      const timer = setTimeout(() => finish(false, undefined), timeoutMs);
      this.waiting.set(envelopeId, (ackPayload) => finish(true, ackPayload));
      connection.sendText(
        JSON.stringify({
          envelope_id: envelopeId,
          type,
          payload,
          accepts_response_payload: type === "slash_commands",
          ...(type === "events_api" ? { retry_attempt: 0, retry_reason: "" } : {}),
        }),
      );
    });
  }

  close(): void {
    for (const connection of this.connections) connection.close();
  }

  private acknowledged(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof message !== "object" || message === null) return;
    const { envelope_id: id, payload } = message as { envelope_id?: unknown; payload?: unknown };
    if (typeof id === "string") this.waiting.get(id)?.(payload);
  }
}
