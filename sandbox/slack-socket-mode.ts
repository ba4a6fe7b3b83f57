/**
 * Slack's Socket Mode in the sandbox: `apps.connections.open` (with the app-level `xapp-` token) hands
 * out a `ws://` URL on the sandbox server; the app connects, gets `hello`, and then receives what Slack
 * would otherwise POST to its request URL as envelopes (`slash_commands`, `interactive`, `events_api`),
 * each of which it must acknowledge by sending `{"envelope_id": …}` back. `deliver` sends one envelope
 * to the most recent open connection and resolves with the acknowledgement's payload.
 *
 * The WebSocket protocol is `ws`'s: the handshake, framing, ping/pong, a maximum message size (close
 * 1009 past it) and UTF-8 checks of text messages (close 1007) are its job, not the sandbox's.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";

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

/**
 * The largest message an app may send. An acknowledgement carries at most a slash command's answer
 * (50 blocks of at most 3,000 characters each), far below this; anything larger is a broken client.
 */
export const MAX_APP_MESSAGE_BYTES = 1024 * 1024;

export class SlackSocketMode {
  private readonly server = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_APP_MESSAGE_BYTES,
    // Slack's client does not ask for compression; offering none keeps the sandbox's frames plain.
    perMessageDeflate: false,
  });
  private readonly connections: WebSocket[] = [];
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

  /**
   * Takes an HTTP upgrade of a `/socket-mode/…` path (`head`: the bytes read past the request's
   * headers); says hello once connected. A request that is not a WebSocket upgrade gets ws's 400.
   */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.server.handleUpgrade(request, socket, head, (connection) => this.connected(connection));
  }

  openConnections(): number {
    return this.connections.filter((c) => c.readyState === WebSocket.OPEN).length;
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
    const connection = [...this.connections].reverse().find((c) => c.readyState === WebSocket.OPEN);
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
      connection.send(
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

  /** Closes every connection normally (1000); the app's client decides whether to reconnect. */
  close(): void {
    for (const connection of this.connections) connection.close(1000);
  }

  private connected(connection: WebSocket): void {
    this.connections.push(connection);
    const pinger = setInterval(() => connection.ping(), SERVER_PING_MS);
    pinger.unref();
    connection.on("close", () => clearInterval(pinger));
    // A protocol error (too large, bad UTF-8) closes the connection with its code; nothing to add here,
    // but an unhandled "error" event would crash the sandbox.
    connection.on("error", () => {});
    connection.on("message", (data, isBinary) => {
      if (!isBinary) this.acknowledged(data.toString());
    });
    connection.send(
      JSON.stringify({
        type: "hello",
        num_connections: this.openConnections(),
        debug_info: { host: "kanaria-sandbox", build_number: 1, approximate_connection_time: 3600 },
        connection_info: { app_id: this.appId },
      }),
    );
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
