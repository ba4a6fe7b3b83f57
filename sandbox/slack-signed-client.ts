/**
 * Plays Slack toward the bot: sends slash commands, button clicks and Events API callbacks to the bot's
 * request URL, signed as Slack signs them (`X-Slack-Request-Timestamp`, and `X-Slack-Signature: v0=` +
 * hex HMAC-SHA256 of `v0:<timestamp>:<body>` with the signing secret), with response URLs and trigger
 * ids that point back at the sandbox Slack, so what the bot then does (respond, update, open a modal)
 * lands in the sandbox workspace.
 *
 * Clicks are made on the buttons the bot actually posted: `clickButton` looks the button up in the stored
 * message and fails with `button_not_found` when it is not there, so a test notices a view that lost
 * its button.
 */
import { createHmac } from "node:crypto";
import { KanariaError } from "../src/domain/kanaria-error.js";
import {
  blockActionsPayload,
  buttonActionIds,
  eventCallback,
  findButton,
  homeBlockActionsPayload,
  slashCommandBody,
} from "./slack-payloads.js";
import type { SandboxSlack } from "./slack-server.js";
import type { EnvelopeType } from "./slack-socket-mode.js";
import type { StoredView } from "./slack-workspace-types.js";

export interface SlackSignedClientOptions {
  /** The bot's request URL, e.g. `http://127.0.0.1:3000/slack/events`. */
  botUrl: string;
  signingSecret: string;
  slack: SandboxSlack;
  /**
   * Time for request timestamps (default: real time). The bot checks them against its own clock, so
   * this is usually real time even when the sandbox Slack runs on a virtual clock.
   */
  clock?: { now(): number };
  /** HTTP client (default: global fetch). */
  fetch?: typeof fetch;
  /**
   * How requests reach the bot: signed HTTP POSTs to `botUrl` (default), or, for a bot in Socket Mode,
   * envelopes over its WebSocket (`slack.socketMode`); an acknowledged envelope reads as status 200,
   * one not acknowledged in time as 504.
   */
  transport?: "http" | "socket";
}

/** One request as sent, so it can be sent again (`redeliver`). */
export interface SentRequest {
  body: string;
  contentType: string;
  /** `X-Slack-Retry-Num` it carried (0 for a first delivery). */
  retryNum: number;
}

export interface BotReply {
  status: number;
  /** The response body as text (empty for a bare ack). */
  body: string;
  request: SentRequest;
}

export interface InteractionReply extends BotReply {
  /** Id of the response URL sent with the command or click: `slack.workspace.responses(id)`. */
  responseUrlId: string;
  triggerId: string;
}

export interface EventReply extends BotReply {
  eventId: string;
  /** The `ts` of the user's message (mentions). */
  ts?: string;
}

