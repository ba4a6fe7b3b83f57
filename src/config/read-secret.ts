/**
 * Reads a secret from where kanaria.yaml says it lives. Only `src/config/` touches secret files and the
 * environment; callers get the value and nothing else. Error messages name the source (file path or
 * variable name), never the value.
 */
import { readFile } from "node:fs/promises";
import { ConfigError } from "./config-error.js";
import type { SecretSource } from "./types.js";

export type Env = Readonly<Record<string, string | undefined>>;

/** Human name of a secret source for messages: `file /run/secrets/x` or `environment variable X`. */
function describeSecretSource(source: SecretSource): string {
  return "file" in source ? `file ${source.file}` : `environment variable ${source.env}`;
}

/**
 * The secret's value with surrounding whitespace (a trailing newline in a file) removed.
 * Throws ConfigError SECRET_ENV_UNSET / SECRET_FILE_UNREADABLE / SECRET_EMPTY.
 */
export async function readSecret(source: SecretSource, env: Env = process.env): Promise<string> {
  let raw: string | undefined;
  if ("file" in source) {
    try {
      raw = await readFile(source.file, "utf8");
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException | undefined)?.code;
      const why =
        code === "ENOENT"
          ? "does not exist"
          : code === "EACCES"
            ? "is not readable (permission denied)"
            : "cannot be read";
      throw new ConfigError("SECRET_FILE_UNREADABLE", `secret file ${source.file} ${why}`, { cause });
    }
  } else {
    raw = env[source.env];
    if (raw === undefined) {
      throw new ConfigError("SECRET_ENV_UNSET", `environment variable ${source.env} is not set`);
    }
  }
  const value = raw.trim();
  if (value === "") throw new ConfigError("SECRET_EMPTY", `${describeSecretSource(source)} is empty`);
  return value;
}
