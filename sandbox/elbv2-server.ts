/**
 * ELBv2's wire protocol, AWS Query: `POST /` with a form body `Action=<Op>&Version=2015-12-01&…`;
 * answers `text/xml`: `<OpResponse xmlns="…/2015-12-01/"><OpResult>…</OpResult><ResponseMetadata>
 * <RequestId>…</RequestId></ResponseMetadata></OpResponse>`. Errors are `<ErrorResponse><Error><Type>
 * Sender|Receiver</Type><Code>ListenerNotFound</Code><Message>…</Message></Error><RequestId>…
 * </RequestId></ErrorResponse>`; the SDK maps the code to the modelled exception
 * (`ListenerNotFoundException`) or, unmodelled, names the error after it (`Throttling`, `ValidationError`).
 */
import type { Server } from "node:http";
import { ApiError } from "./api-error.js";
import { type ApiServerDeps, createApiServer } from "./api-server.js";
import { elbv2Operations } from "./elbv2-operations.js";
import { parseQueryBody } from "./query-params.js";
import { escapeXml, xmlElement } from "./xml-writer.js";

const NAMESPACE = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";
const CONTENT_TYPE = "text/xml";

export function createElbv2Server(deps: ApiServerDeps): Server {
  return createApiServer<Record<string, unknown>>(deps, {
    service: "elbv2",
    decode(request, body) {
      const { Action, Version, ...input } = parseQueryBody(body);
      const operation = typeof Action === "string" ? Action : "";
      if (request.method !== "POST" || !Object.hasOwn(elbv2Operations, operation)) {
        throw new ApiError(
          "InvalidAction",
          `The action ${operation || "(none)"} is not valid for this web service.`,
        );
      }
      if (Version !== "2015-12-01") {
        throw new ApiError(
          "InvalidParameterValue",
          `Version '${String(Version)}' is not supported; use 2015-12-01.`,
        );
      }
      return { operation, input };
    },
    run(operation, ctx, input) {
      const handler = elbv2Operations[operation];
      if (!handler)
        throw new ApiError("InvalidAction", `The action ${operation} is not valid for this web service.`);
      return handler(ctx, input);
    },
    encode(operation, output, requestId) {
      const body =
        `<${operation}Response xmlns="${NAMESPACE}">` +
        xmlElement(`${operation}Result`, output) +
        `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>` +
        `</${operation}Response>`;
      return { status: 200, contentType: CONTENT_TYPE, body };
    },
    encodeError(error, requestId) {
      const type = error.status >= 500 ? "Receiver" : "Sender";
      const body =
        `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>${type}</Type>` +
        `<Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error>` +
        `<RequestId>${requestId}</RequestId></ErrorResponse>`;
      return { status: error.status, contentType: CONTENT_TYPE, body };
    },
    injected(error) {
      if (error.kind === "throttle") return new ApiError("Throttling", "Rate exceeded", 400);
      return error.status === 500
        ? new ApiError("InternalFailure", "An internal error has occurred.", 500)
        : new ApiError("ServiceUnavailable", "Service is unavailable.", 503);
    },
  });
}
