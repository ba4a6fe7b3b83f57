/**
 * An independent reading of Slack's Block Kit limits (numbers from Slack's reference, not from
 * src/views/block-kit.ts), returning every violation found in a payload.
 */
type Json = Record<string, unknown>;

export function blockKitViolations(
  payload: { text?: string; blocks: unknown[] },
  surface: "message" | "home",
): string[] {
  const problems: string[] = [];
  const maxBlocks = surface === "home" ? 100 : 50;
  if (surface === "message" && (typeof payload.text !== "string" || payload.text.length === 0))
    problems.push("message without a text fallback");
  if (payload.blocks.length > maxBlocks) problems.push(`${payload.blocks.length} blocks > ${maxBlocks}`);
  payload.blocks.forEach((raw, i) => {
    const block = raw as Json;
    const where = `block ${i} (${String(block.type)})`;
    const text = (block.text as Json | undefined)?.text;
    if (block.type === "header" && typeof text === "string" && text.length > 150)
      problems.push(`${where}: header ${text.length} > 150`);
    if (block.type === "section") {
      if (typeof text !== "string" || text.length === 0) problems.push(`${where}: section without text`);
      else if (text.length > 3000) problems.push(`${where}: section text ${text.length} > 3000`);
    }
    if (block.type === "context") {
      const elements = block.elements as Json[];
      if (elements.length === 0 || elements.length > 10)
        problems.push(`${where}: ${elements.length} context elements`);
      for (const e of elements)
        if (String(e.text).length > 2000) problems.push(`${where}: context text too long`);
    }
    if (block.type === "actions") {
      const ids = new Set<string>();
      for (const e of block.elements as Json[]) {
        const label = String((e.text as Json).text);
        if (label.length > 75) problems.push(`${where}: button text ${label.length} > 75`);
        if (String(e.value).length > 2000) problems.push(`${where}: button value too long`);
        const id = String(e.action_id);
        if (ids.has(id)) problems.push(`${where}: duplicate action_id ${id}`);
        ids.add(id);
        const confirm = e.confirm as Json | undefined;
        if (confirm) {
          if (String((confirm.title as Json).text).length > 100)
            problems.push(`${where}: confirm title too long`);
          if (String((confirm.text as Json).text).length > 300)
            problems.push(`${where}: confirm text too long`);
          for (const k of ["confirm", "deny"])
            if (String((confirm[k] as Json).text).length > 30)
              problems.push(`${where}: confirm ${k} too long`);
        }
      }
    }
    if (typeof block.block_id === "string" && block.block_id.length > 255)
      problems.push(`${where}: block_id too long`);
  });
  return problems;
}

/** Every mrkdwn text of a payload, joined: what the user reads. */
export function allText(payload: { text?: string; blocks: unknown[] }): string {
  const out: string[] = payload.text ? [payload.text] : [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (k === "text" && typeof x === "string") out.push(x);
        else walk(x);
      }
    }
  };
  walk(payload.blocks);
  return out.join("\n");
}

/** The buttons of a payload, by action id. */
export function buttons(payload: { blocks: unknown[] }): Json[] {
  return payload.blocks
    .filter((b) => (b as Json).type === "actions")
    .flatMap((b) => (b as Json).elements as Json[]);
}
