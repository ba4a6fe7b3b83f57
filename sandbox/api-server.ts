/**
 * One request's path through a sandbox API server, whatever the protocol: decode the operation and its
 * input, apply injected faults (an outage window's refused, reset or held connection; latency, then
 * throttling or 5xx), catch the world up to now, run the operation, encode the answer or AWS-shaped
 * error, and log the call. The protocol (ECS JSON 1.1, ELBv2 Query/XML) only decodes and encodes.
 *
 * Calls that got no answer are logged with status 0 and the window's kind as `errorCode` (`refuse`,
 * `reset`, `hang` when the client gave up on a held call); connections refused on arrival, before any
 * request was read, as operation `(connection)`.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { ApiCallLog } from "./api-call-log.js";
import { ApiError } from "./api-error.js";
import type { Faults, HideableKind, InjectedError, SandboxService } from "./faults.js";
import { HeldRequests } from "./held-requests.js";
import { delay, newRequestId, readBody, signedRegion } from "./sandbox-http.js";
import type { SandboxWorld } from "./sandbox-world.js";

export interface ApiServerDeps {
  world: SandboxWorld;
  faults: Faults;
  log: ApiCallLog;
}

/** What an operation handler gets besides its input. */
export interface CallContext {
  world: SandboxWorld;
  /** From the request's SigV4 credential scope, else the sandbox's region. */
  region: string;
  /** True when eventual consistency still hides a resource of `kind` created at `createdAt`. */
  hidden(kind: HideableKind, createdAt: number): boolean;
}

export interface EncodedResponse {
  status: number;
  contentType: string;
  body: string;
  headers?: Record<string, string>;
}

export interface ApiProtocol<Output> {
  service: SandboxService;
  /** The operation's name and raw input; throws ApiError for malformed requests. */
  decode(request: IncomingMessage, body: string): { operation: string; input: unknown };
  run(operation: string, ctx: CallContext, input: unknown): Output;
  encode(operation: string, output: Output, requestId: string): EncodedResponse;
  encodeError(error: ApiError, requestId: string): EncodedResponse;
  /** The protocol's codes for injected faults. */
  injected(error: InjectedError): ApiError;
}

export function createApiServer<Output>(deps: ApiServerDeps, protocol: ApiProtocol<Output>): Server {
  const held = new HeldRequests(() => deps.world.now());
  const server = createServer((request, response) => {
    void handle(deps, protocol, held, request).then((encoded) => {
      // The client may have gone (a timed-out SDK call); there is no one left to tell.
      if (encoded === "dropped" || response.destroyed) return;
      response.writeHead(encoded.status, {
        "content-type": encoded.contentType,
        "content-length": Buffer.byteLength(encoded.body),
        ...encoded.headers,
      });
      response.end(encoded.body);
    });
  });
  server.on("connection", (socket) => {
    const now = deps.world.now();
    if (!deps.faults.refusesConnections(protocol.service, now)) return;
    socket.destroy();
    deps.log.record({
      service: protocol.service,
      operation: "(connection)",
      atMs: now,
      status: 0,
      errorCode: "refuse",
    });
  });
  server.on("close", () => held.dropAll());
  return server;
}

async function handle<Output>(
  { world, faults, log }: ApiServerDeps,
  protocol: ApiProtocol<Output>,
  held: HeldRequests,
  request: IncomingMessage,
): Promise<EncodedResponse | "dropped"> {
  const requestId = newRequestId();
  let operation = "(unknown)";
  let encoded: EncodedResponse;
  let errorCode: string | undefined;
  const dropped = (kind: string): "dropped" => {
    log.record({ service: protocol.service, operation, atMs: world.now(), status: 0, errorCode: kind });
    return "dropped";
  };
  try {
    const body = await readBody(request);
    const decoded = protocol.decode(request, body);
    operation = decoded.operation;
    let plan = faults.plan(protocol.service, operation, world.now());
    // A held call is planned again when its window ends: another window may have begun.
    while (plan.connection?.kind === "hang") {
      if (!(await held.hold(plan.connection.until, request.socket))) return dropped("hang");
      plan = faults.plan(protocol.service, operation, world.now());
    }
    if (plan.connection?.kind === "refuse") {
      request.socket.destroy();
      return dropped("refuse");
    }
    if (plan.connection?.kind === "reset") {
      request.socket.resetAndDestroy();
      return dropped("reset");
    }
    await delay(plan.delayMs);
    if (plan.error) throw protocol.injected(plan.error);
    world.catchUp();
    const ctx: CallContext = {
      world,
      region: signedRegion(request) ?? world.config.region,
      hidden: (kind, createdAt) => world.now() - createdAt < faults.hiddenFor(kind),
    };
    encoded = protocol.encode(operation, protocol.run(operation, ctx, decoded.input), requestId);
  } catch (error) {
    const apiError =
      error instanceof ApiError
        ? error
        : new ApiError(
            "InternalFailure",
            `sandbox bug: ${error instanceof Error ? error.message : String(error)}`,
            500,
          );
    errorCode = apiError.code;
    encoded = protocol.encodeError(apiError, requestId);
  }
  log.record({ service: protocol.service, operation, atMs: world.now(), status: encoded.status, errorCode });
  return { ...encoded, headers: { "x-amzn-requestid": requestId, ...encoded.headers } };
}
