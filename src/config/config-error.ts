/**
 * Exceptional configuration failures at run time (a secret that cannot be read, a query variable that
 * validation should have caught). Expected problems in files are diagnostics, never exceptions.
 */
export type ConfigErrorCode =
  | "SECRET_ENV_UNSET"
  | "SECRET_FILE_UNREADABLE"
  | "SECRET_EMPTY"
  | "QUERY_TEMPLATE_INVALID"
  | "QUERY_VARIABLE_MISSING";

export class ConfigError extends Error {
  override readonly name = "ConfigError";

  constructor(
    readonly code: ConfigErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
