/**
 * A channel post about an app outside any deployment: what `kanaria serve` found left behind at start
 * (split weights, task sets nobody owns) and what it did about it.
 */
import { context, fallback, type MessagePayload, section } from "./block-kit.js";
import { escapeMrkdwn, reasonText } from "./mrkdwn.js";

export function appNotice(app: string, message: string): MessagePayload {
  const text = `🧹 *${escapeMrkdwn(app)}*: ${reasonText(message, 2500)}`;
  return {
    text: fallback(text),
    blocks: [section(text), context("Kanaria checks each app's listener and task sets when it starts.")],
  };
}
