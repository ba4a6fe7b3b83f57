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
import { MINUTE_MS } from "./metric-store.js";

const TARGET_PREFIX = "GraniteServiceVersion20100801.";
const CONTENT_TYPE = "application/x-amz-json-1.0";
const OPERATIONS = ["GetMetricData"];

export interface CloudWatchServerOptions {
  source: CloudWatchSource;
  /** Datapoints per GetMetricData page (default CloudWatch's 100,800). */
  pageSize?: number;
  /**
   * How long after a minute ends its datapoint is published (default 0: as the minute closes). ELB
   * sends CloudWatch its metrics at one-minute intervals and they show up a little later; a real
   * CloudWatch serves the minute [t, t+60 s) from about t + 60 s + this delay, never before.
   */
  publishDelayMs?: number;
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
  const delayMs = options.publishDelayMs ?? 0;
  const source =
    delayMs > 0 ? publishedSource(options.source, delayMs, () => deps.world.clock.now()) : options.source;
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
      return getMetricData(source, input, { pageSize });
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

/** `source` without the minutes that are not published yet at `now()` (see `publishDelayMs`). */
function publishedSource(source: CloudWatchSource, delayMs: number, now: () => number): CloudWatchSource {
  return {
    seriesByTagSet(metric, filter, fromMs, toMs) {
      // A minute t is published once t + 1 min + delay ≤ now, i.e. t < the minute that holds now − delay.
      const publishedBefore = Math.floor((now() - delayMs) / MINUTE_MS) * MINUTE_MS;
      const until = Math.min(toMs, publishedBefore);
      return until > fromMs ? source.seriesByTagSet(metric, filter, fromMs, until) : [];
    },
  };
}
