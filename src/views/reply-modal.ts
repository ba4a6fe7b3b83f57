/**
 * A reply shown as a modal: clicks in the App Home tab come without a response URL, so the answer a
 * channel click gets as an ephemeral message (a refusal, say) is opened as a modal with the click's
 * trigger id instead. Pure.
 */
import type { ModalView } from "@slack/types";
import type { MessagePayload } from "./block-kit.js";

/** Slack's limit for a modal's title and close button text. */
const MODAL_TITLE_MAX = 24;

export function replyModal(reply: MessagePayload, title = "Kanaria"): ModalView {
  return {
    type: "modal",
    title: { type: "plain_text", text: title.slice(0, MODAL_TITLE_MAX) },
    close: { type: "plain_text", text: "OK" },
    blocks: reply.blocks,
  };
}
