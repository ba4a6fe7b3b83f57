/**
 * The state of the sandbox Slack workspace: its people, user groups and channels, and everything the bot
 * (and the simulated users) put there: messages with their edit history and threads, ephemerals, files,
 * App Home and modal views, and what the bot sent to response URLs. The Web API server
 * (slack-server.ts) writes it; tests, the signed client and the demo read it.
 *
 * Contracts:
 * - A `ts` is unique within the workspace and increases (Slack's `"<seconds>.<micro>"` form), derived
 *   from the injected clock so a virtual clock gives stable, readable timestamps.
 * - A reply always sits in a top-level message's thread: a reply to a reply joins the parent's thread.
 * - Updating a message keeps every earlier version (`versions`, oldest first; the last one is current).
 * - Getters return the stored records; treat them as read-only.
 */

import type {
  MessageWithReplies,
  RecordedResponse,
  ResponseUrlOrigin,
  ResponseUrlRecord,
  SlackChannelSpec,
  SlackUsergroupSpec,
  SlackUserSpec,
  SlackWorkspaceOptions,
  StoredEphemeral,
  StoredFile,
  StoredMessage,
  StoredView,
  WorkspaceChange,
  WorkspaceListener,
} from "./slack-workspace-types.js";

export type {
  MessageVersion,
  MessageWithReplies,
  RecordedResponse,
  ResponseUrlOrigin,
  ResponseUrlRecord,
  SlackChannelSpec,
  SlackUsergroupSpec,
  SlackUserSpec,
  SlackWorkspaceOptions,
  StoredEphemeral,
  StoredFile,
  StoredMessage,
  StoredView,
  WorkspaceChange,
  WorkspaceListener,
} from "./slack-workspace-types.js";

export class SlackWorkspace {
  readonly teamId: string;
  readonly teamDomain: string;
  readonly appId: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly botName: string;
  private readonly clock: { now(): number };
  private readonly usersById = new Map<string, SlackUserSpec>();
  private readonly groupsById = new Map<string, SlackUsergroupSpec>();
  private readonly channelsById = new Map<string, SlackChannelSpec>();
  /** channel → ts → message (top-level and replies alike). */
  private readonly messagesByChannel = new Map<string, Map<string, StoredMessage>>();
  private readonly ephemeralList: StoredEphemeral[] = [];
  private readonly filesById = new Map<string, StoredFile>();
  private readonly homeViews = new Map<string, StoredView>();
  private readonly modalList: StoredView[] = [];
  private readonly responseUrls = new Map<string, ResponseUrlRecord>();
  private readonly triggers = new Map<string, { userId: string; issuedAtMs: number }>();
  private readonly listeners = new Set<WorkspaceListener>();
  private lastMicros = 0;
  private idCounter = 0;

  constructor(options: SlackWorkspaceOptions) {
    this.teamId = options.teamId;
    this.teamDomain = options.teamDomain;
    this.appId = options.appId;
    this.botUserId = options.botUserId;
    this.botId = options.botId;
    this.botName = options.botName ?? "kanaria";
    this.clock = options.clock;
    this.usersById.set(this.botUserId, { id: this.botUserId, name: this.botName, realName: "Kanaria" });
    for (const user of options.users) this.usersById.set(user.id, user);
    for (const group of options.usergroups ?? []) this.groupsById.set(group.id, group);
    for (const channel of options.channels) {
      this.channelsById.set(channel.id, channel);
      this.messagesByChannel.set(channel.id, new Map());
    }
  }

  nowMs(): number {
    return this.clock.now();
  }

  /** A fresh, strictly increasing `"<seconds>.<6-digit micros>"` from the clock. */
  nextTs(): string {
    const micros = Math.max(Math.floor(this.clock.now() * 1000), this.lastMicros + 1);
    this.lastMicros = micros;
    const seconds = Math.floor(micros / 1_000_000);
    return `${seconds}.${String(micros % 1_000_000).padStart(6, "0")}`;
  }

