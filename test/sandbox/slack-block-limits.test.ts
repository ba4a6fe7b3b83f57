/**
 * Block Kit limits: each one a message breaks is refused with `invalid_blocks` and an `errors` entry
 * naming the limit and the place, through the real WebClient; valid blocks at the limits pass.
 */
import type { WebClient } from "@slack/web-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blockErrors } from "../../sandbox/slack-block-limits.js";
import type { SandboxSlack } from "../../sandbox/slack-server.js";
import { ALICE, DEPLOYS, slackError, startTestSlack, webClient } from "./slack-fixture.js";

let slack: SandboxSlack;
let client: WebClient;

beforeAll(async () => {
  slack = await startTestSlack({ rateLimits: { "chat.postMessage": null } });
  client = webClient(slack);
});

afterAll(async () => {
  await slack.close();
});

const section = (text: string) => ({ type: "section", text: { type: "mrkdwn", text } });
const button = (actionId: string, extra: Record<string, unknown> = {}) => ({
  type: "button",
  action_id: actionId,
  text: { type: "plain_text", text: "Approve" },
  ...extra,
});
const confirm = {
  title: { type: "plain_text", text: "Approve?" },
  text: { type: "mrkdwn", text: "Promote web v2" },
  confirm: { type: "plain_text", text: "Approve" },
  deny: { type: "plain_text", text: "Cancel" },
};

const violations: { limit: string; blocks: unknown[]; error: string }[] = [
  {
    limit: "at most 50 blocks",
    blocks: Array.from({ length: 51 }, () => ({ type: "divider" })),
    error: "must be less than 51 items [json-pointer:/blocks]",
  },
  {
    limit: "section text at most 3000 characters",
    blocks: [section("x".repeat(3001))],
    error: "must be less than 3001 characters [json-pointer:/blocks/0/text/text]",
  },
  {
    limit: "header text at most 150 characters",
    blocks: [{ type: "header", text: { type: "plain_text", text: "h".repeat(151) } }],
    error: "must be less than 151 characters [json-pointer:/blocks/0/text/text]",
  },
  {
    limit: "button text at most 75 characters",
    blocks: [
      { type: "actions", elements: [{ ...button("a"), text: { type: "plain_text", text: "b".repeat(76) } }] },
    ],
    error: "must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]",
  },
  {
    limit: "action_id at most 255 characters",
    blocks: [{ type: "actions", elements: [button("a".repeat(256))] }],
    error: "must be less than 256 characters [json-pointer:/blocks/0/elements/0/action_id]",
  },
  {
    limit: "block_id at most 255 characters",
    blocks: [{ ...section("x"), block_id: "b".repeat(256) }],
    error: "must be less than 256 characters [json-pointer:/blocks/0/block_id]",
  },
  {
    limit: "button value at most 2000 characters",
    blocks: [{ type: "actions", elements: [button("a", { value: "v".repeat(2001) })] }],
    error: "must be less than 2001 characters [json-pointer:/blocks/0/elements/0/value]",
  },
  {
    limit: "at most 25 elements in an actions block",
    blocks: [{ type: "actions", elements: Array.from({ length: 26 }, (_, i) => button(`a${i}`)) }],
    error: "must be less than 26 items [json-pointer:/blocks/0/elements]",
  },
  {
    limit: "at most 10 elements in a context block",
    blocks: [
      { type: "context", elements: Array.from({ length: 11 }, () => ({ type: "mrkdwn", text: "c" })) },
    ],
    error: "must be less than 11 items [json-pointer:/blocks/0/elements]",
  },
  {
    limit: "unique action_ids",
    blocks: [
      { type: "actions", elements: [button("approve")] },
      { type: "actions", elements: [button("approve")] },
    ],
    error: "duplicate action_id: approve [json-pointer:/blocks/1/elements/0/action_id]",
  },
  {
    limit: "unique block_ids",
    blocks: [
      { ...section("a"), block_id: "status" },
      { ...section("b"), block_id: "status" },
    ],
    error: "duplicate block_id: status [json-pointer:/blocks/1/block_id]",
  },
  {
    limit: "confirm needs title, text, confirm and deny",
    blocks: [{ type: "actions", elements: [button("a", { confirm: { ...confirm, deny: undefined } })] }],
    error: "missing required field: deny [json-pointer:/blocks/0/elements/0/confirm/deny]",
  },
  {
    limit: "a section needs text or fields",
    blocks: [{ type: "section" }],
    error: "must provide either text or fields [json-pointer:/blocks/0]",
  },
  {
    limit: "at most 10 section fields",
    blocks: [{ type: "section", fields: Array.from({ length: 11 }, () => ({ type: "mrkdwn", text: "f" })) }],
    error: "must be less than 11 items [json-pointer:/blocks/0/fields]",
  },
];

