/**
 * One request's path through a sandbox API server, whatever the protocol: decode the operation and its
 * input, apply injected faults (latency, then throttling or 5xx), catch the world up to now, run the
 * operation, encode the answer or AWS-shaped error, and log the call. The protocol (ECS JSON 1.1, ELBv2
 * Query/XML) only decodes and encodes.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { ApiCallLog } from "./api-call-log.js";
import { ApiError } from "./api-error.js";
import type { Faults, HideableKind, InjectedError, SandboxService } from "./faults.js";
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
  return createServer((request, response) => {
    void handle(deps, protocol, request).then((encoded) => {
      // The client may have gone (a timed-out SDK call); there is no one left to tell.
      if (response.destroyed) return;
      response.writeHead(encoded.status, {
        "content-type": encoded.contentType,
        "content-length": Buffer.byteLength(encoded.body),
        ...encoded.headers,
      });
      response.end(encoded.body);
    });
  });
}

async function handle<Output>(
  { world, faults, log }: ApiServerDeps,
  protocol: ApiProtocol<Output>,
  request: IncomingMessage,
): Promise<EncodedResponse> {
  const requestId = newRequestId();
  let operation = "(unknown)";
  let encoded: EncodedResponse;
  let errorCode: string | undefined;
  try {
    const body = await readBody(request);
    const decoded = protocol.decode(request, body);
    operation = decoded.operation;
    const plan = faults.plan(protocol.service, operation);
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
