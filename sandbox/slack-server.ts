/**
 * The sandbox Slack: a Web API server on loopback that `@slack/web-api`'s WebClient (and so Bolt) talks
 * to with `slackApiUrl` set to `apiUrl`. Routes:
 *
 * - `POST /api/<method>`: the Web API (slack-methods.ts); form-encoded or JSON bodies; the bot token as
 *   `Authorization: Bearer …` (or a `token` argument), else `not_authed` / `invalid_auth`;
 * - `POST /upload/<file id>`: the upload URL handed out by `files.getUploadURLExternal`;
 * - `POST /respond/<id>`: response URLs of slash commands and clicks (slack-response-urls.ts);
 * - `GET /files/<file id>/<name>`: a shared file's bytes (`url_private`, bot token required).
 *
 * Slack's HTTP conventions: errors are HTTP 200 with `{ok: false, error}`; over a rate limit
 * (slack-rate-limits.ts) or in an injected channel storm (slack-faults.ts) it is HTTP 429 with
 * `Retry-After` and `{ok: false, error: "ratelimited"}`; `faults.down()` answers 503 to everything.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { REQUIRED_BOT_SCOPES } from "../src/slack/required-scopes.js";
import { closeServer, listen } from "./sandbox-http.js";
import { SlackCallLog } from "./slack-call-log.js";
import { SlackFaults } from "./slack-faults.js";
import { channelOf, fail, runSlackMethod } from "./slack-methods.js";
import { type RateLimitConfig, SlackRateLimiter } from "./slack-rate-limits.js";
import { decodeArgs, readBytes, uploadedBytes } from "./slack-request-body.js";
import { handleResponseUrl } from "./slack-response-urls.js";
import { SlackSocketMode } from "./slack-socket-mode.js";
import {
  type SlackChannelSpec,
  type SlackUsergroupSpec,
  type SlackUserSpec,
  SlackWorkspace,
} from "./slack-workspace.js";

export interface SandboxSlackOptions {
  /** The only token the Web API accepts (`xoxb-…`). */
  botToken: string;
  /** The app-level token (`xapp-…`) `apps.connections.open` accepts: Socket Mode. None: no Socket Mode. */
  appToken?: string;
  /** Kept for the signed client: the secret the bot verifies requests with. */
  signingSecret: string;
  /** Default `T0KANARIA`. */
  teamId?: string;
  /** Default `kanaria-sandbox`. */
  teamDomain?: string;
  /** Default `A0KANARIA`. */
  appId?: string;
  /** The bot's user id (`U…`), what `auth.test` answers. */
  botUserId: string;
  /** Default `B0KANARIA`. */
  botId?: string;
  /** The bot's handle (default `kanaria`). */
  botName?: string;
  users: SlackUserSpec[];
  usergroups?: SlackUsergroupSpec[];
  channels: SlackChannelSpec[];
  /** World time for timestamps, rate limits and fault windows (default: real time). */
  clock?: { now(): number };
  /** Per-method overrides of Slack's limits; `null` switches a method's limit off. */
  rateLimits?: Partial<RateLimitConfig>;
  /**
   * The bot token's granted scopes, sent as `x-oauth-scopes` on every Web API answer as Slack does
   * (`check-config --online` compares them with the manifest). Default: exactly what manifest.yml asks.
   */
  botScopes?: readonly string[];
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
}

