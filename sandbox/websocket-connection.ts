/**
 * The server side of a WebSocket (RFC 6455), just enough for the sandbox's Socket Mode: the opening
 * handshake on an HTTP upgrade, text messages both ways (fragmented ones reassembled), ping answered
 * with pong, close answered with close. No extensions are accepted (so no compression is negotiated).
 * Frames from the client are masked, as the RFC requires; frames to it are not.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";

const HANDSHAKE_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

export class WebSocketConnection {
  private buffered = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private readonly listeners: Array<(text: string) => void> = [];
  private readonly closeListeners: Array<() => void> = [];
  private closed = false;

  constructor(private readonly socket: Duplex) {
    socket.on("data", (chunk: Buffer) => this.receive(chunk));
    socket.on("close", () => this.markClosed());
    socket.on("error", () => this.markClosed());
  }

  /** Calls `listener` with every whole text message. */
  onText(listener: (text: string) => void): void {
    this.listeners.push(listener);
  }

  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  sendText(text: string): void {
    this.sendFrame(OP_TEXT, Buffer.from(text, "utf8"));
  }

  ping(): void {
    this.sendFrame(OP_PING, Buffer.alloc(0));
  }

  /** A close frame, then the end of the connection. */
  close(): void {
    if (this.closed) return;
    this.sendFrame(OP_CLOSE, Buffer.from([0x03, 0xe8]));
    this.socket.end();
    this.markClosed();
  }

  private sendFrame(opcode: number, payload: Buffer): void {
    if (this.closed) return;
    const length = payload.length;
    const header =
      length < 126
        ? Buffer.from([0x80 | opcode, length])
        : length < 65_536
          ? Buffer.from([0x80 | opcode, 126, length >> 8, length & 0xff])
          : Buffer.concat([Buffer.from([0x80 | opcode, 127]), bigEndian64(length)]);
    this.socket.write(Buffer.concat([header, payload]));
  }

  private receive(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    for (;;) {
      const frame = readFrame(this.buffered);
      if (!frame) return;
      this.buffered = this.buffered.subarray(frame.size);
      this.handle(frame);
    }
  }

  private handle(frame: Frame): void {
    if (frame.opcode === OP_PING) {
      this.sendFrame(OP_PONG, frame.payload);
      return;
    }
    if (frame.opcode === OP_PONG) return;
    if (frame.opcode === OP_CLOSE) {
      this.close();
      return;
    }
    if (frame.opcode === OP_TEXT || frame.opcode === OP_CONTINUATION) {
      this.fragments.push(frame.payload);
      if (!frame.fin) return;
      const text = Buffer.concat(this.fragments).toString("utf8");
      this.fragments = [];
      for (const listener of this.listeners) listener(text);
    }
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    for (const listener of this.closeListeners) listener();
  }
}

/**
 * Completes the opening handshake of an HTTP upgrade; undefined (after answering 400) when the request
 * is not a WebSocket upgrade.
 */
export function acceptWebSocket(request: IncomingMessage, socket: Duplex): WebSocketConnection | undefined {
  const key = request.headers["sec-websocket-key"];
  const upgrade = request.headers.upgrade;
  if (typeof key !== "string" || typeof upgrade !== "string" || upgrade.toLowerCase() !== "websocket") {
    socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    return undefined;
  }
  const accept = createHash("sha1")
    .update(key + HANDSHAKE_GUID)
    .digest("base64");
  socket.write(
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  return new WebSocketConnection(socket);
}

interface Frame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
  /** Bytes the frame took in the buffer. */
  size: number;
}

/** The first whole frame in `buffer`, unmasked; undefined while it has not all arrived. */
function readFrame(buffer: Buffer): Frame | undefined {
  if (buffer.length < 2) return undefined;
  const first = buffer[0] as number;
  const second = buffer[1] as number;
  let offset = 2;
  let length = second & 0x7f;
  if (length === 126) {
    if (buffer.length < 4) return undefined;
    length = buffer.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return undefined;
    length = Number(buffer.readBigUInt64BE(2));
    offset = 10;
  }
  const masked = (second & 0x80) !== 0;
  const maskAt = offset;
  if (masked) offset += 4;
  if (buffer.length < offset + length) return undefined;
  const payload = Buffer.from(buffer.subarray(offset, offset + length));
  if (masked) {
    for (let i = 0; i < payload.length; i++) {
      payload[i] = (payload[i] as number) ^ (buffer[maskAt + (i % 4)] as number);
    }
  }
  return { fin: (first & 0x80) !== 0, opcode: first & 0x0f, payload, size: offset + length };
}

function bigEndian64(n: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64BE(BigInt(n));
  return out;
}
