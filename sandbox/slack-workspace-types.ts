/**
 * The records of the sandbox Slack workspace (slack-workspace.ts): the people, groups and channels it
 * is created with, and the messages, files, views and responses stored in it.
 */

/** A person (or the bot) in the workspace. */
export interface SlackUserSpec {
  /** `U…` */
  id: string;
  /** The handle, shown as `@name`. */
  name: string;
  realName?: string;
  /** IANA zone, e.g. `Asia/Tokyo` (default `UTC`). */
  tz?: string;
}

export interface SlackUsergroupSpec {
  /** `S…` */
  id: string;
  handle: string;
  /** Member user ids. */
  users: string[];
}

export interface SlackChannelSpec {
  /** `C…` */
  id: string;
  name: string;
}

export interface SlackWorkspaceOptions {
  teamId: string;
  teamDomain: string;
  appId: string;
  botUserId: string;
  botId: string;
  /** The bot's handle (default `kanaria`). */
  botName?: string;
  users: SlackUserSpec[];
  usergroups?: SlackUsergroupSpec[];
  channels: SlackChannelSpec[];
  clock: { now(): number };
}

/** One version of a message's content. */
export interface MessageVersion {
  text: string;
  blocks: unknown[];
  /** When this version was written (workspace ts form). */
  atTs: string;
}

export interface StoredFile {
  /** `F…` */
  id: string;
  name: string;
  title: string;
  /** Declared by `files.getUploadURLExternal`. */
  length: number;
  /** Undefined until the bytes are POSTed to the upload URL. */
  bytes: Buffer | undefined;
  /** Set once `files.completeUploadExternal` shares it. */
  channel: string | undefined;
  threadTs: string | undefined;
  /** The message that carries the share, once shared. */
  messageTs: string | undefined;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  /** The thread root's ts for a reply; undefined for a top-level message. */
  threadTs: string | undefined;
  /** Author: the bot's user id or a person's. */
  user: string;
  /** Set when the bot posted it. */
  botId: string | undefined;
  /** Current content (the last version). */
  text: string;
  blocks: unknown[];
  /** Every version, oldest first; `versions.length - 1` is the number of updates. */
  versions: MessageVersion[];
  metadata: unknown;
  replyBroadcast: boolean;
  files: StoredFile[];
  deleted: boolean;
}

export interface MessageWithReplies extends StoredMessage {
  replies: StoredMessage[];
}

export interface StoredEphemeral {
  channel: string;
  user: string;
  /** `message_ts` returned to the poster. */
  ts: string;
  threadTs: string | undefined;
  text: string;
  blocks: unknown[];
  /** `api` (chat.postEphemeral) or `response_url`. */
  via: "api" | "response_url";
}

export interface StoredView {
  id: string;
  type: "home" | "modal";
  /** The view as the bot sent it. */
  view: Record<string, unknown>;
  /** The user it was published for (home) or opened for (modal, from the trigger). */
  user: string;
  atTs: string;
}

/** Who a response URL answers: the slash command or the click that carried it. */
export type ResponseUrlOrigin =
  | { kind: "command"; command: string; text: string; userId: string; channelId: string }
  | { kind: "click"; actionId: string; userId: string; channelId: string; messageTs: string };

/** One POST the bot made to a response URL, as Slack reads it. */
export interface RecordedResponse {
  responseType: "ephemeral" | "in_channel";
  replaceOriginal: boolean;
  deleteOriginal: boolean;
  text: string;
  blocks: unknown[];
  /** The whole JSON body. */
  body: Record<string, unknown>;
}

export interface ResponseUrlRecord {
  id: string;
  origin: ResponseUrlOrigin;
  responses: RecordedResponse[];
}

export type WorkspaceChange =
  | { kind: "message"; channel: string; ts: string; threadTs: string | undefined }
  | { kind: "update"; channel: string; ts: string; threadTs: string | undefined }
  | { kind: "delete"; channel: string; ts: string; threadTs: string | undefined }
  | { kind: "ephemeral"; channel: string; user: string; ts: string }
  | { kind: "file"; fileId: string; channel: string | undefined; threadTs: string | undefined }
  | { kind: "view"; type: "home" | "modal"; user: string }
  | { kind: "response"; id: string };

export type WorkspaceListener = (change: WorkspaceChange) => void;
