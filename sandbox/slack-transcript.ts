/**
 * A readable plain-text rendering of a Slack thread, for the demo and for test failure messages: the
 * root message (its latest version, with how often it was edited) then each reply, Block Kit turned into
 * text (headers, sections and their fields, context lines, buttons as `[ Approve ]`, images and files as
 * `📎 name`), and mrkdwn references resolved against the workspace (`<@U123>` → `@name`,
 * `<url|text>` → `text`).
 *
 * Pure: reads the workspace, returns a string.
 */
import type { SlackWorkspace, StoredMessage } from "./slack-workspace.js";

type Json = Record<string, unknown>;

/** The thread `ts` belongs to (root first), or a one-line note when there is no such message. */
export function renderThread(workspace: SlackWorkspace, channel: string, ts: string): string {
  const messages = workspace.thread(channel, ts);
  if (messages.length === 0) return `(no message ${ts} in ${channelLabel(workspace, channel)})`;
  const [root, ...replies] = messages as [StoredMessage, ...StoredMessage[]];
  const lines = [
    `${channelLabel(workspace, channel)} — thread ${root.ts}`,
    ...renderMessage(workspace, root, ""),
  ];
  for (const reply of replies) {
    lines.push("", ...renderMessage(workspace, reply, "    ↳ "));
  }
  return lines.join("\n");
}

/** One message: a header line (author, time, edits), then its content indented. */
export function renderMessage(workspace: SlackWorkspace, message: StoredMessage, prefix: string): string[] {
  const author = `@${workspace.user(message.user)?.name ?? message.user}`;
  const edits = message.versions.length - 1;
  const edited = edits > 0 ? ` (edited ${edits} time${edits === 1 ? "" : "s"})` : "";
  const indent = " ".repeat([...prefix].length + 2);
  const body =
    message.blocks.length > 0
      ? renderBlocks(workspace, message.blocks)
      : renderMrkdwn(workspace, message.text);
  const files = message.files.map((f) => `📎 ${f.title !== f.name ? `${f.title} (${f.name})` : f.name}`);
  const content = [...(body === "" ? [] : body.split("\n")), ...files];
  return [
    `${prefix}${author}  ${clockTime(message.ts)}${edited}`,
    ...content.map((line) => `${indent}${line}`),
  ];
}

/** Block Kit as text, one line (or more) per block. */
export function renderBlocks(workspace: SlackWorkspace, blocks: readonly unknown[]): string {
  const lines: string[] = [];
  for (const block of blocks) {
    if (!isObject(block)) continue;
    switch (block.type) {
      case "header":
        lines.push(`== ${plain(workspace, block.text)} ==`);
        break;
      case "section": {
        const text = plain(workspace, block.text);
        if (text !== "") lines.push(...text.split("\n"));
        if (Array.isArray(block.fields)) {
          for (const field of block.fields) lines.push(`  • ${plain(workspace, field).replace(/\n/g, " ")}`);
        }
        const accessory = element(workspace, block.accessory);
        if (accessory !== "") lines.push(accessory);
        break;
      }
      case "context":
        lines.push(
          (Array.isArray(block.elements) ? block.elements : [])
            .map((e) =>
              isObject(e) && e.type === "image" ? `🖼 ${String(e.alt_text ?? "")}` : plain(workspace, e),
            )
            .filter((t) => t !== "")
            .join(" · "),
        );
        break;
      case "actions":
        lines.push(
          (Array.isArray(block.elements) ? block.elements : [])
            .map((e) => element(workspace, e))
            .filter((t) => t !== "")
            .join("  "),
        );
        break;
      case "divider":
        lines.push("────────────────────────────");
        break;
      case "image":
        lines.push(`📎 ${plain(workspace, block.title) || String(block.alt_text ?? "image")}`);
        break;
      case "rich_text":
        lines.push(richText(workspace, block));
        break;
      case "markdown":
        lines.push(typeof block.text === "string" ? renderMrkdwn(workspace, block.text) : "");
        break;
      default:
        lines.push(`[${String(block.type)}]`);
    }
  }
  return lines.join("\n");
}

/**
 * Slack mrkdwn references made readable: users, channels and user groups by name, special mentions,
 * links by their label, dates by their fallback, and the three HTML entities Slack escapes.
 */
export function renderMrkdwn(workspace: SlackWorkspace, text: string): string {
  return text
    .replace(/<([^<>]+)>/g, (_all, inner: string) => reference(workspace, inner))
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

function reference(workspace: SlackWorkspace, inner: string): string {
  const bar = inner.indexOf("|");
  const target = bar === -1 ? inner : inner.slice(0, bar);
  const label = bar === -1 ? undefined : inner.slice(bar + 1);
  if (target.startsWith("@")) {
    const user = workspace.user(target.slice(1));
    return `@${user?.name ?? label?.replace(/^@/, "") ?? target.slice(1)}`;
  }
  if (target.startsWith("#"))
    return `#${workspace.channel(target.slice(1))?.name ?? label ?? target.slice(1)}`;
  if (target.startsWith("!subteam^")) {
    const group = workspace.usergroup(target.slice("!subteam^".length));
    return group ? `@${group.handle}` : (label ?? "@group");
  }
  if (target.startsWith("!date^")) return label ?? target;
  if (target.startsWith("!")) return `@${target.slice(1)}`;
  return label ?? target;
}

function element(workspace: SlackWorkspace, value: unknown): string {
  if (!isObject(value)) return "";
  switch (value.type) {
    case "button":
      return `[ ${plain(workspace, value.text)} ]`;
    case "image":
      return `📎 ${String(value.alt_text ?? "image")}`;
    case "overflow":
      return "[ … ]";
    default:
      return isObject(value.placeholder) ? `[ ${plain(workspace, value.placeholder)} ▾ ]` : "";
  }
}

function plain(workspace: SlackWorkspace, value: unknown): string {
  if (!isObject(value) || typeof value.text !== "string") return "";
  return value.type === "mrkdwn" ? renderMrkdwn(workspace, value.text) : value.text;
}

/** The text runs of a rich_text block (sections, lists, quotes, preformatted). */
function richText(workspace: SlackWorkspace, node: unknown): string {
  if (!isObject(node)) return "";
  switch (node.type) {
    case "text":
      return typeof node.text === "string" ? node.text : "";
    case "link":
      return typeof node.text === "string" ? node.text : String(node.url ?? "");
    case "user":
      return `@${workspace.user(String(node.user_id))?.name ?? String(node.user_id)}`;
    case "channel":
      return `#${workspace.channel(String(node.channel_id))?.name ?? String(node.channel_id)}`;
    case "usergroup":
      return `@${workspace.usergroup(String(node.usergroup_id))?.handle ?? String(node.usergroup_id)}`;
    case "emoji":
      return `:${String(node.name)}:`;
    default: {
      const children = Array.isArray(node.elements) ? node.elements : [];
      const separator = node.type === "rich_text" || node.type === "rich_text_list" ? "\n" : "";
      return children.map((child) => richText(workspace, child)).join(separator);
    }
  }
}

/** `HH:MM:SS` UTC of a Slack ts. */
function clockTime(ts: string): string {
  return new Date(Number(ts.split(".")[0]) * 1000).toISOString().slice(11, 19);
}

function channelLabel(workspace: SlackWorkspace, channel: string): string {
  return `#${workspace.channel(channel)?.name ?? channel}`;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
