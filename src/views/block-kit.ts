/**
 * Block builders that respect Slack's Block Kit limits by construction: every text is clipped to its
 * field's maximum, so a huge reason or a long app name can never make Slack reject a whole message
 * (`invalid_blocks`) and leave the thread without its update. Views build with these and never write
 * raw block literals with unbounded text.
 */
import type {
  ActionsBlock,
  Button,
  ContextBlock,
  DividerBlock,
  HeaderBlock,
  KnownBlock,
  SectionBlock,
} from "@slack/types";
import { truncate } from "./mrkdwn.js";

/** The limits Slack documents for the blocks and elements the views use. */
export const BLOCK_LIMITS = {
  messageBlocks: 50,
  homeBlocks: 100,
  sectionText: 3000,
  headerText: 150,
  contextElements: 10,
  contextText: 2000,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  actionsElements: 25,
  /** `text` of chat.postMessage: Slack truncates past 40 000; keep notifications short anyway. */
  fallbackText: 3000,
} as const;

/** What chat.postMessage / chat.update / chat.postEphemeral take from a view. */
export interface MessagePayload {
  /** Plain fallback for notifications and clients without Block Kit. Always present. */
  text: string;
  blocks: KnownBlock[];
}

export function header(text: string): HeaderBlock {
  return {
    type: "header",
    text: { type: "plain_text", text: truncate(text, BLOCK_LIMITS.headerText), emoji: true },
  };
}

export function section(mrkdwn: string): SectionBlock {
  return { type: "section", text: { type: "mrkdwn", text: truncate(mrkdwn, BLOCK_LIMITS.sectionText) } };
}

/** A context block of mrkdwn snippets: at most 10 are kept (the last ones are dropped). */
export function context(...items: string[]): ContextBlock {
  return {
    type: "context",
    elements: items
      .filter((t) => t.length > 0)
      .slice(0, BLOCK_LIMITS.contextElements)
      .map((t) => ({ type: "mrkdwn", text: truncate(t, BLOCK_LIMITS.contextText) })),
  };
}

export function divider(): DividerBlock {
  return { type: "divider" };
}

export interface ButtonSpec {
  actionId: string;
  text: string;
  value: string;
  style?: "primary" | "danger";
  confirm?: { title: string; text: string; confirm: string; deny: string };
}

export function button(spec: ButtonSpec): Button {
  if (spec.value.length > BLOCK_LIMITS.buttonValue) {
    // A clipped value would decode to another deployment; refuse instead of guessing.
    throw new RangeError(
      `button value of ${spec.value.length} characters exceeds ${BLOCK_LIMITS.buttonValue}`,
    );
  }
  return {
    type: "button",
    action_id: spec.actionId,
    text: { type: "plain_text", text: truncate(spec.text, BLOCK_LIMITS.buttonText), emoji: true },
    value: spec.value,
    ...(spec.style ? { style: spec.style } : {}),
    ...(spec.confirm
      ? {
          confirm: {
            title: { type: "plain_text", text: truncate(spec.confirm.title, BLOCK_LIMITS.confirmTitle) },
            text: { type: "mrkdwn", text: truncate(spec.confirm.text, BLOCK_LIMITS.confirmText) },
            confirm: { type: "plain_text", text: truncate(spec.confirm.confirm, BLOCK_LIMITS.confirmButton) },
            deny: { type: "plain_text", text: truncate(spec.confirm.deny, BLOCK_LIMITS.confirmButton) },
            ...(spec.style ? { style: spec.style } : {}),
          },
        }
      : {}),
  };
}

export function actions(blockId: string, elements: Button[]): ActionsBlock {
  return { type: "actions", block_id: blockId, elements: elements.slice(0, BLOCK_LIMITS.actionsElements) };
}

/**
 * Joins lines into as few sections as needed, each within the section limit; past `maxSections` the rest
 * is summarised as "… and N more" so a 30-stage checklist or a long history never overflows.
 */
export function sectionsFromLines(
  lines: readonly string[],
  maxSections: number,
  more = "more",
): SectionBlock[] {
  const max = BLOCK_LIMITS.sectionText;
  const chunks: string[][] = [];
  let current: string[] = [];
  let length = 0;
  for (const raw of lines) {
    const line = truncate(raw, max - 40);
    if (current.length > 0 && length + 1 + line.length > max) {
      chunks.push(current);
      current = [];
      length = 0;
    }
    current.push(line);
    length += (current.length > 1 ? 1 : 0) + line.length;
  }
  if (current.length > 0) chunks.push(current);
  if (chunks.length > maxSections && maxSections > 0) {
    const kept = chunks.slice(0, maxSections);
    const last = kept[kept.length - 1] as string[];
    const note = (n: number): string => `… and ${n} ${more}`;
    while (last.length > 1 && last.join("\n").length + 1 + note(lines.length).length > max) last.pop();
    const shown = kept.reduce((n, c) => n + c.length, 0);
    last.push(note(lines.length - shown));
    return kept.map((c) => section(c.join("\n")));
  }
  return chunks.map((c) => section(c.join("\n")));
}

/** Keeps a message within the block limit, replacing the overflow with one note. */
export function capBlocks(blocks: KnownBlock[], max: number): KnownBlock[] {
  if (blocks.length <= max) return blocks;
  return [...blocks.slice(0, max - 1), context(`… ${blocks.length - max + 1} more blocks not shown`)];
}

/** Clips a fallback `text`; it is plain text (mrkdwn-escaped by the caller where it holds user text). */
export function fallback(text: string): string {
  return truncate(text, BLOCK_LIMITS.fallbackText);
}