export interface SandboxSlack {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** `${url}/api/`: what WebClient's `slackApiUrl` takes. */
  apiUrl: string;
  signingSecret: string;
  workspace: SlackWorkspace;
  faults: SlackFaults;
  calls: SlackCallLog;
  /** Socket Mode connections and the envelopes sent over them. */
  socketMode: SlackSocketMode;
  server: Server;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

interface Answer {
  status: number;
  body: Record<string, unknown> | Buffer;
  headers?: Record<string, string>;
  /** What to log; undefined for requests that are not logged (404s). */
  log?: { method: string; args: Record<string, unknown> };
}

interface ServerDeps {
  workspace: SlackWorkspace;
  faults: SlackFaults;
  calls: SlackCallLog;
  limiter: SlackRateLimiter;
  botToken: string;
  botScopes: readonly string[];
  appToken: string | undefined;
  socketMode: SlackSocketMode;
  clock: { now(): number };
  /** Set once listening. */
  baseUrl: () => string;
}

/** Starts the sandbox Slack on loopback. */
export async function startSandboxSlack(options: SandboxSlackOptions): Promise<SandboxSlack> {
  const clock = options.clock ?? { now: () => Date.now() };
  const workspace = new SlackWorkspace({
    teamId: options.teamId ?? "T0KANARIA",
    teamDomain: options.teamDomain ?? "kanaria-sandbox",
    appId: options.appId ?? "A0KANARIA",
    botUserId: options.botUserId,
    botId: options.botId ?? "B0KANARIA",
    ...(options.botName !== undefined ? { botName: options.botName } : {}),
    users: options.users,
    ...(options.usergroups ? { usergroups: options.usergroups } : {}),
    channels: options.channels,
    clock,
  });
  const faults = new SlackFaults(clock);
  const calls = new SlackCallLog();
  let baseUrl = "";
  const socketMode = new SlackSocketMode(options.appId ?? "A0KANARIA", () => baseUrl);
  const server = createSlackServer({
    workspace,
    faults,
    calls,
    limiter: new SlackRateLimiter(options.rateLimits ?? {}),
    botToken: options.botToken,
    botScopes: options.botScopes ?? REQUIRED_BOT_SCOPES,
    appToken: options.appToken,
    socketMode,
    clock,
    baseUrl: () => baseUrl,
  });
  baseUrl = await listen(server, options.host ?? "127.0.0.1", options.port ?? 0);
  return {
    url: baseUrl,
    apiUrl: `${baseUrl}/api/`,
    signingSecret: options.signingSecret,
    workspace,
    faults,
    calls,
    socketMode,
    server,
    close: () => {
      socketMode.close();
      return closeServer(server);
    },
  };
}

function createSlackServer(deps: ServerDeps): Server {
  const server = createServer((request, response) => {
    void answer(deps, request).then(
      (result) => send(response, result),
      (error: unknown) =>
        send(response, { status: 500, body: fail("internal_error", { detail: String(error) }) }),
    );
  });
  server.on("upgrade", (request: IncomingMessage, socket: Duplex) => {
    if (deps.appToken !== undefined && (request.url ?? "").startsWith("/socket-mode/")) {
      deps.socketMode.upgrade(request, socket);
    } else {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
    }
  });
  return server;
}

function send(response: ServerResponse, { status, body, headers }: Answer): void {
  if (response.destroyed) return;
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  response.writeHead(status, {
    "content-type": Buffer.isBuffer(body) ? "application/octet-stream" : "application/json; charset=utf-8",
    "content-length": bytes.length,
    ...headers,
  });
  response.end(bytes);
}

async function answer(deps: ServerDeps, request: IncomingMessage): Promise<Answer> {
  const body = await readBytes(request);
  const url = new URL(request.url ?? "/", "http://sandbox.invalid");
  const result = await route(deps, request, url, body);
  if (result.log) {
    const error =
      !Buffer.isBuffer(result.body) && typeof result.body.error === "string" ? result.body.error : undefined;
    deps.calls.record({ ...result.log, status: result.status, error, atMs: deps.clock.now() });
  }
  return result;
}

async function route(deps: ServerDeps, request: IncomingMessage, url: URL, body: Buffer): Promise<Answer> {
  const [, area, id] = /^\/(api|upload|respond|files)\/([^/]+)/.exec(url.pathname) ?? [];
  if (area === undefined || id === undefined) return { status: 404, body: fail("not_found") };
  const method = area === "api" ? id : area;
  if (area === "files") {
    if (request.method !== "GET") return { status: 405, body: fail("method_not_allowed") };
  } else if (request.method !== "POST") return { status: 405, body: fail("method_not_allowed") };

  if (area === "api") return apiCall(deps, request, method, body);
  // Uploads and response URLs name no channel; only `down` applies to them.
  if (deps.faults.take(undefined)?.kind === "down") {
    return { status: 503, body: fail("service_unavailable"), log: { method, args: { id } } };
  }
  if (area === "upload") {
    const file = deps.workspace.file(id);
    if (!file) return { status: 404, body: fail("file_not_found"), log: { method, args: { id } } };
    file.bytes = uploadedBytes(request.headers["content-type"], body);
    return { status: 200, body: Buffer.from(`OK - ${file.bytes.length}`), log: { method, args: { id } } };
  }
  if (area === "respond") {
    const result = handleResponseUrl(deps.workspace, id, body.toString("utf8"));
    return { ...result, log: { method, args: { id } } };
  }
  const file = deps.workspace.file(id);
  if (bearer(request) !== deps.botToken) return { status: 403, body: fail("invalid_auth") };
  if (!file?.bytes || file.channel === undefined) return { status: 404, body: fail("file_not_found") };
  return { status: 200, body: file.bytes };
}

async function apiCall(
  deps: ServerDeps,
  request: IncomingMessage,
  method: string,
  body: Buffer,
): Promise<Answer> {
  const decoded = decodeArgs(request.headers["content-type"], body);
  const args = decoded.ok ? decoded.args : {};
  const { token, ...logged } = args;
  const log = { method, args: logged };
  const channel = channelOf(args);
  const fault = deps.faults.take(channel);
  if (fault?.kind === "down") return { status: 503, body: fail("service_unavailable"), log };
  if (!decoded.ok) return { status: 200, body: fail(decoded.error), log };
  const presented = bearer(request) ?? (typeof token === "string" && token !== "" ? token : undefined);
  if (presented === undefined) return { status: 200, body: fail("not_authed"), log };
  if (method === "apps.connections.open") {
    // Only the app-level token opens a Socket Mode connection; the bot token is the wrong kind.
    if (deps.appToken === undefined || presented !== deps.appToken) {
      return {
        status: 200,
        body: fail(presented === deps.botToken ? "not_allowed_token_type" : "invalid_auth"),
        log,
      };
    }
    return { status: 200, body: { ok: true, url: deps.socketMode.openUrl() }, log };
  }
  if (presented !== deps.botToken) return { status: 200, body: fail("invalid_auth"), log };
  if (fault?.kind === "ratelimit") return rateLimited(fault.retryAfterSeconds, log);
  const decision = deps.limiter.admit(method, channel, deps.clock.now());
  if (!decision.allowed) return rateLimited(decision.retryAfterSeconds, log);
  const result = runSlackMethod(method, args, { workspace: deps.workspace, baseUrl: deps.baseUrl() });
  return { status: 200, body: result, log, headers: { "x-oauth-scopes": deps.botScopes.join(",") } };
}

function rateLimited(retryAfterSeconds: number, log: Answer["log"]): Answer {
  return {
    status: 429,
    body: fail("ratelimited"),
    headers: { "retry-after": String(retryAfterSeconds) },
    ...(log ? { log } : {}),
  };
}

function bearer(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  const match = typeof header === "string" ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}
