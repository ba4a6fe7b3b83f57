/**
 * Bolt's and the WebClient's logs go to Kanaria's pino log (one operators' log, DESIGN §11), under
 * `component: "bolt"`. Bolt passes printf-style arguments; they are joined into the message.
 */
import { LogLevel, type Logger as SlackLogger } from "@slack/logger";
import type { Logger } from "../engine/logger.js";

export function boltLogger(logger: Logger): SlackLogger {
  const log = logger.child({ component: "bolt" });
  let level = LogLevel.INFO;
  const text = (msg: unknown[]): string =>
    msg
      .map((m) => (typeof m === "string" ? m : m instanceof Error ? m.message : JSON.stringify(m)))
      .join(" ");
  return {
    debug: (...msg) => log.debug(text(msg)),
    info: (...msg) => log.info(text(msg)),
    warn: (...msg) => log.warn(text(msg)),
    error: (...msg) => log.error(text(msg)),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
