/**
 * The Web API methods the sandbox Slack serves, as pure-ish handlers over the workspace: decoded
 * arguments in, Slack's JSON answer out (`{ok: true, …}` or `{ok: false, error, …}`), with Slack's
 * validation and error names:
 *
 * - `channel_not_found` for an unknown channel; `thread_not_found` when `thread_ts` names no message in
 *   that channel (a reply's ts joins its parent's thread, as in Slack);
 * - `no_text` for a message with neither `text` nor `blocks`; `msg_too_long` past 40 000 characters;
 * - `invalid_blocks` with an `errors` array for Block Kit limits (slack-block-limits.ts);
 * - `message_not_found` / `cant_update_message` for `chat.update` (only the bot's own messages);
 * - `user_not_found`, `no_such_subteam`, `invalid_trigger_id` / `expired_trigger_id`, `file_not_found`,
 *   `invalid_arguments`.
 *
 * Authentication, faults and rate limits are the server's job (slack-server.ts).
 */
import { BLOCK_LIMITS, blockErrors, viewErrors } from "./slack-block-limits.js";
import type { SlackWorkspace, StoredFile, StoredMessage, StoredView } from "./slack-workspace.js";

export interface MethodContext {
  workspace: SlackWorkspace;
  /** The server's base URL (upload URLs and file links point here). */
  baseUrl: string;
}

export type SlackAnswer = Record<string, unknown> & { ok: boolean };

/** A trigger id is good for 3 seconds, as in Slack. */
const TRIGGER_TTL_MS = 3000;

type Args = Record<string, unknown>;
type Handler = (args: Args, ctx: MethodContext) => SlackAnswer;

const HANDLERS: Record<string, Handler> = {
  "auth.test": authTest,
  "chat.postMessage": postMessage,
  "chat.update": updateMessage,
  "chat.postEphemeral": postEphemeral,
  "files.getUploadURLExternal": getUploadUrl,
  "files.completeUploadExternal": completeUpload,
  "views.publish": publishView,
  "views.open": openView,
  "usergroups.users.list": usergroupUsers,
  "users.info": usersInfo,
};

export const SLACK_METHODS: readonly string[] = Object.keys(HANDLERS);

export function runSlackMethod(method: string, args: Args, ctx: MethodContext): SlackAnswer {
  const handler = HANDLERS[method];
  return handler ? handler(args, ctx) : fail("unknown_method");
}

/** The channel a call acts in (for per-channel rate limits and faults), if any. */
export function channelOf(args: Args): string | undefined {
  const channel = args.channel ?? args.channel_id;
  return typeof channel === "string" && channel !== "" ? channel : undefined;
}

function authTest(_args: Args, { workspace }: MethodContext): SlackAnswer {
  return {
    ok: true,
    url: `https://${workspace.teamDomain}.slack.com/`,
    team: workspace.teamDomain,
    user: workspace.botName,
    team_id: workspace.teamId,
    user_id: workspace.botUserId,
    bot_id: workspace.botId,
    is_enterprise_install: false,
  };
}

function postMessage(args: Args, ctx: MethodContext): SlackAnswer {
  const { workspace } = ctx;
  const channel = str(args.channel);
  if (channel === undefined || !workspace.channel(channel)) return fail("channel_not_found");
  const content = messageContent(args);
  if ("error" in content) return content.error;
  let threadTs: string | undefined;
  const requested = str(args.thread_ts);
  if (requested !== undefined) {
    threadTs = workspace.threadRoot(channel, requested);
    if (threadTs === undefined) return fail("thread_not_found");
  }
  const message = workspace.addMessage({
    channel,
    user: workspace.botUserId,
    botId: workspace.botId,
    text: content.text ?? "",
    blocks: content.blocks ?? [],
    threadTs,
    metadata: args.metadata,
    replyBroadcast: threadTs !== undefined && truthy(args.reply_broadcast),
  });
  return { ok: true, channel, ts: message.ts, message: messageJson(message, ctx) };
}

function updateMessage(args: Args, ctx: MethodContext): SlackAnswer {
  const { workspace } = ctx;
  const channel = str(args.channel);
  if (channel === undefined || !workspace.channel(channel)) return fail("channel_not_found");
  const ts = str(args.ts);
  const existing = ts === undefined ? undefined : workspace.message(channel, ts);
  if (ts === undefined || !existing) return fail("message_not_found");
  if (existing.user !== workspace.botUserId) return fail("cant_update_message");
  const content = messageContent(args);
  if ("error" in content) return content.error;
  // Slack keeps what the update leaves out.
  const message = workspace.updateMessage(channel, ts, {
    text: content.text ?? existing.text,
    blocks: content.blocks ?? existing.blocks,
  });
  return { ok: true, channel, ts, text: message.text, message: messageJson(message, ctx) };
}

