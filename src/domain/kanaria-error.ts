/**
 * The error type for exceptional outcomes (DESIGN §11). Expected outcomes — a refused command, a failed
 * analysis — are values, not errors. `code` is stable and meant for programs; `message` is for people.
 *
 * `transient` says whether waiting can heal the failure (a 5xx, throttling, a refused or reset
 * connection, a timeout) or not (access denied, a resource that is gone, a request AWS rejects as
 * invalid). The runner retries transient failures with backoff and asks people at once about the others.
 */
export class KanariaError extends Error {
  readonly code: string;
  readonly transient: boolean;

  constructor(code: string, message: string, options?: { cause?: unknown; transient?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "KanariaError";
    this.code = code;
    this.transient = options?.transient ?? false;
  }
}

/**
 * Whether waiting may heal `error`. A KanariaError says so itself; anything else thrown by a port
 * (a raw network error that escaped an adapter) is presumed transient: retrying it is safe, and a
 * failure that persists is shown to people while it is retried.
 */
export function isTransient(error: unknown): boolean {
  return error instanceof KanariaError ? error.transient : true;
}
