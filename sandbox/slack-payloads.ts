/**
 * The request bodies Slack sends to an app, built from the sandbox workspace: slash commands
 * (form-encoded fields), `block_actions` interactions (a `payload=` form field holding JSON) and Events
 * API callbacks (JSON `event_callback`). Pure functions of their inputs; the signed client
 * (slack-signed-client.ts) registers response URLs and trigger ids, then signs and sends these.
 */
import { messageJson } from "./slack-methods.js";
import type { SlackWorkspace, StoredMessage } from "./slack-workspace.js";
import type { StoredView } from "./slack-workspace-types.js";

export interface SlashCommandInput {
  command: string;
  text: string;
  userId: string;
  channelId: string;
  responseUrl: string;
  triggerId: string;
}

/** The form body of a slash command, with the fields Slack sends in the order it sends them. */
export function slashCommandBody(workspace: SlackWorkspace, input: SlashCommandInput): string {
  return new URLSearchParams({
    token: "sandbox-verification-token",
    team_id: workspace.teamId,
    team_domain: workspace.teamDomain,
    channel_id: input.channelId,
    channel_name: workspace.channel(input.channelId)?.name ?? "unknown",
    user_id: input.userId,
    user_name: workspace.user(input.userId)?.name ?? input.userId,
    command: input.command,
    text: input.text,
    api_app_id: workspace.appId,
    is_enterprise_install: "false",
    response_url: input.responseUrl,
    trigger_id: input.triggerId,
  }).toString();
}

/** A button found in a message's blocks, with the block that holds it. */
export interface FoundButton {
  blockId: string;
  button: Record<string, unknown>;
}

/**
 * The button with `actionId` in `blocks` (in an `actions` block or as a section's accessory), or
 * undefined. A block without a `block_id` gets the one Slack would report for it: Slack assigns ids to
 * such blocks, and the sandbox derives them from the position so they are stable.
 */
export function findButton(
  blocks: readonly unknown[],
  actionId: string,
  which: (button: Record<string, unknown>) => boolean = () => true,
): FoundButton | undefined {
  for (const [index, block] of blocks.entries()) {
    if (!isObject(block)) continue;
    const candidates =
      block.type === "actions" && Array.isArray(block.elements)
        ? block.elements
        : block.type === "section" && block.accessory !== undefined
          ? [block.accessory]
          : [];
    for (const element of candidates) {
      if (
        isObject(element) &&
        element.type === "button" &&
        element.action_id === actionId &&
        which(element)
      ) {
        return {
          blockId: typeof block.block_id === "string" ? block.block_id : `b${index}`,
          button: element,
        };
      }
    }
  }
  return undefined;
}

/** Every button's action id in `blocks`, for error messages. */
export function buttonActionIds(blocks: readonly unknown[]): string[] {
  const ids: string[] = [];
  for (const block of blocks) {
    if (!isObject(block)) continue;
    const elements = Array.isArray(block.elements) ? block.elements : [block.accessory];
    for (const element of elements) {
      if (isObject(element) && element.type === "button" && typeof element.action_id === "string") {
        ids.push(element.action_id);
      }
    }
  }
  return ids;
}

export interface BlockActionsInput {
  message: StoredMessage;
  found: FoundButton;
  userId: string;
  /** Overrides the button's own value (rarely needed). */
  value?: string | undefined;
  actionTs: string;
  responseUrl: string;
  triggerId: string;
  baseUrl: string;
}

/** The `block_actions` payload of a click on a button in a channel message. */
export function blockActionsPayload(
  workspace: SlackWorkspace,
  input: BlockActionsInput,
): Record<string, unknown> {
  const { message } = input;
  const channel = workspace.channel(message.channel);
  return {
    ...clickBasics(workspace, input),
    container: {
      type: "message",
      message_ts: message.ts,
      channel_id: message.channel,
      is_ephemeral: false,
      ...(message.threadTs !== undefined ? { thread_ts: message.threadTs } : {}),
    },
    channel: { id: message.channel, name: channel?.name ?? "unknown" },
    message: messageJson(message, { workspace, baseUrl: input.baseUrl }),
    response_url: input.responseUrl,
  };
}

export interface HomeBlockActionsInput {
  home: StoredView;
  found: FoundButton;
  userId: string;
  value?: string | undefined;
  actionTs: string;
  triggerId: string;
}

/**
 * The `block_actions` payload of a click on a button in the user's App Home tab: the container is the
 * view, and Slack sends no `response_url` (an answer has to go through the Web API, e.g. `views.open`
 * with the trigger id).
 */
export function homeBlockActionsPayload(
  workspace: SlackWorkspace,
  input: HomeBlockActionsInput,
): Record<string, unknown> {
  return {
    ...clickBasics(workspace, input),
    container: { type: "view", view_id: input.home.id },
    view: { ...input.home.view, id: input.home.id, type: "home", team_id: workspace.teamId },
  };
}

/** What every click payload carries: who clicked, on which button, and the trigger id. */
function clickBasics(
  workspace: SlackWorkspace,
  input: {
    found: FoundButton;
    userId: string;
    value?: string | undefined;
    actionTs: string;
    triggerId: string;
  },
): Record<string, unknown> {
  const { found, userId } = input;
  const user = workspace.user(userId);
  const value = input.value ?? (typeof found.button.value === "string" ? found.button.value : undefined);
  return {
    type: "block_actions",
    user: {
      id: userId,
      username: user?.name ?? userId,
      name: user?.name ?? userId,
      team_id: workspace.teamId,
    },
    api_app_id: workspace.appId,
    token: "sandbox-verification-token",
    trigger_id: input.triggerId,
    team: { id: workspace.teamId, domain: workspace.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    state: { values: {} },
    actions: [
      {
        action_id: found.button.action_id,
        block_id: found.blockId,
        text: found.button.text,
        ...(value !== undefined ? { value } : {}),
        ...(found.button.style !== undefined ? { style: found.button.style } : {}),
        type: "button",
        action_ts: input.actionTs,
      },
    ],
  };
}

/** An Events API `event_callback` envelope around `event`. */
export function eventCallback(
  workspace: SlackWorkspace,
  event: Record<string, unknown>,
  eventId: string,
  eventTimeSeconds: number,
): Record<string, unknown> {
  return {
    token: "sandbox-verification-token",
    team_id: workspace.teamId,
    context_team_id: workspace.teamId,
    api_app_id: workspace.appId,
    event,
    type: "event_callback",
    event_id: eventId,
    event_time: eventTimeSeconds,
    authorizations: [
      {
        enterprise_id: null,
        team_id: workspace.teamId,
        user_id: workspace.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-sandbox-${eventId}`,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
