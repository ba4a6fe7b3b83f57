/**
 * The readable rendering of a thread the demo prints: latest root version, replies, Block Kit as text,
 * mrkdwn references resolved.
 */
import type { WebClient } from "@slack/web-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SandboxSlack } from "../../sandbox/slack-server.js";
import { renderMrkdwn, renderThread } from "../../sandbox/slack-transcript.js";
import { FakeClock } from "../fakes/fake-clock.js";
import { ALICE, DEPLOYS, SRE_GROUP, startTestSlack, webClient } from "./slack-fixture.js";

let slack: SandboxSlack;
let client: WebClient;

beforeEach(async () => {
  slack = await startTestSlack({ clock: new FakeClock(Date.UTC(2026, 0, 5, 9, 0, 0)) });
  client = webClient(slack);
});

afterEach(async () => {
  await slack.close();
});

describe("renderThread", () => {
  it("renders the latest root, its blocks and the replies", async () => {
    const root = await client.chat.postMessage({ channel: DEPLOYS, text: "web v2 (planned)" });
    const ts = root.ts as string;
    await client.chat.update({
      channel: DEPLOYS,
      ts,
      text: "web v2 running",
      blocks: [
        { type: "header", text: { type: "plain_text", text: "🚀 web v1 → v2" } },
        {
          type: "section",
          text: { type: "mrkdwn", text: "Requested by <@U0ALICE>: <https://example.com/pr/7|PR #7>" },
          fields: [
            { type: "mrkdwn", text: "*Status*\nRUNNING" },
            { type: "mrkdwn", text: "*Traffic*\n90 / 10" },
          ],
        },
        { type: "context", elements: [{ type: "mrkdwn", text: "cc <!subteam^S0SRE>" }] },
        { type: "divider" },
        {
          type: "actions",
          elements: [
            { type: "button", action_id: "approve", text: { type: "plain_text", text: "Approve" } },
            { type: "button", action_id: "rollback", text: { type: "plain_text", text: "Roll back" } },
          ],
        },
      ],
    });
    await client.chat.postMessage({ channel: DEPLOYS, thread_ts: ts, text: "Canary at 10% &amp; healthy" });
    await client.files.uploadV2({
      channel_id: DEPLOYS,
      thread_ts: ts,
      file: Buffer.from("png"),
      filename: "analysis.png",
      title: "Error ratio",
    });

    expect(renderThread(slack.workspace, DEPLOYS, ts)).toBe(
      [
        `#deploys — thread ${ts}`,
        "@kanaria  09:00:00 (edited 1 time)",
        "  == 🚀 web v1 → v2 ==",
        "  Requested by @alice: PR #7",
        "    • *Status* RUNNING",
        "    • *Traffic* 90 / 10",
        "  cc @sre",
        "  ────────────────────────────",
        "  [ Approve ]  [ Roll back ]",
        "",
        "    ↳ @kanaria  09:00:00",
        "        Canary at 10% & healthy",
        "",
        "    ↳ @kanaria  09:00:00",
        "        📎 Error ratio (analysis.png)",
      ].join("\n"),
    );
  });

  it("renders a thread from any of its messages and says so when there is none", async () => {
    const root = await client.chat.postMessage({ channel: DEPLOYS, text: "root" });
    const reply = await client.chat.postMessage({
      channel: DEPLOYS,
      thread_ts: root.ts as string,
      text: "reply",
    });
    expect(renderThread(slack.workspace, DEPLOYS, reply.ts as string)).toBe(
      renderThread(slack.workspace, DEPLOYS, root.ts as string),
    );
    expect(renderThread(slack.workspace, DEPLOYS, "1.000001")).toBe("(no message 1.000001 in #deploys)");
  });
});

describe("renderMrkdwn", () => {
  it("resolves users, channels, groups, links and dates", () => {
    expect(
      renderMrkdwn(
        slack.workspace,
        `<@${ALICE}> in <#C0DEPLOYS> for <!subteam^${SRE_GROUP}|@sre-team> <!here> <https://x.test> <!date^1767603600^{time}|09:00> a &lt; b`,
      ),
    ).toBe("@alice in #deploys for @sre @here https://x.test 09:00 a < b");
  });
});
