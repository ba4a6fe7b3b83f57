/**
 * Block Kit limits as Slack enforces them on `chat.postMessage`, `chat.update`, `chat.postEphemeral`,
 * `views.publish` and `views.open`. A violation makes Slack refuse the whole call with `invalid_blocks`
 * and an `errors` array whose entries say what is wrong and where (`… [json-pointer:/blocks/0/text/text]`);
 * the same form is produced here so a test failure points at the offending block.
 *
 * Pure: `(blocks, options) → errors` (empty when valid).
 */

export const BLOCK_LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  buttonText: 75,
  actionId: 255,
  blockId: 255,
  buttonValue: 2000,
  buttonUrl: 3000,
  actionsElements: 25,
  contextElements: 10,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  imageAltText: 2000,
  modalTitle: 24,
  privateMetadata: 3000,
  callbackId: 255,
  /** `text` of a message (Slack refuses longer ones with `msg_too_long`). */
  messageText: 40_000,
} as const;

const KNOWN_BLOCKS = new Set([
  "section",
  "header",
  "divider",
  "context",
  "actions",
  "image",
  "input",
  "rich_text",
  "file",
  "video",
  "markdown",
]);

type Json = Record<string, unknown>;

export interface BlockCheckOptions {
  /** 50 for messages, 100 for views. */
  maxBlocks: number;
}

/** Every Block Kit limit `blocks` breaks, in Slack's error form; empty when the blocks are valid. */
export function blockErrors(blocks: unknown, options: BlockCheckOptions): string[] {
  const errors: string[] = [];
  if (!Array.isArray(blocks)) return ["must be an array [json-pointer:/blocks]"];
  if (blocks.length > options.maxBlocks) {
    errors.push(`must be less than ${options.maxBlocks + 1} items [json-pointer:/blocks]`);
  }
  const blockIds = new Set<string>();
  const actionIds = new Set<string>();
  blocks.forEach((block, index) => {
    checkBlock(block, `/blocks/${index}`, errors, { blockIds, actionIds });
  });
  return errors;
}

/** Limits on the view itself (title, metadata, callback id) plus its blocks. */
export function viewErrors(view: Json): string[] {
  const errors: string[] = [];
  const type = view.type;
  if (type !== "home" && type !== "modal") errors.push("must be home or modal [json-pointer:/view/type]");
  if (type === "modal") {
    const title = textOf(view.title);
    if (title === undefined) errors.push("missing required field: title [json-pointer:/view/title]");
    else tooLong(errors, title, BLOCK_LIMITS.modalTitle, "/view/title/text");
  }
  if (typeof view.private_metadata === "string") {
    tooLong(errors, view.private_metadata, BLOCK_LIMITS.privateMetadata, "/view/private_metadata");
  }
  if (typeof view.callback_id === "string") {
    tooLong(errors, view.callback_id, BLOCK_LIMITS.callbackId, "/view/callback_id");
  }
  const blocks = view.blocks ?? [];
  errors.push(
    ...blockErrors(blocks, { maxBlocks: BLOCK_LIMITS.viewBlocks }).map((e) =>
      e.replace("[json-pointer:/blocks", "[json-pointer:/view/blocks"),
    ),
  );
  return errors;
}

interface Seen {
  blockIds: Set<string>;
  actionIds: Set<string>;
}

function checkBlock(block: unknown, at: string, errors: string[], seen: Seen): void {
  if (!isObject(block)) {
    errors.push(`must be an object [json-pointer:${at}]`);
    return;
  }
  const type = block.type;
  if (typeof type !== "string" || !KNOWN_BLOCKS.has(type)) {
    errors.push(`unsupported type: ${String(type)} [json-pointer:${at}/type]`);
    return;
  }
  if (block.block_id !== undefined) {
    if (typeof block.block_id !== "string") errors.push(`must be a string [json-pointer:${at}/block_id]`);
    else {
      tooLong(errors, block.block_id, BLOCK_LIMITS.blockId, `${at}/block_id`);
      if (seen.blockIds.has(block.block_id)) {
        errors.push(`duplicate block_id: ${block.block_id} [json-pointer:${at}/block_id]`);
      }
      seen.blockIds.add(block.block_id);
    }
  }
  switch (type) {
    case "section":
      checkSection(block, at, errors, seen);
      break;
    case "header": {
      const text = block.text;
      if (!isObject(text) || text.type !== "plain_text" || typeof text.text !== "string") {
        errors.push(`must be a plain_text object [json-pointer:${at}/text]`);
      } else tooLong(errors, text.text, BLOCK_LIMITS.headerText, `${at}/text/text`);
      break;
    }
    case "actions": {
      const elements = arrayAt(block, "elements", at, errors);
      if (elements.length > BLOCK_LIMITS.actionsElements) {
        errors.push(
          `must be less than ${BLOCK_LIMITS.actionsElements + 1} items [json-pointer:${at}/elements]`,
        );
      }
      elements.forEach((element, i) => {
        checkElement(element, `${at}/elements/${i}`, errors, seen);
      });
      break;
    }
    case "context": {
      const elements = arrayAt(block, "elements", at, errors);
      if (elements.length > BLOCK_LIMITS.contextElements) {
        errors.push(
          `must be less than ${BLOCK_LIMITS.contextElements + 1} items [json-pointer:${at}/elements]`,
        );
      }
      break;
    }
    case "image":
      if (typeof block.alt_text !== "string") {
        errors.push(`missing required field: alt_text [json-pointer:${at}/alt_text]`);
      } else tooLong(errors, block.alt_text, BLOCK_LIMITS.imageAltText, `${at}/alt_text`);
      if (typeof block.image_url !== "string" && !isObject(block.slack_file)) {
        errors.push(`missing required field: image_url [json-pointer:${at}/image_url]`);
      }
      break;
    default:
      break;
  }
}

