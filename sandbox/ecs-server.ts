/**
 * ECS's wire protocol, AWS JSON 1.1: `POST /` with `X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Op>`
 * and a JSON body; answers `application/x-amz-json-1.1`. Errors are HTTP 4xx/5xx with
 * `{"__type": "<Code>", "message": "…"}` plus the `x-amzn-ErrorType` header; the SDK reads `__type` and
 * names the error after it (`ClusterNotFoundException`, or `ThrottlingException` for injected throttling).
 */
import type { Server } from "node:http";
import { ApiError } from "./api-error.js";
import { type ApiServerDeps, createApiServer } from "./api-server.js";
import { ecsOperations } from "./ecs-operations.js";
import type { Json } from "./ecs-views.js";

const TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113.";
const CONTENT_TYPE = "application/x-amz-json-1.1";

export function createEcsServer(deps: ApiServerDeps): Server {
  return createApiServer<Json>(deps, {
    service: "ecs",
    decode(request, body) {
      const target = request.headers["x-amz-target"];
      const operation =
        typeof target === "string" && target.startsWith(TARGET_PREFIX)
          ? target.slice(TARGET_PREFIX.length)
          : "";
      if (request.method !== "POST" || !Object.hasOwn(ecsOperations, operation)) {
        throw new ApiError("UnknownOperationException", `Unknown operation ${String(target)}`);
      }
      try {
        return { operation, input: JSON.parse(body || "{}") as unknown };
      } catch {
        throw new ApiError("SerializationException", "Request body is not valid JSON");
      }
    },
    run(operation, ctx, input) {
      const handler = ecsOperations[operation];
      if (!handler) throw new ApiError("UnknownOperationException", `Unknown operation ${operation}`);
      return handler(ctx, input);
    },
    encode(_operation, output) {
      return { status: 200, contentType: CONTENT_TYPE, body: JSON.stringify(output) };
    },
    encodeError(error) {
      return {
        status: error.status,
        contentType: CONTENT_TYPE,
        body: JSON.stringify({ __type: error.code, message: error.message }),
        headers: { "x-amzn-errortype": error.code },
      };
    },
    injected(error) {
      if (error.kind === "throttle") return new ApiError("ThrottlingException", "Rate exceeded", 400);
      return error.status === 500
        ? new ApiError("ServerException", "Service encountered an internal error.", 500)
        : new ApiError("ServiceUnavailableException", "Service Unavailable", 503);
    },
  });
}