describe("chat.postMessage refuses blocks over Slack's limits", () => {
  it.each(violations)("$limit", async ({ blocks, error }) => {
    const failure = await slackError(
      client.chat.postMessage({ channel: DEPLOYS, text: "fallback", blocks: blocks as never }),
    );
    expect(failure.error).toBe("invalid_blocks");
    expect(failure.errors).toContain(error);
  });

  it("stores nothing for a refused message", () => {
    expect(slack.workspace.messages(DEPLOYS)).toEqual([]);
  });

  it("accepts blocks exactly at the limits", async () => {
    const atLimits = [
      { type: "header", text: { type: "plain_text", text: "h".repeat(150) } },
      { ...section("x".repeat(3000)), block_id: "b".repeat(255) },
      {
        type: "actions",
        elements: [
          button("a".repeat(255), { value: "v".repeat(2000), confirm, style: "danger" }),
          ...Array.from({ length: 24 }, (_, i) => button(`a${i}`)),
        ],
      },
      { type: "context", elements: Array.from({ length: 10 }, () => ({ type: "mrkdwn", text: "c" })) },
      ...Array.from({ length: 46 }, () => ({ type: "divider" })),
    ];
    expect(atLimits).toHaveLength(50);
    const result = await client.chat.postMessage({ channel: DEPLOYS, text: "ok", blocks: atLimits as never });
    expect(result.ok).toBe(true);
  });

  it("checks chat.update and chat.postEphemeral too", async () => {
    const posted = await client.chat.postMessage({ channel: DEPLOYS, text: "ok" });
    const tooLong = [section("x".repeat(3001))] as never;
    expect(
      (await slackError(client.chat.update({ channel: DEPLOYS, ts: posted.ts as string, blocks: tooLong })))
        .error,
    ).toBe("invalid_blocks");
    expect(
      (await slackError(client.chat.postEphemeral({ channel: DEPLOYS, user: ALICE, blocks: tooLong }))).error,
    ).toBe("invalid_blocks");
    expect(slack.workspace.message(DEPLOYS, posted.ts as string)?.versions).toHaveLength(1);
  });
});

describe("views allow 100 blocks", () => {
  it("accepts 100 blocks in a home view and refuses 101", async () => {
    const dividers = (n: number) => Array.from({ length: n }, () => ({ type: "divider" as const }));
    await client.views.publish({ user_id: ALICE, view: { type: "home", blocks: dividers(100) } });
    const failure = await slackError(
      client.views.publish({ user_id: ALICE, view: { type: "home", blocks: dividers(101) } }),
    );
    expect(failure).toMatchObject({
      error: "invalid_blocks",
      errors: ["must be less than 101 items [json-pointer:/view/blocks]"],
    });
    expect(slack.workspace.homeView(ALICE)?.view.blocks).toHaveLength(100);
  });
});

describe("blockErrors", () => {
  it("reports every violation at once", () => {
    expect(
      blockErrors(
        [section("x".repeat(3001)), { type: "header", text: { type: "plain_text", text: "h".repeat(151) } }],
        {
          maxBlocks: 50,
        },
      ),
    ).toHaveLength(2);
    expect(blockErrors([{ type: "carousel" }], { maxBlocks: 50 })).toEqual([
      "unsupported type: carousel [json-pointer:/blocks/0/type]",
    ]);
  });
});
