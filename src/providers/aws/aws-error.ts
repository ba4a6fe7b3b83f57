/**
 * AWS failures become KanariaErrors with a stable code (`AWS_<ErrorName>`, or `AWS_<errno>` for a
 * network error such as ECONNRESET) and the SDK error as cause, so the timeline says what AWS said and
 * operators' logs keep the request id.
 *
 * `transient` (can waiting heal it?) is the SDK's own classification, the one its retry middleware
 * uses (@smithy/core's service-error-classification): throttling (429, `Throttling`,
 * `ThrottlingException`, …) and transient errors (HTTP 500/502/503/504, `TimeoutError` from the
 * connect or request timeout, ECONNREFUSED, ECONNRESET — "socket hang up" —, EPIPE, ETIMEDOUT, DNS
 * failures, `$retryable` errors). Everything else AWS answered is not: AccessDenied, invalid
 * credentials, a cluster, service, listener, rule or target group that is not there, a request AWS
 * rejects (`InvalidParameterException`, `ValidationError`, `ClientException`). One addition: a failure
 * that got no HTTP answer at all and carries a system error code the SDK does not list (EHOSTDOWN,
 * ERR_STREAM_PREMATURE_CLOSE, …) is a network failure, hence transient.
 *
 * When access is denied, the message names the IAM permission to grant (`ecs:DescribeServices`,
 * `elasticloadbalancing:ModifyListener`): the one thing the person reading it needs.
 */
import { isThrottlingError, isTransientError } from "@smithy/core/retry";
import { KanariaError } from "../../domain/kanaria-error.js";

/** The IAM service prefix of an AWS API (the part before `:` in a permission). */
export type AwsService = "ecs" | "elasticloadbalancing" | "cloudwatch";

export function awsErrorName(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const name = (error as { name?: unknown }).name;
  return typeof name === "string" ? name : undefined;
}

interface SdkErrorFields {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

const ACCESS_DENIED = /AccessDenied|UnauthorizedOperation|NotAuthorized|AuthorizationError/;
const BAD_CREDENTIALS =
  /^(UnrecognizedClient(Exception)?|InvalidClientTokenId|SignatureDoesNotMatch|IncompleteSignature|ExpiredToken(Exception)?|MissingAuthenticationToken)$/;

/** Whether waiting can heal `error`, as the SDK itself judges it (see the header). */
export function isTransientAwsError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const sdk = error as Parameters<typeof isTransientError>[0];
  if (isThrottlingError(sdk) || isTransientError(sdk)) return true;
  const fields = error as SdkErrorFields;
  const answered = fields.$metadata?.httpStatusCode !== undefined;
  return !answered && typeof fields.code === "string" && /^(E[A-Z]+|ERR_[A-Z_]+)$/.test(fields.code);
}

export function wrapAwsError(service: AwsService, operation: string, error: unknown): KanariaError {
  if (error instanceof KanariaError) return error;
  const fields = (typeof error === "object" && error !== null ? error : {}) as SdkErrorFields;
  const rawName = awsErrorName(error) ?? "Error";
  const errno = typeof fields.code === "string" ? fields.code : undefined;
  // Node's network errors are all named "Error", and the SDK renames ECONNRESET, ECONNREFUSED and EPIPE
  // "TimeoutError": their errno is what tells them apart. A timeout proper keeps its name.
  const name =
    (rawName === "Error" || rawName === "TimeoutError") && errno && errno !== "ETIMEDOUT" ? errno : rawName;
  const message = error instanceof Error ? error.message : String(error);
  const attempts = fields.$metadata?.attempts;
  const tried = attempts !== undefined && attempts > 1 ? ` (after ${attempts} attempts)` : "";
  const permission = `${service}:${operation}`;
  let advice = "";
  if (ACCESS_DENIED.test(name)) advice = ` — grant ${permission} to the AWS identity Kanaria runs as`;
  else if (BAD_CREDENTIALS.test(name))
    advice =
      " — the AWS credentials Kanaria uses are invalid or expired; check its credentials file or profile";
  return new KanariaError(`AWS_${name}`, `${operation} failed${tried}: ${name}: ${message}${advice}`, {
    cause: error,
    transient: isTransientAwsError(error),
  });
}

/** Runs one AWS call, turning its failure into a KanariaError. */
export async function aws<T>(service: AwsService, operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw wrapAwsError(service, operation, error);
  }
}
