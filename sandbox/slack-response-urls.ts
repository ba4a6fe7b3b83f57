/**
 * Response URLs: what Slack does when the bot POSTs JSON to the `response_url` of a slash command or a
 * click (Bolt's `respond()`). The response is recorded against the command or click that created the
 * URL, then takes effect as in Slack:
 *
 * - `delete_original: true` (clicks) deletes the message the button was in;
 * - `replace_original: true` (clicks) replaces that message's text and blocks (a new version);
 * - otherwise `response_type: "in_channel"` posts a message in the channel (in the thread when
 *   `thread_ts` is given), and the default, `ephemeral`, shows a message only to the user.
 *
 * A URL accepts at most 5 responses (`used_url`); an unknown one is `expired_url` (HTTP 404).
 */
import { BLOCK_LIMITS, blockErrors } from "./slack-block-limits.js";
import type { RecordedResponse, SlackWorkspace } from "./slack-workspace.js";

const MAX_RESPONSES = 5;

export interface ResponseUrlAnswer {
  status: number;
  body: Record<string, unknown>;
}

export function handleResponseUrl(workspace: SlackWorkspace, id: string, raw: string): ResponseUrlAnswer {
  const record = workspace.responseUrl(id);
  if (!record) return { status: 404, body: { ok: false, error: "expired_url" } };
  if (record.responses.length >= MAX_RESPONSES)
    return { status: 404, body: { ok: false, error: "used_url" } };
  let body: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      throw new Error("not an object");
    body = parsed as Record<string, unknown>;
  } catch {
    return { status: 400, body: { ok: false, error: "invalid_payload" } };
  }
  const text = typeof body.text === "string" ? body.text : "";
  const blocks = Array.isArray(body.blocks) ? body.blocks : [];
  const response: RecordedResponse = {
    responseType: body.response_type === "in_channel" ? "in_channel" : "ephemeral",
    replaceOriginal: body.replace_original === true || body.replace_original === "true",
    deleteOriginal: body.delete_original === true || body.delete_original === "true",
    text,
    blocks,
    body,
  };
  if (!response.deleteOriginal) {
    if (text === "" && blocks.length === 0) return { status: 400, body: { ok: false, error: "no_text" } };
    const errors = blockErrors(blocks, { maxBlocks: BLOCK_LIMITS.messageBlocks });
    if (errors.length > 0) return { status: 400, body: { ok: false, error: "invalid_blocks", errors } };
  }
  workspace.recordResponse(id, response);
  apply(workspace, record.origin, response, typeof body.thread_ts === "string" ? body.thread_ts : undefined);
  return { status: 200, body: { ok: true } };
}

function apply(
  workspace: SlackWorkspace,
  origin: NonNullable<ReturnType<SlackWorkspace["responseUrl"]>>["origin"],
  response: RecordedResponse,
  threadTs: string | undefined,
): void {
  const channel = origin.channelId;
  if (origin.kind === "click" && workspace.message(channel, origin.messageTs)) {
    if (response.deleteOriginal) {
      workspace.deleteMessage(channel, origin.messageTs);
      return;
    }
    if (response.replaceOriginal) {
      workspace.updateMessage(channel, origin.messageTs, { text: response.text, blocks: response.blocks });
      return;
    }
  }
  if (response.deleteOriginal) return;
  const root = threadTs === undefined ? undefined : workspace.threadRoot(channel, threadTs);
  if (response.responseType === "in_channel") {
    workspace.addMessage({
      channel,
      user: workspace.botUserId,
      botId: workspace.botId,
      text: response.text,
      blocks: response.blocks,
      threadTs: root,
    });
    return;
  }
  workspace.addEphemeral({
    channel,
    user: origin.userId,
    threadTs: root,
    text: response.text,
    blocks: response.blocks,
    via: "response_url",
  });
}