  /** A workspace-unique id with Slack's one-letter prefix (`F`, `V`, `Ev`…). */
  nextId(prefix: string): string {
    this.idCounter++;
    return `${prefix}0${this.idCounter.toString(36).toUpperCase().padStart(8, "0")}`;
  }

  user(id: string): SlackUserSpec | undefined {
    return this.usersById.get(id);
  }

  usergroup(id: string): SlackUsergroupSpec | undefined {
    return this.groupsById.get(id);
  }

  usergroups(): SlackUsergroupSpec[] {
    return [...this.groupsById.values()];
  }

  channel(id: string): SlackChannelSpec | undefined {
    return this.channelsById.get(id);
  }

  /** Top-level messages of a channel in order, each with its replies (deleted ones left out). */
  messages(channel: string): MessageWithReplies[] {
    const all = [...(this.messagesByChannel.get(channel)?.values() ?? [])].filter((m) => !m.deleted);
    return all
      .filter((m) => m.threadTs === undefined)
      .sort(byTs)
      .map((root) => ({ ...root, replies: all.filter((m) => m.threadTs === root.ts).sort(byTs) }));
  }

  /** The root then its replies, in order; empty when there is no such message. */
  thread(channel: string, ts: string): StoredMessage[] {
    const root = this.message(channel, ts);
    if (!root) return [];
    const rootTs = root.threadTs ?? root.ts;
    const all = [...(this.messagesByChannel.get(channel)?.values() ?? [])].filter((m) => !m.deleted);
    const head = all.find((m) => m.ts === rootTs);
    return [...(head ? [head] : []), ...all.filter((m) => m.threadTs === rootTs).sort(byTs)];
  }

  message(channel: string, ts: string): StoredMessage | undefined {
    const message = this.messagesByChannel.get(channel)?.get(ts);
    return message && !message.deleted ? message : undefined;
  }

  ephemerals(channel?: string, user?: string): StoredEphemeral[] {
    return this.ephemeralList.filter(
      (e) => (channel === undefined || e.channel === channel) && (user === undefined || e.user === user),
    );
  }

  /** Every file whose upload started, in order. */
  files(): StoredFile[] {
    return [...this.filesById.values()];
  }

  file(id: string): StoredFile | undefined {
    return this.filesById.get(id);
  }

  homeView(user: string): StoredView | undefined {
    return this.homeViews.get(user);
  }

  modals(user?: string): StoredView[] {
    return this.modalList.filter((v) => user === undefined || v.user === user);
  }

  /** What the bot sent to a response URL (empty for an unknown id). */
  responses(id: string): RecordedResponse[] {
    return this.responseUrls.get(id)?.responses ?? [];
  }

  responseUrl(id: string): ResponseUrlRecord | undefined {
    return this.responseUrls.get(id);
  }

