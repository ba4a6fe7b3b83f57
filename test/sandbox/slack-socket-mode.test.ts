/**
 * The sandbox's Socket Mode over a real WebSocket client: hello, envelopes and their acknowledgements,
 * and the protocol limits `ws` enforces for the sandbox (maximum message size, UTF-8, non-upgrades).
 */
import { request } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import type { SandboxSlack } from "../../sandbox/slack-server.js";
import { MAX_APP_MESSAGE_BYTES } from "../../sandbox/slack-socket-mode.js";
import { startTestSlack } from "./slack-fixture.js";

let slack: SandboxSlack;

beforeEach(async () => {
  slack = await startTestSlack({ appToken: "xapp-sandbox" });
});

afterEach(async () => {
  await slack.close();
});

interface Connected {
  socket: WebSocket;
  hello: Record<string, unknown>;
  /** Text messages after the hello, in order. */
  messages: Array<Record<string, unknown>>;
  closed: Promise<{ code: number }>;
}

async function connect(): Promise<Connected> {
  const socket = new WebSocket(slack.socketMode.openUrl());
  const messages: Array<Record<string, unknown>> = [];
  const closed = new Promise<{ code: number }>((resolve) => socket.on("close", (code) => resolve({ code })));
  const hello = await new Promise<Record<string, unknown>>((resolve, reject) => {
    socket.once("error", reject);
    socket.on("message", (data) => {
      const message = JSON.parse(data.toString()) as Record<string, unknown>;
      if (message.type === "hello") resolve(message);
      else messages.push(message);
    });
  });
  return { socket, hello, messages, closed };
}

describe("sandbox Socket Mode", () => {
  it("says hello, delivers an envelope and resolves with the app's acknowledgement", async () => {
    const app = await connect();
    expect(app.hello).toMatchObject({ type: "hello", num_connections: 1 });
    expect(slack.socketMode.openConnections()).toBe(1);
    app.socket.on("message", (data) => {
      const envelope = JSON.parse(data.toString()) as { envelope_id: string };
      app.socket.send(JSON.stringify({ envelope_id: envelope.envelope_id, payload: { text: "on it" } }));
    });
    const delivered = await slack.socketMode.deliver("slash_commands", { command: "/deploy" });
    expect(delivered).toMatchObject({ type: "slash_commands", acked: true, ackPayload: { text: "on it" } });
    expect(app.messages[0]).toMatchObject({
      envelope_id: delivered.envelopeId,
      type: "slash_commands",
      payload: { command: "/deploy" },
      accepts_response_payload: true,
    });
  });

  it("closes a connection that sends a message over the maximum size with 1009", async () => {
    const app = await connect();
    app.socket.send("x".repeat(MAX_APP_MESSAGE_BYTES + 1));
    expect((await app.closed).code).toBe(1009);
    expect(slack.socketMode.openConnections()).toBe(0);
    await expect(slack.socketMode.deliver("events_api", {})).rejects.toThrow(/no app is connected/);
  });

  it("closes a connection that sends a text message that is not UTF-8 with 1007", async () => {
    const app = await connect();
    app.socket.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect((await app.closed).code).toBe(1007);
  });

  it("answers a plain GET of a socket URL without upgrading it", async () => {
    const response = await fetch(slack.socketMode.openUrl().replace(/^ws/, "http"));
    // Not an upgrade: the sandbox's HTTP side answers it like any unknown path.
    expect(response.status).toBe(404);
  });

  it("turns away an upgrade that is not a WebSocket handshake with 400", async () => {
    const url = new URL(slack.socketMode.openUrl().replace(/^ws/, "http"));
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(url, { headers: { connection: "Upgrade", upgrade: "websocket" } });
      req.on("response", (res) => resolve(res.statusCode ?? 0));
      req.on("upgrade", () => reject(new Error("upgraded without a key")));
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(400);
  });

  it("closes every connection normally when the sandbox closes", async () => {
    const app = await connect();
    slack.socketMode.close();
    expect((await app.closed).code).toBe(1000);
  });
});
