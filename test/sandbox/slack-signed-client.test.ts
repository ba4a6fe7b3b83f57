/**
 * The signed client toward a stand-in bot (a plain node:http server in the test): what it receives for
 * slash commands, clicks and events, signed as Slack signs (checked here with an independent HMAC), and
 * how responses to the response URL land back in the sandbox workspace.
 */
import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { WebClient } from "@slack/web-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { closeServer, listen } from "../../sandbox/sandbox-http.js";
import type { SandboxSlack } from "../../sandbox/slack-server.js";
import { SlackSignedClient } from "../../sandbox/slack-signed-client.js";
import { ALICE, BOB, BOT_USER, DEPLOYS, SIGNING_SECRET, startTestSlack, webClient } from "./slack-fixture.js";

interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let slack: SandboxSlack;
let client: WebClient;
let bot: Server;
let received: Received[];
let signed: SlackSignedClient;
/** What the stand-in bot does with a request before acking it. */
let onRequest: (request: Received) => Promise<void>;

const NOW_MS = Date.UTC(2026, 0, 5, 9, 0, 0);

beforeEach(async () => {
  slack = await startTestSlack();
  client = webClient(slack);
  received = [];
  onRequest = async () => undefined;
  bot = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const entry = {
        url: request.url ?? "",
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      received.push(entry);
      void onRequest(entry).then(() => response.writeHead(200).end());
    });
  });
  const botUrl = `${await listen(bot, "127.0.0.1", 0)}/slack/events`;
  signed = new SlackSignedClient({
    botUrl,
    signingSecret: SIGNING_SECRET,
    slack,
    clock: { now: () => NOW_MS },
  });
});

afterEach(async () => {
  await closeServer(bot);
  await slack.close();
});