function postEphemeral(args: Args, { workspace }: MethodContext): SlackAnswer {
  const channel = str(args.channel);
  if (channel === undefined || !workspace.channel(channel)) return fail("channel_not_found");
  const user = str(args.user);
  if (user === undefined || !workspace.user(user)) return fail("user_not_found");
  const content = messageContent(args);
  if ("error" in content) return content.error;
  let threadTs: string | undefined;
  const requested = str(args.thread_ts);
  if (requested !== undefined) {
    threadTs = workspace.threadRoot(channel, requested);
    if (threadTs === undefined) return fail("thread_not_found");
  }
  const ephemeral = workspace.addEphemeral({
    channel,
    user,
    threadTs,
    text: content.text ?? "",
    blocks: content.blocks ?? [],
    via: "api",
  });
  return { ok: true, message_ts: ephemeral.ts };
}

function getUploadUrl(args: Args, { workspace, baseUrl }: MethodContext): SlackAnswer {
  const filename = str(args.filename);
  const length = Number(args.length);
  if (filename === undefined || !Number.isInteger(length) || length <= 0) return fail("invalid_arguments");
  const file = workspace.createFile(filename, length);
  return { ok: true, upload_url: `${baseUrl}/upload/${file.id}`, file_id: file.id };
}

function completeUpload(args: Args, ctx: MethodContext): SlackAnswer {
  const { workspace } = ctx;
  const entries = args.files;
  if (!Array.isArray(entries) || entries.length === 0) return fail("invalid_arguments");
  const files: { file: StoredFile; title: string | undefined }[] = [];
  for (const entry of entries) {
    const id = isObject(entry) ? str(entry.id) : undefined;
    const file = id === undefined ? undefined : workspace.file(id);
    // Completing before the bytes arrived is as good as an unknown id: there is no file yet.
    if (!file || file.bytes === undefined) return fail("file_not_found");
    files.push({ file, title: isObject(entry) ? str(entry.title) : undefined });
  }
  const channel = str(args.channel_id) ?? str(args.channels);
  if (channel !== undefined && !workspace.channel(channel)) return fail("channel_not_found");
  const requested = str(args.thread_ts);
  let threadTs: string | undefined;
  if (requested !== undefined) {
    if (channel === undefined) return fail("invalid_arguments");
    threadTs = workspace.threadRoot(channel, requested);
    if (threadTs === undefined) return fail("thread_not_found");
  }
  for (const { file, title } of files) file.title = title ?? file.name;
  if (channel !== undefined) {
    const comment = str(args.initial_comment);
    const blocks = comment === undefined && Array.isArray(args.blocks) ? args.blocks : [];
    const message = workspace.addMessage({
      channel,
      user: workspace.botUserId,
      botId: workspace.botId,
      text: comment ?? "",
      blocks,
      threadTs,
      files: files.map((f) => f.file),
    });
    for (const { file } of files) workspace.shareFile(file, message);
  }
  return { ok: true, files: files.map(({ file }) => fileJson(file, ctx)) };
}

function publishView(args: Args, { workspace }: MethodContext): SlackAnswer {
  const user = str(args.user_id);
  if (user === undefined || !workspace.user(user)) return fail("user_not_found");
  const view = args.view;
  if (!isObject(view) || view.type !== "home") return fail("invalid_arguments");
  const invalid = viewFailure(view);
  if (invalid) return invalid;
  return { ok: true, view: viewJson(workspace.publishHome(user, view), workspace) };
}

function openView(args: Args, { workspace }: MethodContext): SlackAnswer {
  const triggerId = str(args.trigger_id);
  const trigger = triggerId === undefined ? undefined : workspace.trigger(triggerId);
  if (!trigger) return fail("invalid_trigger_id");
  if (workspace.nowMs() - trigger.issuedAtMs > TRIGGER_TTL_MS) return fail("expired_trigger_id");
  const view = args.view;
  if (!isObject(view) || view.type !== "modal") return fail("invalid_arguments");
  const invalid = viewFailure(view);
  if (invalid) return invalid;
  return { ok: true, view: viewJson(workspace.openModal(trigger.userId, view), workspace) };
}

function usergroupUsers(args: Args, { workspace }: MethodContext): SlackAnswer {
  const id = str(args.usergroup);
  const group = id === undefined ? undefined : workspace.usergroup(id);
  if (!group) return fail("no_such_subteam");
  return { ok: true, users: [...group.users] };
}

function usersInfo(args: Args, { workspace }: MethodContext): SlackAnswer {
  const id = str(args.user);
  const user = id === undefined ? undefined : workspace.user(id);
  if (!user) return fail("user_not_found");
  const tz = user.tz ?? "UTC";
  const realName = user.realName ?? user.name;
  return {
    ok: true,
    user: {
      id: user.id,
      team_id: workspace.teamId,
      name: user.name,
      deleted: false,
      real_name: realName,
      tz,
      tz_label: tz,
      tz_offset: tzOffsetSeconds(tz, workspace.nowMs()),
      is_bot: user.id === workspace.botUserId,
      is_admin: false,
      profile: { real_name: realName, display_name: user.name, team: workspace.teamId },
    },
  };
}

