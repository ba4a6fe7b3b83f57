/**
 * The operators' log (pino). Components take a child logger; tests pass `silentLogger()`.
 * Secrets are redacted by path in case one slips into a logged object.
 */
import { pino } from "pino";

export type Logger = pino.Logger;

export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino({
    name: options.name ?? "kanaria",
    level: options.level ?? "info",
    redact: {
      paths: [
        "*.token",
        "*.botToken",
        "*.signingSecret",
        "*.appToken",
        "*.apiKey",
        "*.applicationKey",
        "*.secret",
      ],
      censor: "[redacted]",
    },
  });
}

export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