/** Slack's signature, computed independently of the client under test. */
function expectedSignature(timestamp: string, body: string): string {
  return `v0=${createHmac("sha256", SIGNING_SECRET).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

function only(): Received {
  expect(received).toHaveLength(1);
  return received[0] as Received;
}

describe("signatures", () => {
  it("signs every request with the timestamp and an HMAC of v0:timestamp:body", async () => {
    await signed.slashCommand({ command: "/deploy", text: "status", userId: ALICE, channelId: DEPLOYS });
    const request = only();
    expect(request.url).toBe("/slack/events");
    expect(request.headers["x-slack-request-timestamp"]).toBe(String(NOW_MS / 1000));
    expect(request.headers["x-slack-signature"]).toBe(expectedSignature(String(NOW_MS / 1000), request.body));
  });

  it("sends forged and stale requests exactly as told", async () => {
    await signed.send("command=%2Fdeploy", { signature: "v0=forged" });
    await signed.send("command=%2Fdeploy", { timestamp: 1_000 });
    const [forged, stale] = received as [Received, Received];
    expect(forged.headers["x-slack-signature"]).toBe("v0=forged");
    expect(stale.headers["x-slack-request-timestamp"]).toBe("1000");
    expect(stale.headers["x-slack-signature"]).toBe(expectedSignature("1000", "command=%2Fdeploy"));
  });
});

describe("slash commands", () => {
  it("are form-encoded with Slack's fields and a response URL back to the sandbox", async () => {
    onRequest = async (request) => {
      const responseUrl = new URLSearchParams(request.body).get("response_url") as string;
      await fetch(responseUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ response_type: "ephemeral", text: "web is healthy" }),
      });
    };
    const reply = await signed.slashCommand({
      command: "/deploy",
      text: "status web",
      userId: ALICE,
      channelId: DEPLOYS,
    });
    expect(reply.status).toBe(200);
    const request = only();
    expect(request.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    const fields = Object.fromEntries(new URLSearchParams(request.body));
    expect(fields).toMatchObject({
      team_id: "T0KANARIA",
      team_domain: "kanaria-sandbox",
      channel_id: DEPLOYS,
      channel_name: "deploys",
      user_id: ALICE,
      user_name: "alice",
      command: "/deploy",
      text: "status web",
      api_app_id: "A0KANARIA",
      response_url: `${slack.url}/respond/${reply.responseUrlId}`,
      trigger_id: reply.triggerId,
    });
    expect(fields.token).toBeTruthy();
    expect(slack.workspace.responses(reply.responseUrlId).map((r) => r.text)).toEqual(["web is healthy"]);
    expect(slack.workspace.ephemerals(DEPLOYS, ALICE).map((e) => e.text)).toEqual(["web is healthy"]);
  });

  it("carry a trigger id the bot can open a modal with", async () => {
    const reply = await signed.slashCommand({
      command: "/deploy",
      text: "",
      userId: BOB,
      channelId: DEPLOYS,
    });
    await client.views.open({
      trigger_id: reply.triggerId,
      view: { type: "modal", title: { type: "plain_text", text: "Deploy" }, blocks: [] },
    });
    expect(slack.workspace.modals(BOB)).toHaveLength(1);
  });
});

describe("button clicks", () => {
  async function postApproval(): Promise<string> {
    const result = await client.chat.postMessage({
      channel: DEPLOYS,
      text: "Approve web v2?",
      blocks: [
        { type: "section", text: { type: "mrkdwn", text: "Approve *web* v2?" } },
        {
          type: "actions",
          block_id: "approval",
          elements: [
            {
              type: "button",
              action_id: "approve",
              style: "primary",
              value: "d-42",
              text: { type: "plain_text", text: "Approve" },
              confirm: {
                title: { type: "plain_text", text: "Approve?" },
                text: { type: "mrkdwn", text: "Promote web v2" },
                confirm: { type: "plain_text", text: "Approve" },
                deny: { type: "plain_text", text: "Cancel" },
              },
            },
          ],
        },
      ],
    });
    return result.ts as string;
  }

  it("post a block_actions payload built from the stored button", async () => {
    const ts = await postApproval();
    onRequest = async (request) => {
      const payload = JSON.parse(new URLSearchParams(request.body).get("payload") as string);
      await fetch(payload.response_url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ replace_original: true, text: "Approved by <@U0BOB>" }),
      });
    };
    const reply = await signed.clickButton({
      channelId: DEPLOYS,
      messageTs: ts,
      actionId: "approve",
      userId: BOB,
    });
    const request = only();
    expect(request.headers["x-slack-signature"]).toBe(
      expectedSignature(request.headers["x-slack-request-timestamp"] as string, request.body),
    );
    const payload = JSON.parse(new URLSearchParams(request.body).get("payload") as string);
    expect(payload).toMatchObject({
      type: "block_actions",
      user: { id: BOB, username: "bob", team_id: "T0KANARIA" },
      api_app_id: "A0KANARIA",
      team: { id: "T0KANARIA" },
      channel: { id: DEPLOYS, name: "deploys" },
      container: { type: "message", message_ts: ts, channel_id: DEPLOYS, is_ephemeral: false },
      message: { ts, text: "Approve web v2?", bot_id: "B0KANARIA" },
      response_url: `${slack.url}/respond/${reply.responseUrlId}`,
      trigger_id: reply.triggerId,
    });
    expect(payload.actions).toEqual([
      {
        action_id: "approve",
        block_id: "approval",
        text: { type: "plain_text", text: "Approve" },
        value: "d-42",
        style: "primary",
        type: "button",
        action_ts: expect.stringMatching(/^\d+\.\d{6}$/),
      },
    ]);
    expect(slack.workspace.message(DEPLOYS, ts)?.versions.map((v) => v.text)).toEqual([
      "Approve web v2?",
      "Approved by <@U0BOB>",
    ]);
  });

  it("fail clearly when the message has no such button", async () => {
    const ts = await postApproval();
    await expect(
      signed.clickButton({ channelId: DEPLOYS, messageTs: ts, actionId: "rollback", userId: BOB }),
    ).rejects.toMatchObject({
      code: "button_not_found",
      message: expect.stringContaining("buttons: approve"),
    });
    await expect(
      signed.clickButton({ channelId: DEPLOYS, messageTs: "1.000001", actionId: "approve", userId: BOB }),
    ).rejects.toMatchObject({ code: "message_not_found" });
    expect(received).toEqual([]);
  });
});

describe("events", () => {
  it("a mention is stored as the user's message and delivered as app_mention", async () => {
    const root = await client.chat.postMessage({ channel: DEPLOYS, text: "web v2 deploying" });
    const reply = await signed.mention({
      channelId: DEPLOYS,
      userId: ALICE,
      text: "status",
      threadTs: root.ts as string,
    });
    const request = only();
    expect(request.headers["content-type"]).toBe("application/json");
    const envelope = JSON.parse(request.body);
    expect(envelope).toMatchObject({
      type: "event_callback",
      team_id: "T0KANARIA",
      api_app_id: "A0KANARIA",
      event_id: reply.eventId,
      authorizations: [{ user_id: BOT_USER, is_bot: true }],
      event: {
        type: "app_mention",
        user: ALICE,
        text: `<@${BOT_USER}> status`,
        channel: DEPLOYS,
        ts: reply.ts,
        thread_ts: root.ts,
      },
    });
    expect(slack.workspace.thread(DEPLOYS, root.ts as string).map((m) => [m.user, m.text])).toEqual([
      [BOT_USER, "web v2 deploying"],
      [ALICE, `<@${BOT_USER}> status`],
    ]);
  });

  it("app_home_opened carries the user and the published home", async () => {
    await client.views.publish({ user_id: ALICE, view: { type: "home", blocks: [{ type: "divider" }] } });
    await signed.appHomeOpened(ALICE);
    const envelope = JSON.parse(only().body);
    expect(envelope.event).toMatchObject({
      type: "app_home_opened",
      user: ALICE,
      tab: "home",
      view: { type: "home" },
    });
  });

  it("redeliver sends the same body again with Slack's retry headers", async () => {
    const first = await signed.mention({ channelId: DEPLOYS, userId: ALICE, text: "history web" });
    const second = await signed.redeliver(first);
    await signed.redeliver(second);
    const [a, b, c] = received as [Received, Received, Received];
    expect(b.body).toBe(a.body);
    expect(c.body).toBe(a.body);
    expect(a.headers["x-slack-retry-num"]).toBeUndefined();
    expect([b.headers["x-slack-retry-num"], b.headers["x-slack-retry-reason"]]).toEqual([
      "1",
      "http_timeout",
    ]);
    expect(c.headers["x-slack-retry-num"]).toBe("2");
    expect(b.headers["x-slack-signature"]).toBe(
      expectedSignature(b.headers["x-slack-request-timestamp"] as string, b.body),
    );
    // A redelivery is the same event, not a second message in the channel.
    expect(slack.workspace.messages(DEPLOYS)).toHaveLength(1);
  });
});
