/**
 * Decoding what clients send to the sandbox Slack: Web API arguments (form-encoded or JSON, as Slack
 * accepts both; in a form, structured arguments such as `blocks`, `files`, `view` and `metadata` are
 * JSON strings), and the bytes of a file upload (raw, or `multipart/form-data` as `@slack/web-api`'s
 * `files.uploadV2` sends them).
 */
import type { IncomingMessage } from "node:http";

/** Uploads above this are refused (Kanaria's chart PNGs are a few tens of KB). */
const MAX_BODY_BYTES = 20 * 1024 * 1024;

/** Arguments Slack accepts as JSON strings inside a form body. */
const JSON_ARGUMENTS = new Set(["blocks", "attachments", "files", "view", "metadata"]);

export function readBytes(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error("request body too large"));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

export type DecodedArgs = { ok: true; args: Record<string, unknown> } | { ok: false; error: string };

/**
 * Web API arguments from a body. A malformed JSON argument is Slack's `invalid_<name>_format`
 * (`invalid_blocks_format`), a malformed JSON body `invalid_json`.
 */
export function decodeArgs(contentType: string | undefined, body: Buffer): DecodedArgs {
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  const text = body.toString("utf8");
  if (type === "application/json") {
    if (text.trim() === "") return { ok: true, args: {} };
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        return { ok: false, error: "invalid_json" };
      }
      return { ok: true, args: parsed as Record<string, unknown> };
    } catch {
      return { ok: false, error: "invalid_json" };
    }
  }
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    if (JSON_ARGUMENTS.has(key)) {
      try {
        args[key] = JSON.parse(value);
      } catch {
        return { ok: false, error: `invalid_${key}_format` };
      }
    } else args[key] = value;
  }
  return { ok: true, args };
}

/**
 * The file's bytes from an upload POST: the first file part of a multipart body (what `files.uploadV2`
 * sends), else the whole body.
 */
export function uploadedBytes(contentType: string | undefined, body: Buffer): Buffer {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? "");
  const marker = boundary?.[1] ?? boundary?.[2];
  if (!contentType?.toLowerCase().startsWith("multipart/form-data") || marker === undefined) return body;
  const delimiter = Buffer.from(`--${marker}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    const part = body.subarray(start + delimiter.length, next);
    const headerEnd = part.indexOf("\r\n\r\n");
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString("utf8");
      // A part's content ends with the CRLF that precedes the next delimiter.
      const content = part.subarray(headerEnd + 4, part.length - 2);
      if (/filename=/i.test(headers) || /name="(file|body)"/i.test(headers)) return Buffer.from(content);
    }
    start = next;
  }
  return body;
}