function checkSection(block: Json, at: string, errors: string[], seen: Seen): void {
  const text = block.text;
  const fields = block.fields;
  if (text === undefined && fields === undefined) {
    errors.push(`must provide either text or fields [json-pointer:${at}]`);
  }
  if (text !== undefined) {
    const body = textOf(text);
    if (body === undefined) errors.push(`must be a text object [json-pointer:${at}/text]`);
    else if (body.length === 0) errors.push(`must be more than 0 characters [json-pointer:${at}/text/text]`);
    else tooLong(errors, body, BLOCK_LIMITS.sectionText, `${at}/text/text`);
  }
  if (fields !== undefined) {
    if (!Array.isArray(fields)) errors.push(`must be an array [json-pointer:${at}/fields]`);
    else {
      if (fields.length > BLOCK_LIMITS.sectionFields) {
        errors.push(`must be less than ${BLOCK_LIMITS.sectionFields + 1} items [json-pointer:${at}/fields]`);
      }
      fields.forEach((field, i) => {
        const body = textOf(field);
        if (body === undefined) errors.push(`must be a text object [json-pointer:${at}/fields/${i}]`);
        else tooLong(errors, body, BLOCK_LIMITS.sectionFieldText, `${at}/fields/${i}/text`);
      });
    }
  }
  if (block.accessory !== undefined) checkElement(block.accessory, `${at}/accessory`, errors, seen);
}

function checkElement(element: unknown, at: string, errors: string[], seen: Seen): void {
  if (!isObject(element)) {
    errors.push(`must be an object [json-pointer:${at}]`);
    return;
  }
  if (element.action_id !== undefined) {
    if (typeof element.action_id !== "string") errors.push(`must be a string [json-pointer:${at}/action_id]`);
    else {
      tooLong(errors, element.action_id, BLOCK_LIMITS.actionId, `${at}/action_id`);
      if (seen.actionIds.has(element.action_id)) {
        errors.push(`duplicate action_id: ${element.action_id} [json-pointer:${at}/action_id]`);
      }
      seen.actionIds.add(element.action_id);
    }
  }
  if (element.type === "button") {
    const text = element.text;
    if (!isObject(text) || text.type !== "plain_text" || typeof text.text !== "string") {
      errors.push(`must be a plain_text object [json-pointer:${at}/text]`);
    } else tooLong(errors, text.text, BLOCK_LIMITS.buttonText, `${at}/text/text`);
    if (typeof element.value === "string") {
      tooLong(errors, element.value, BLOCK_LIMITS.buttonValue, `${at}/value`);
    }
    if (typeof element.url === "string") tooLong(errors, element.url, BLOCK_LIMITS.buttonUrl, `${at}/url`);
    if (element.style !== undefined && element.style !== "primary" && element.style !== "danger") {
      errors.push(`must be primary or danger [json-pointer:${at}/style]`);
    }
  }
  if (element.confirm !== undefined) checkConfirm(element.confirm, `${at}/confirm`, errors);
}

/** A confirmation dialog needs all four texts (Slack refuses the message otherwise). */
function checkConfirm(confirm: unknown, at: string, errors: string[]): void {
  if (!isObject(confirm)) {
    errors.push(`must be an object [json-pointer:${at}]`);
    return;
  }
  const limits: Record<string, number> = {
    title: BLOCK_LIMITS.confirmTitle,
    text: BLOCK_LIMITS.confirmText,
    confirm: BLOCK_LIMITS.confirmButton,
    deny: BLOCK_LIMITS.confirmButton,
  };
  for (const [field, limit] of Object.entries(limits)) {
    const body = textOf(confirm[field]);
    if (body === undefined) errors.push(`missing required field: ${field} [json-pointer:${at}/${field}]`);
    else tooLong(errors, body, limit, `${at}/${field}/text`);
  }
}

function arrayAt(block: Json, key: string, at: string, errors: string[]): unknown[] {
  const value = block[key];
  if (Array.isArray(value)) return value;
  errors.push(`missing required field: ${key} [json-pointer:${at}/${key}]`);
  return [];
}

function tooLong(errors: string[], value: string, limit: number, at: string): void {
  if (value.length > limit) errors.push(`must be less than ${limit + 1} characters [json-pointer:${at}]`);
}

/** The `text` of a `{type: plain_text | mrkdwn, text}` object, else undefined. */
function textOf(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  if (value.type !== "plain_text" && value.type !== "mrkdwn") return undefined;
  return typeof value.text === "string" ? value.text : undefined;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