/** Slack's request signature: `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<body>` (timestamp in seconds). */
export function slackSignature(signingSecret: string, timestamp: number, body: string): string {
  return `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

export class SlackSignedClient {
  private readonly botUrl: string;
  private readonly signingSecret: string;
  private readonly slack: SandboxSlack;
  private readonly clock: { now(): number };
  private readonly fetchFn: typeof fetch;
  private readonly transport: "http" | "socket";

  constructor(options: SlackSignedClientOptions) {
    this.botUrl = options.botUrl;
    this.signingSecret = options.signingSecret;
    this.slack = options.slack;
    this.clock = options.clock ?? { now: () => Date.now() };
    this.fetchFn = options.fetch ?? fetch;
    this.transport = options.transport ?? "http";
  }

  /** A slash command typed by `userId` in `channelId`, form-encoded as Slack sends it. */
  async slashCommand(input: {
    command: string;
    text: string;
    userId: string;
    channelId: string;
  }): Promise<InteractionReply> {
    const { workspace } = this.slack;
    const responseUrlId = workspace.createResponseUrl({ kind: "command", ...input });
    const triggerId = workspace.issueTrigger(input.userId);
    const body = slashCommandBody(workspace, {
      ...input,
      responseUrl: this.responseUrl(responseUrlId),
      triggerId,
    });
    const reply = await this.post({ body, contentType: FORM, retryNum: 0 });
    return { ...reply, responseUrlId, triggerId };
  }

  /**
   * A click on the button `actionId` of the stored message `messageTs`. A button with a `confirm`
   * dialog is clicked as if the user confirmed (Slack sends nothing when they cancel).
   */
  async clickButton(input: {
    channelId: string;
    messageTs: string;
    actionId: string;
    userId: string;
    value?: string;
  }): Promise<InteractionReply> {
    const { workspace } = this.slack;
    const message = workspace.message(input.channelId, input.messageTs);
    if (!message) {
      throw new KanariaError(
        "message_not_found",
        `no message ${input.messageTs} in ${input.channelId} to click ${input.actionId} on`,
      );
    }
    const found = findButton(message.blocks, input.actionId);
    if (!found) {
      const present = buttonActionIds(message.blocks);
      throw new KanariaError(
        "button_not_found",
        `message ${input.messageTs} in ${input.channelId} has no button ${input.actionId} (buttons: ${
          present.length > 0 ? present.join(", ") : "none"
        })`,
      );
    }
    const responseUrlId = workspace.createResponseUrl({
      kind: "click",
      actionId: input.actionId,
      userId: input.userId,
      channelId: input.channelId,
      messageTs: input.messageTs,
    });
    const triggerId = workspace.issueTrigger(input.userId);
    const payload = blockActionsPayload(workspace, {
      message,
      found,
      userId: input.userId,
      value: input.value,
      actionTs: workspace.nextTs(),
      responseUrl: this.responseUrl(responseUrlId),
      triggerId,
      baseUrl: this.slack.url,
    });
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const reply = await this.post({ body, contentType: FORM, retryNum: 0 });
    return { ...reply, responseUrlId, triggerId };
  }

  /**
   * A click by `userId` on the button `actionId` of their App Home tab as the bot last published it;
   * `which` picks among several buttons with that id (one Approve per pending deployment). Slack sends
   * no response URL with such a click. `seen` is the tab as the user still sees it, for a click on a view
   * the bot has since replaced (default: the last one published).
   */
  async clickHomeButton(input: {
    userId: string;
    actionId: string;
    which?: (button: Record<string, unknown>) => boolean;
    seen?: StoredView;
  }): Promise<BotReply & { triggerId: string }> {
    const { workspace } = this.slack;
    const home = input.seen ?? workspace.homeView(input.userId);
    if (!home) {
      throw new KanariaError("view_not_found", `the bot published no App Home for ${input.userId}`);
    }
    const blocks = Array.isArray(home.view.blocks) ? home.view.blocks : [];
    const found = findButton(blocks, input.actionId, input.which);
    if (!found) {
      const present = buttonActionIds(blocks);
      throw new KanariaError(
        "button_not_found",
        `the App Home of ${input.userId} has no such button ${input.actionId} (buttons: ${
          present.length > 0 ? present.join(", ") : "none"
        })`,
      );
    }
    const triggerId = workspace.issueTrigger(input.userId);
    const payload = homeBlockActionsPayload(workspace, {
      home,
      found,
      userId: input.userId,
      actionTs: workspace.nextTs(),
      triggerId,
    });
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    return { ...(await this.post({ body, contentType: FORM, retryNum: 0 })), triggerId };
  }

  /**
   * `userId` mentions the bot in `channelId` (in a thread when `threadTs` is given): the message is
   * stored in the workspace, as a real mention is a channel message, and an `app_mention` event sent.
   * `text` gets the `<@bot>` mention prefixed unless it already mentions the bot.
   */
  async mention(input: {
    channelId: string;
    userId: string;
    text: string;
    threadTs?: string;
  }): Promise<EventReply> {
    const { workspace } = this.slack;
    if (!workspace.channel(input.channelId)) {
      throw new KanariaError("channel_not_found", `no channel ${input.channelId} in the sandbox workspace`);
    }
    const mentionTag = `<@${workspace.botUserId}>`;
    const text = input.text.includes(mentionTag) ? input.text : `${mentionTag} ${input.text}`;
    let threadTs: string | undefined;
    if (input.threadTs !== undefined) {
      threadTs = workspace.threadRoot(input.channelId, input.threadTs);
      if (threadTs === undefined) {
        throw new KanariaError("thread_not_found", `no message ${input.threadTs} in ${input.channelId}`);
      }
    }
    const message = workspace.addMessage({
      channel: input.channelId,
      user: input.userId,
      text,
      blocks: [],
      threadTs,
    });
    const event = {
      type: "app_mention",
      user: input.userId,
      text,
      ts: message.ts,
      channel: input.channelId,
      event_ts: message.ts,
      team: workspace.teamId,
      ...(threadTs !== undefined ? { thread_ts: threadTs } : {}),
    };
    return { ...(await this.sendEvent(event)), ts: message.ts };
  }

  /** `userId` opens the bot's App Home tab. */
  appHomeOpened(userId: string): Promise<EventReply> {
    const { workspace } = this.slack;
    const home = workspace.homeView(userId);
    return this.sendEvent({
      type: "app_home_opened",
      user: userId,
      channel: `D${userId.slice(1)}`,
      tab: "home",
      event_ts: workspace.nextTs(),
      ...(home ? { view: { ...home.view, id: home.id, type: "home" } } : {}),
    });
  }

  /**
   * Delivers `previous` again, as Slack does when the bot did not answer in time: the same body, signed
   * afresh, with `X-Slack-Retry-Num` one higher and `X-Slack-Retry-Reason: http_timeout`.
   */
  async redeliver(previous: BotReply | SentRequest): Promise<BotReply> {
    const request = "request" in previous ? previous.request : previous;
    return this.post({ ...request, retryNum: request.retryNum + 1 });
  }

  /**
   * Sends a raw body with a chosen timestamp (seconds) and/or signature, for stale and forged request
   * tests; what is not given is computed correctly.
   */
  async send(
    body: string,
    options: { timestamp?: number; signature?: string; contentType?: string } = {},
  ): Promise<BotReply> {
    return this.post({ body, contentType: options.contentType ?? FORM, retryNum: 0 }, options);
  }

  /** `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<body>`. */
  sign(timestamp: number, body: string): string {
    return slackSignature(this.signingSecret, timestamp, body);
  }

  private async sendEvent(event: Record<string, unknown>): Promise<EventReply> {
    const { workspace } = this.slack;
    const eventId = workspace.nextId("Ev");
    const envelope = eventCallback(workspace, event, eventId, Math.floor(workspace.nowMs() / 1000));
    const reply = await this.post({ body: JSON.stringify(envelope), contentType: JSON_TYPE, retryNum: 0 });
    return { ...reply, eventId };
  }

  private async post(
    request: SentRequest,
    overrides: { timestamp?: number; signature?: string } = {},
  ): Promise<BotReply> {
    if (this.transport === "socket") return this.deliverOverSocket(request);
    const timestamp = overrides.timestamp ?? Math.floor(this.clock.now() / 1000);
    const headers: Record<string, string> = {
      "content-type": request.contentType,
      "x-slack-request-timestamp": String(timestamp),
      "x-slack-signature": overrides.signature ?? this.sign(timestamp, request.body),
      "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
    };
    if (request.retryNum > 0) {
      headers["x-slack-retry-num"] = String(request.retryNum);
      headers["x-slack-retry-reason"] = "http_timeout";
    }
    const response = await this.fetchFn(this.botUrl, { method: "POST", headers, body: request.body });
    return { status: response.status, body: await response.text(), request };
  }

  /**
   * The same request as a Socket Mode envelope: a form with `payload=` is an interaction, another form
   * a slash command (its fields as JSON), JSON an Events API callback. Socket Mode has no signatures.
   */
  private async deliverOverSocket(request: SentRequest): Promise<BotReply> {
    let type: EnvelopeType;
    let payload: unknown;
    if (request.contentType === JSON_TYPE) {
      type = "events_api";
      payload = JSON.parse(request.body);
    } else {
      const fields = new URLSearchParams(request.body);
      const interaction = fields.get("payload");
      type = interaction !== null ? "interactive" : "slash_commands";
      payload = interaction !== null ? JSON.parse(interaction) : Object.fromEntries(fields);
    }
    const envelope = await this.slack.socketMode.deliver(type, payload);
    const body = envelope.ackPayload === undefined ? "" : JSON.stringify(envelope.ackPayload);
    return { status: envelope.acked ? 200 : 504, body, request };
  }

  private responseUrl(id: string): string {
    return `${this.slack.url}/respond/${id}`;
  }
}

const FORM = "application/x-www-form-urlencoded";
const JSON_TYPE = "application/json";
