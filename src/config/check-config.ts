/**
 * `kanaria check-config`: loads everything and prints one line per problem in the format editors and CI
 * annotate (`file:line:col: severity: field.path: message`), then a summary. Exit code 1 iff errors.
 */
import * as path from "node:path";
import { loadConfigDetailed } from "./load-config.js";
import type { Env } from "./read-secret.js";
import type { Diagnostic } from "./types.js";

export interface CheckOptions {
  env?: Env;
  /** Paths are printed relative to this folder; defaults to the process's working directory. */
  cwd?: string;
  /**
   * Read every secret kanaria.yaml refers to and report those that cannot be read (values are never
   * printed). On by default: a config check that passes must not be refused by `serve` for a secret.
   */
  checkSecrets?: boolean;
}

export interface CheckResult {
  lines: string[];
  exitCode: 0 | 1;
}

export async function checkConfig(file: string, options: CheckOptions = {}): Promise<CheckResult> {
  const cwd = options.cwd ?? process.cwd();
  const result = await loadConfigDetailed(path.resolve(cwd, file), {
    env: options.env ?? process.env,
    checkSecrets: options.checkSecrets ?? true,
  });
  const lines = result.diagnostics.map((d) => formatDiagnostic(d, cwd));
  const errors = result.diagnostics.filter((d) => d.severity === "error").length;
  const warnings = result.diagnostics.length - errors;
  lines.push(`${count(errors, "error")}, ${count(warnings, "warning")} in ${count(result.appCount, "app")}`);
  return { lines, exitCode: errors > 0 ? 1 : 0 };
}

export function formatDiagnostic(d: Diagnostic, cwd: string): string {
  const file = path.relative(cwd, d.file) || d.file;
  const field = d.path === "" ? "" : `${d.path}: `;
  return `${file}:${d.line}:${d.col}: ${d.severity}: ${field}${d.message}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
