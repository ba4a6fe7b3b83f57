/**
 * The sandbox CloudWatch on the wire protocol the SDK in the lockfile speaks: @aws-sdk/client-cloudwatch
 * 3.1178 defaults to AWS JSON 1.0 (`AwsJson1_0Protocol`, runtimeConfig.shared.js) with
 * `awsQueryCompatible`: `POST /` with `X-Amz-Target: GraniteServiceVersion20100801.<Op>`,
 * `Content-Type: application/x-amz-json-1.0` and `x-amzn-query-mode: true`. Errors are JSON
 * `{"__type", "message"}` plus `x-amzn-query-error: <Code>;<Sender|Receiver>`, from which the SDK names
 * the error with CloudWatch's Query-era code (`AccessDenied`, `InvalidParameterValue`, `Throttling`).
 *
 * Only GetMetricData is served (cloudwatch-get-metric-data.ts), from the sandbox's metric store. `deny`
 * makes an operation answer AccessDenied, as for an identity without the permission.
 */
import type { Server } from "node:http";
import { ApiError } from "./api-error.js";
import { type ApiServerDeps, createApiServer } from "./api-server.js";
import { getMetricData } from "./cloudwatch-get-metric-data.js";
import type { CloudWatchSource } from "./cloudwatch-metric-source.js";

const TARGET_PREFIX = "GraniteServiceVersion20100801.";
const CONTENT_TYPE = "application/x-amz-json-1.0";
const OPERATIONS = ["GetMetricData"];

export interface CloudWatchServerOptions {
  source: CloudWatchSource;
  /** Datapoints per GetMetricData page (default CloudWatch's 100,800). */
  pageSize?: number;
}

export interface CloudWatchAccess {
  /** Answers `operation` with AccessDenied until the returned function is called. */
  deny(operation: string): () => void;
}

export function createCloudWatchServer(
  deps: ApiServerDeps,
  options: CloudWatchServerOptions,
): { server: Server; access: CloudWatchAccess } {
  const denied = new Set<string>();
  const pageSize = options.pageSize ?? 100_800;
  const server = createApiServer<unknown>(deps, {
    service: "cloudwatch",
    decode(request, body) {
      const target = request.headers["x-amz-target"];
      const operation =
        typeof target === "string" && target.startsWith(TARGET_PREFIX)
          ? target.slice(TARGET_PREFIX.length)
          : "";
      if (request.method !== "POST" || !OPERATIONS.includes(operation)) {
        throw new ApiError("InvalidAction", `Could not find operation ${String(target)}`, 400);
      }
      try {
        return { operation, input: JSON.parse(body || "{}") as unknown };
      } catch {
        throw new ApiError("SerializationException", "Request body is not valid JSON", 400);
      }
    },
    run(operation, _ctx, input) {
      if (denied.has(operation)) {
        throw new ApiError(
          "AccessDenied",
          `User: arn:aws:iam::123456789012:user/sandbox is not authorized to perform: cloudwatch:${operation} because no identity-based policy allows the cloudwatch:${operation} action`,
          403,
        );
      }
      return getMetricData(options.source, input, { pageSize });
    },
    encode(_operation, output) {
      return { status: 200, contentType: CONTENT_TYPE, body: JSON.stringify(output) };
    },
    encodeError(error) {
      const fault = error.status >= 500 ? "Receiver" : "Sender";
      return {
        status: error.status,
        contentType: CONTENT_TYPE,
        body: JSON.stringify({ __type: `com.amazonaws.cloudwatch#${error.code}`, message: error.message }),
        headers: { "x-amzn-query-error": `${error.code};${fault}` },
      };
    },
    injected(error) {
      if (error.kind === "throttle") return new ApiError("Throttling", "Rate exceeded", 400);
      return error.status === 500
        ? new ApiError("InternalServiceError", "Internal service error.", 500)
        : new ApiError("ServiceUnavailable", "Service Unavailable", 503);
    },
  });
  return {
    server,
    access: {
      deny(operation) {
        denied.add(operation);
        return () => denied.delete(operation);
      },
    },
  };
}
