/**
 * An AWS API error raised by the sandbox world: `code` is AWS's error code as the protocol carries it
 * (ECS: `ClusterNotFoundException`; ELBv2: `ListenerNotFound`), `status` the HTTP status. The ECS and
 * ELBv2 servers turn it into their protocol's error body, from which the SDK builds an error whose
 * `name` is the modelled exception (`ClusterNotFoundException`, `ListenerNotFoundException`) or, for
 * codes the SDK does not model (`ThrottlingException`, `Throttling`, `ValidationError`), the code itself.
 */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status = 400) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.status = status;
  }
}