// ---- helpers ----

type Content = { text: string | undefined; blocks: unknown[] | undefined } | { error: SlackAnswer };

/** `text` and `blocks` of a message, checked as Slack checks them. */
function messageContent(args: Args): Content {
  const text = typeof args.text === "string" ? args.text : undefined;
  const blocks = args.blocks;
  if (blocks !== undefined && !Array.isArray(blocks)) return { error: fail("invalid_blocks_format") };
  const hasBlocks = Array.isArray(blocks) && blocks.length > 0;
  const hasAttachments = Array.isArray(args.attachments) && args.attachments.length > 0;
  if ((text === undefined || text === "") && !hasBlocks && !hasAttachments) return { error: fail("no_text") };
  if (text !== undefined && text.length > BLOCK_LIMITS.messageText) return { error: fail("msg_too_long") };
  if (Array.isArray(blocks)) {
    const errors = blockErrors(blocks, { maxBlocks: BLOCK_LIMITS.messageBlocks });
    if (errors.length > 0) return { error: fail("invalid_blocks", { errors }) };
  }
  return { text, blocks };
}

function viewFailure(view: Record<string, unknown>): SlackAnswer | undefined {
  const errors = viewErrors(view);
  if (errors.length === 0) return undefined;
  const blocksOnly = errors.every((e) => e.includes("[json-pointer:/view/blocks"));
  return fail(blocksOnly ? "invalid_blocks" : "invalid_arguments", { errors });
}

/** A stored message as Slack returns it in `message`. */
export function messageJson(
  message: StoredMessage,
  { workspace, ...ctx }: MethodContext,
): Record<string, unknown> {
  const bot = message.botId !== undefined;
  return {
    type: "message",
    ...(message.files.length > 0 ? { subtype: "file_share" } : {}),
    user: message.user,
    text: message.text,
    ts: message.ts,
    team: workspace.teamId,
    ...(message.blocks.length > 0 ? { blocks: message.blocks } : {}),
    ...(message.threadTs !== undefined ? { thread_ts: message.threadTs } : {}),
    ...(bot
      ? {
          bot_id: message.botId,
          app_id: workspace.appId,
          bot_profile: {
            id: message.botId,
            app_id: workspace.appId,
            name: workspace.botName,
            deleted: false,
            team_id: workspace.teamId,
          },
        }
      : {}),
    ...(message.versions.length > 1
      ? { edited: { user: message.user, ts: message.versions.at(-1)?.atTs } }
      : {}),
    ...(message.metadata !== undefined ? { metadata: message.metadata } : {}),
    ...(message.files.length > 0
      ? { files: message.files.map((f) => fileJson(f, { workspace, ...ctx })) }
      : {}),
  };
}

function fileJson(file: StoredFile, { workspace, baseUrl }: MethodContext): Record<string, unknown> {
  const extension = /\.([a-z0-9]+)$/i.exec(file.name)?.[1]?.toLowerCase() ?? "binary";
  return {
    id: file.id,
    name: file.name,
    title: file.title,
    mimetype: MIME_TYPES[extension] ?? "application/octet-stream",
    filetype: extension,
    size: file.bytes?.length ?? file.length,
    user: workspace.botUserId,
    url_private: `${baseUrl}/files/${file.id}/${encodeURIComponent(file.name)}`,
    ...(file.channel !== undefined ? { channels: [file.channel] } : {}),
  };
}

const MIME_TYPES: Record<string, string> = {
  png: "image/png",
  svg: "image/svg+xml",
  txt: "text/plain",
  json: "application/json",
  csv: "text/csv",
};

function viewJson(stored: StoredView, workspace: SlackWorkspace): Record<string, unknown> {
  return {
    ...stored.view,
    id: stored.id,
    team_id: workspace.teamId,
    type: stored.type,
    blocks: stored.view.blocks ?? [],
    private_metadata: stored.view.private_metadata ?? "",
    callback_id: stored.view.callback_id ?? "",
    state: { values: {} },
    hash: `${stored.atTs}.${stored.id}`,
    app_id: workspace.appId,
    bot_id: workspace.botId,
  };
}

function tzOffsetSeconds(tz: string, atMs: number): number {
  try {
    const parts = new Intl.DateTimeFormat("en-US", { timeZone: tz, timeZoneName: "longOffset" })
      .formatToParts(new Date(atMs))
      .find((p) => p.type === "timeZoneName")?.value;
    const match = /GMT([+-])(\d{2}):(\d{2})/.exec(parts ?? "");
    if (!match) return 0;
    const seconds = Number(match[2]) * 3600 + Number(match[3]) * 60;
    return match[1] === "-" ? -seconds : seconds;
  } catch {
    return 0;
  }
}

export function fail(error: string, extra: Record<string, unknown> = {}): SlackAnswer {
  return { ok: false, error, ...extra };
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function truthy(value: unknown): boolean {
  return value === true || value === "true" || value === "1" || value === 1;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
