/**
 * The operators' log (pino). Components take a child logger; tests pass `silentLogger()`.
 * Secrets are redacted by path in case one slips into a logged object.
 *
 * Two formats: JSON lines for log collectors (CloudWatch, Datadog, `jq`), and readable lines
 * (pino-pretty) for a person at a terminal. `logFormatFor` picks JSON whenever stdout is not a
 * terminal, unless told otherwise.
 */

import { type DestinationStream, pino } from "pino";
import { build as prettyStream } from "pino-pretty";

export type Logger = pino.Logger;

export const LOG_FORMATS = ["json", "pretty"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

const SECRET_KEYS = ["token", "botToken", "signingSecret", "appToken", "apiKey", "applicationKey", "secret"];

export interface LoggerOptions {
  level?: string;
  name?: string;
  /** Default "json". */
  format?: LogFormat;
  /** Where lines go (default: stdout). Pretty lines are written synchronously, so none is lost at exit. */
  destination?: DestinationStream;
  /** Pretty format only: ANSI colours (default off; the CLI turns them on for a terminal). */
  colorize?: boolean;
}

/** The format asked for with `--log-format`, else readable on a terminal and JSON everywhere else. */
export function logFormatFor(requested: LogFormat | undefined, stdoutIsTTY: boolean): LogFormat {
  return requested ?? (stdoutIsTTY ? "pretty" : "json");
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const settings = {
    name: options.name ?? "kanaria",
    level: options.level ?? "info",
    redact: {
      // At the top of a logged object and one level down.
      paths: SECRET_KEYS.flatMap((key) => [key, `*.${key}`]),
      censor: "[redacted]",
    },
  };
  if (options.format === "pretty") {
    const stream = prettyStream({
      destination: options.destination ?? 1,
      sync: true,
      colorize: options.colorize ?? false,
      translateTime: "SYS:HH:MM:ss.l",
      // Same host and process on every line of one run: noise on a terminal.
      ignore: "pid,hostname,name",
    });
    return pino(settings, stream);
  }
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
