/**
 * The door in front of Bolt's HTTPReceiver (it runs in the receiver's thread, ack-worker.ts): every POST
 * to the events endpoint is read, its signature checked and its body parsed here first, and only a
 * signed request whose body is a Slack payload object reaches Bolt. Two gaps of Bolt 5.1's receiver are
 * closed this way, with Bolt's own functions:
 *
 * - Bolt turns away timestamps more than five minutes old but takes any timestamp in the future, so a
 *   request signed ahead of time (or captured from a skewed clock) stays valid for as long as its signer
 *   chose. Slack's rule is |now − timestamp| ≤ 5 minutes, both ways: 401 otherwise.
 * - Bolt reads `body.ssl_check` from whatever the body parses to: a signed `null` (a JSON body, or a
 *   form's `payload=null`) threw in its request handler, which killed the receiving thread. A body that
 *   is not a JSON object gets 400 here — after the signature check, so an unsigned request learns
 *   nothing but 401.
 *
 * What passes goes to Bolt's listener already read (Bolt uses the buffered body as it is), and Bolt
 * checks the signature again: its own checks stay on behind this one.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { parse as parseQuery } from "node:querystring";
import { HTTPModuleFunctions as httpFunctions, verifySlackRequest } from "@slack/bolt";

/** Slack's window for a request timestamp, either side of now. */
export const SIGNATURE_WINDOW_SECONDS = 5 * 60;

export interface SlackRequestGateOptions {
  signingSecret: string;
  /** The path Slack posts to (`/slack/events`); other requests (`/healthz`) pass untouched. */
  endpoint: string;
  /** Largest body read, in bytes (Bolt's default, 4 MB, when absent). */
  bodyLimit?: number;
  /** Wall-clock time in ms: Slack signs with real time, so this is real time too (tests may move it). */
  now?: () => number;
  /** Why a request was turned away (no secrets, no bodies). */
  log: (level: "warn" | "error", message: string) => void;
}

type BufferedRequest = IncomingMessage & { rawBody: Buffer };

/** Bolt's `requestListener` behind the door. */
export function gateSlackRequests(next: RequestListener, options: SlackRequestGateOptions): RequestListener {
  const now = options.now ?? Date.now;
  const bodyLimit = options.bodyLimit ?? httpFunctions.defaultBodyLimit;

  const refuse = (res: ServerResponse, status: number, why: string) => {
    options.log("warn", `Slack request refused (${status}): ${why}`);
    httpFunctions.buildNoBodyResponse(res, status);
  };

  const admit = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let buffered: BufferedRequest;
    try {
      buffered = await httpFunctions.bufferIncomingMessage(req, bodyLimit);
    } catch (error) {
      const tooLarge = httpFunctions.isRawBodyError(error) && error.statusCode === 413;
      return refuse(res, tooLarge ? 413 : 400, `the body could not be read: ${messageOf(error)}`);
    }
    const text = buffered.rawBody.toString();
    const form = req.headers["content-type"] === "application/x-www-form-urlencoded";
    // Slack's ssl_check is unsigned: Bolt answers it and drops the rest of such a body itself.
    if (form && parseQuery(text).ssl_check === "1") return next(buffered, res);

    const timestamp = Number(singleHeader(req, "x-slack-request-timestamp"));
    const signature = singleHeader(req, "x-slack-signature");
    if (!Number.isFinite(timestamp) || signature === undefined) {
      return refuse(res, 401, "no signature or no timestamp");
    }
    const nowMs = now();
    if (Math.abs(Math.floor(nowMs / 1000) - timestamp) > SIGNATURE_WINDOW_SECONDS) {
      return refuse(res, 401, "the timestamp is more than 5 minutes from now (stale, or in the future)");
    }
    try {
      verifySlackRequest({
        signingSecret: options.signingSecret,
        body: text,
        headers: { "x-slack-signature": signature, "x-slack-request-timestamp": timestamp },
        nowMilliseconds: nowMs,
      });
    } catch (error) {
      return refuse(res, 401, messageOf(error));
    }

    let body: unknown;
    try {
      body = httpFunctions.parseHTTPRequestBody(buffered);
    } catch {
      // Not the parser's message: it quotes the body, which is not for the operators' log.
      const type = req.headers["content-type"] ?? "no content type";
      return refuse(res, 400, `the body does not parse as ${type}`);
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      return refuse(res, 400, `the body is ${describe(body)}, not a Slack payload object`);
    }
    return next(buffered, res);
  };

  return (req, res) => {
    if (!isEndpointPost(req, options.endpoint)) return next(req, res);
    admit(req, res).catch((error: unknown) => {
      // Nothing above should throw; if something does, this request fails and the thread lives on.
      options.log("error", `a Slack request failed at the door: ${messageOf(error)}`);
      if (!res.headersSent) httpFunctions.buildNoBodyResponse(res, 500);
      else res.end();
    });
  };
}

function isEndpointPost(req: IncomingMessage, endpoint: string): boolean {
  if (req.method?.toUpperCase() !== "POST") return false;
  try {
    return new URL(req.url ?? "/", "http://localhost").pathname === endpoint;
  } catch {
    // Bolt routes a URL it cannot parse to its error handler; so does passing it on.
    return false;
  }
}

function singleHeader(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === "string" ? value : undefined;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
