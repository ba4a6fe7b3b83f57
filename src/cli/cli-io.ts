import type { Env } from "../config/read-secret.js";

/** What a CLI command may touch: its output streams, working directory and environment (passed in for tests). */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  cwd: string;
  /** Where secrets given as `{env: X}` are looked up; the process environment (read by config/) when left out. */
  env?: Env;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); long-running commands await it. */
  stopSignal(): Promise<void>;
  /** Whether stdout is a terminal (readable logs there, JSON elsewhere); false when left out. */
  stdoutIsTTY?: boolean;
}

/** A usage mistake: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