  /** Subscribes to every change; returns the unsubscribe function. */
  onChange(listener: WorkspaceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- writes (the server and the signed client) ----

  /**
   * Stores a new message. `threadTs` must already be resolved to the thread root (see `threadRoot`).
   * Returns the stored record.
   */
  addMessage(input: {
    channel: string;
    user: string;
    botId?: string | undefined;
    text: string;
    blocks: unknown[];
    threadTs?: string | undefined;
    metadata?: unknown;
    replyBroadcast?: boolean;
    files?: StoredFile[];
  }): StoredMessage {
    const ts = this.nextTs();
    const message: StoredMessage = {
      channel: input.channel,
      ts,
      threadTs: input.threadTs,
      user: input.user,
      botId: input.botId,
      text: input.text,
      blocks: input.blocks,
      versions: [{ text: input.text, blocks: input.blocks, atTs: ts }],
      metadata: input.metadata,
      replyBroadcast: input.replyBroadcast ?? false,
      files: input.files ?? [],
      deleted: false,
    };
    this.channelMessages(input.channel).set(ts, message);
    this.emit({ kind: "message", channel: input.channel, ts, threadTs: input.threadTs });
    return message;
  }

  /** The thread root for a `thread_ts` (a reply's ts resolves to its parent), or undefined. */
  threadRoot(channel: string, threadTs: string): string | undefined {
    const target = this.message(channel, threadTs);
    if (!target) return undefined;
    return target.threadTs ?? target.ts;
  }

  /** Appends a version to an existing message. */
  updateMessage(channel: string, ts: string, content: { text: string; blocks: unknown[] }): StoredMessage {
    const message = this.requireMessage(channel, ts);
    message.text = content.text;
    message.blocks = content.blocks;
    message.versions.push({ text: content.text, blocks: content.blocks, atTs: this.nextTs() });
    this.emit({ kind: "update", channel, ts, threadTs: message.threadTs });
    return message;
  }

  deleteMessage(channel: string, ts: string): void {
    const message = this.requireMessage(channel, ts);
    message.deleted = true;
    this.emit({ kind: "delete", channel, ts, threadTs: message.threadTs });
  }

  addEphemeral(input: Omit<StoredEphemeral, "ts">): StoredEphemeral {
    const ephemeral: StoredEphemeral = { ...input, ts: this.nextTs() };
    this.ephemeralList.push(ephemeral);
    this.emit({ kind: "ephemeral", channel: input.channel, user: input.user, ts: ephemeral.ts });
    return ephemeral;
  }

  /** Starts an upload (files.getUploadURLExternal). */
  createFile(name: string, length: number): StoredFile {
    const file: StoredFile = {
      id: this.nextId("F"),
      name,
      title: name,
      length,
      bytes: undefined,
      channel: undefined,
      threadTs: undefined,
      messageTs: undefined,
    };
    this.filesById.set(file.id, file);
    return file;
  }

  /** Marks a file shared into a channel (and thread) by `message`. */
  shareFile(file: StoredFile, message: StoredMessage): void {
    file.channel = message.channel;
    file.threadTs = message.threadTs;
    file.messageTs = message.ts;
    this.emit({ kind: "file", fileId: file.id, channel: file.channel, threadTs: file.threadTs });
  }

  publishHome(user: string, view: Record<string, unknown>): StoredView {
    const stored: StoredView = {
      id: this.homeViews.get(user)?.id ?? this.nextId("V"),
      type: "home",
      view,
      user,
      atTs: this.nextTs(),
    };
    this.homeViews.set(user, stored);
    this.emit({ kind: "view", type: "home", user });
    return stored;
  }

  openModal(user: string, view: Record<string, unknown>): StoredView {
    const stored: StoredView = { id: this.nextId("V"), type: "modal", view, user, atTs: this.nextTs() };
    this.modalList.push(stored);
    this.emit({ kind: "view", type: "modal", user });
    return stored;
  }

  /** Issues a trigger id for a command or click by `userId` (views.open accepts it for 3 s). */
  issueTrigger(userId: string): string {
    const id = `${this.idCounter + 1}.${this.teamId.replace(/\D/g, "") || "1"}.${this.nextId("t").slice(2).toLowerCase()}`;
    this.triggers.set(id, { userId, issuedAtMs: this.clock.now() });
    return id;
  }

  trigger(id: string): { userId: string; issuedAtMs: number } | undefined {
    return this.triggers.get(id);
  }

  /** Registers a response URL id for a command or a click. */
  createResponseUrl(origin: ResponseUrlOrigin): string {
    const id = this.nextId("R");
    this.responseUrls.set(id, { id, origin, responses: [] });
    return id;
  }

  recordResponse(id: string, response: RecordedResponse): void {
    const record = this.responseUrls.get(id);
    if (!record) throw new Error(`no response URL ${id}`);
    record.responses.push(response);
    this.emit({ kind: "response", id });
  }

  private channelMessages(channel: string): Map<string, StoredMessage> {
    const messages = this.messagesByChannel.get(channel);
    if (!messages) throw new Error(`no channel ${channel}`);
    return messages;
  }

  private requireMessage(channel: string, ts: string): StoredMessage {
    const message = this.message(channel, ts);
    if (!message) throw new Error(`no message ${channel}/${ts}`);
    return message;
  }

  private emit(change: WorkspaceChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

function byTs(a: { ts: string }, b: { ts: string }): number {
  return Number(a.ts) - Number(b.ts) || a.ts.localeCompare(b.ts);
}
