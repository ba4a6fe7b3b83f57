/**
 * The sandbox Slack Web API through the real `@slack/web-api` WebClient: messages and threads, updates
 * with history, ephemerals, files.uploadV2, views, user groups and users, authentication, and the
 * response URLs of commands and clicks.
 */
import { randomBytes } from "node:crypto";
import type { WebClient } from "@slack/web-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SandboxSlack } from "../../sandbox/slack-server.js";
import type { WorkspaceChange } from "../../sandbox/slack-workspace.js";
import { FakeClock } from "../fakes/fake-clock.js";
import {
  ALICE,
  BOB,
  BOT_TOKEN,
  BOT_USER,
  DEPLOYS,
  OPS,
  rawCall,
  SRE_GROUP,
  slackError,
  startTestSlack,
  webClient,
} from "./slack-fixture.js";

let slack: SandboxSlack;
let client: WebClient;
let clock: FakeClock;

beforeEach(async () => {
  clock = new FakeClock(Date.UTC(2026, 0, 5, 9, 0, 0));
  slack = await startTestSlack({ clock, rateLimits: { "chat.postMessage": null } });
  client = webClient(slack);
});

afterEach(async () => {
  await slack.close();
});

describe("authentication", () => {
  it("auth.test names the bot and the team", async () => {
    const result = await client.auth.test();
    expect(result).toMatchObject({
      ok: true,
      user_id: BOT_USER,
      team_id: "T0KANARIA",
      bot_id: "B0KANARIA",
      url: "https://kanaria-sandbox.slack.com/",
    });
  });

  it("refuses a wrong token with invalid_auth and a missing one with not_authed", async () => {
    expect((await slackError(webClient(slack, { token: "xoxb-wrong" }).auth.test())).error).toBe(
      "invalid_auth",
    );
    const response = await fetch(`${slack.apiUrl}auth.test`, { method: "POST", body: "" });
    expect(await response.json()).toEqual({ ok: false, error: "not_authed" });
  });

  it("accepts the token as a form argument, and JSON bodies with a bearer token", async () => {
    const form = await fetch(`${slack.apiUrl}auth.test`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: BOT_TOKEN }).toString(),
    });
    expect(await form.json()).toMatchObject({ ok: true, user_id: BOT_USER });
    const json = await rawCall(
      slack,
      "chat.postMessage",
      JSON.stringify({ channel: DEPLOYS, blocks: [{ type: "divider" }], text: "json" }),
      { "content-type": "application/json; charset=utf-8" },
    );
    expect(await json.json()).toMatchObject({ ok: true, channel: DEPLOYS });
    expect(slack.workspace.messages(DEPLOYS)[0]?.blocks).toEqual([{ type: "divider" }]);
  });

  it("answers an unknown method with unknown_method", async () => {
    const response = await rawCall(slack, "chat.scheduleMessage", "");
    expect(await response.json()).toEqual({ ok: false, error: "unknown_method" });
  });
});

describe("messages and threads", () => {
  it("posts a message shaped like Slack's answer and stores it", async () => {
    const blocks = [{ type: "section", text: { type: "mrkdwn", text: "*web* v2" } }];
    const result = await client.chat.postMessage({
      channel: DEPLOYS,
      text: "web v2",
      blocks,
      metadata: { event_type: "deployment", event_payload: { id: "d1" } },
    });
    expect(result).toMatchObject({
      ok: true,
      channel: DEPLOYS,
      message: { type: "message", text: "web v2", user: BOT_USER, bot_id: "B0KANARIA", blocks },
    });
    expect(result.ts).toMatch(/^\d{10}\.\d{6}$/);
    const stored = slack.workspace.message(DEPLOYS, result.ts as string);
    expect(stored).toMatchObject({ text: "web v2", blocks, metadata: { event_type: "deployment" } });
  });

  it("threads replies, and a reply to a reply joins the parent's thread", async () => {
    const root = await client.chat.postMessage({ channel: DEPLOYS, text: "root" });
    const first = await client.chat.postMessage({
      channel: DEPLOYS,
      text: "one",
      thread_ts: root.ts as string,
    });
    const second = await client.chat.postMessage({
      channel: DEPLOYS,
      text: "two",
      thread_ts: first.ts as string,
    });
    expect(second.message?.thread_ts).toBe(root.ts);
    expect(slack.workspace.thread(DEPLOYS, root.ts as string).map((m) => m.text)).toEqual([
      "root",
      "one",
      "two",
    ]);
    expect(slack.workspace.messages(DEPLOYS).map((m) => [m.text, m.replies.map((r) => r.text)])).toEqual([
      ["root", ["one", "two"]],
    ]);
  });

  it("refuses a thread_ts that names no message in that channel", async () => {
    const root = await client.chat.postMessage({ channel: DEPLOYS, text: "root" });
    expect(
      (await slackError(client.chat.postMessage({ channel: OPS, text: "x", thread_ts: root.ts as string })))
        .error,
    ).toBe("thread_not_found");
    expect(
      (await slackError(client.chat.postMessage({ channel: DEPLOYS, text: "x", thread_ts: "1.000001" })))
        .error,
    ).toBe("thread_not_found");
  });

  it("refuses unknown channels, empty messages and over-long text", async () => {
    expect((await slackError(client.chat.postMessage({ channel: "C0NOPE", text: "x" }))).error).toBe(
      "channel_not_found",
    );
    expect((await slackError(client.chat.postMessage({ channel: DEPLOYS, text: "" }))).error).toBe("no_text");
    expect(
      (await slackError(client.chat.postMessage({ channel: DEPLOYS, text: "x".repeat(40_001) }))).error,
    ).toBe("msg_too_long");
    expect(slack.workspace.messages(DEPLOYS)).toEqual([]);
  });

  it("updates only the bot's messages and keeps every version", async () => {
    const root = await client.chat.postMessage({ channel: DEPLOYS, text: "v1" });
    const ts = root.ts as string;
    await client.chat.update({ channel: DEPLOYS, ts, text: "v2" });
    const updated = await client.chat.update({
      channel: DEPLOYS,
      ts,
      text: "v3",
      blocks: [{ type: "divider" }],
    });
    expect(updated).toMatchObject({ ok: true, channel: DEPLOYS, ts, text: "v3" });
    const stored = slack.workspace.message(DEPLOYS, ts);
    expect(stored?.versions.map((v) => v.text)).toEqual(["v1", "v2", "v3"]);
    expect(stored?.blocks).toEqual([{ type: "divider" }]);

    const human = slack.workspace.addMessage({ channel: DEPLOYS, user: ALICE, text: "hi", blocks: [] });
    expect(
      (await slackError(client.chat.update({ channel: DEPLOYS, ts: human.ts, text: "edit" }))).error,
    ).toBe("cant_update_message");
    expect(
      (await slackError(client.chat.update({ channel: DEPLOYS, ts: "1.000002", text: "x" }))).error,
    ).toBe("message_not_found");
  });

  it("stores ephemerals for one user and returns message_ts", async () => {
    const result = await client.chat.postEphemeral({ channel: DEPLOYS, user: ALICE, text: "only you" });
    expect(result.message_ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(slack.workspace.ephemerals(DEPLOYS, ALICE)).toMatchObject([{ text: "only you", via: "api" }]);
    expect(slack.workspace.ephemerals(DEPLOYS, BOB)).toEqual([]);
    expect(
      (await slackError(client.chat.postEphemeral({ channel: DEPLOYS, user: "U0NOPE", text: "x" }))).error,
    ).toBe("user_not_found");
  });

  it("tells listeners about every change", async () => {
    const changes: WorkspaceChange[] = [];
    const stop = slack.workspace.onChange((change) => changes.push(change));
    const root = await client.chat.postMessage({ channel: DEPLOYS, text: "root" });
    await client.chat.update({ channel: DEPLOYS, ts: root.ts as string, text: "root 2" });
    stop();
    await client.chat.postMessage({ channel: DEPLOYS, text: "unheard" });
    expect(changes.map((c) => c.kind)).toEqual(["message", "update"]);
  });

  it("logs every call with its arguments and status", async () => {
    await client.chat.postMessage({ channel: DEPLOYS, text: "logged" });
    await slackError(client.chat.postMessage({ channel: "C0NOPE", text: "x" }));
    expect(slack.calls.list("chat.postMessage").map((c) => [c.args.channel, c.status, c.error])).toEqual([
      [DEPLOYS, 200, undefined],
      ["C0NOPE", 200, "channel_not_found"],
    ]);
  });
});

describe("files.uploadV2", () => {
  it("shares the bytes intact into a thread", async () => {
    const root = await client.chat.postMessage({ channel: DEPLOYS, text: "root" });
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 255]),
      randomBytes(5000),
    ]);
    const result = await client.files.uploadV2({
      channel_id: DEPLOYS,
      thread_ts: root.ts as string,
      file: png,
      filename: "analysis.png",
      title: "Error ratio",
      initial_comment: "Analysis chart",
    });
    expect(result.ok).toBe(true);
    const [file] = slack.workspace.files();
    expect(file).toMatchObject({
      name: "analysis.png",
      title: "Error ratio",
      channel: DEPLOYS,
      threadTs: root.ts,
    });
    expect(file?.bytes?.equals(png)).toBe(true);
    const replies = slack.workspace.messages(DEPLOYS)[0]?.replies ?? [];
    expect(replies.map((r) => [r.text, r.files.map((f) => f.name)])).toEqual([
      ["Analysis chart", ["analysis.png"]],
    ]);
    expect(slack.calls.list().map((c) => c.method)).toEqual([
      "chat.postMessage",
      "files.getUploadURLExternal",
      "upload",
      "files.completeUploadExternal",
    ]);

    const download = await fetch(`${slack.url}/files/${file?.id}/analysis.png`, {
      headers: { authorization: `Bearer ${BOT_TOKEN}` },
    });
    expect(Buffer.from(await download.arrayBuffer()).equals(png)).toBe(true);
  });

  it("refuses to complete an upload whose bytes never arrived, or into a missing thread", async () => {
    const { file_id } = await client.files.getUploadURLExternal({ filename: "a.png", length: 10 });
    expect(
      (
        await slackError(
          client.files.completeUploadExternal({ files: [{ id: file_id as string }], channel_id: DEPLOYS }),
        )
      ).error,
    ).toBe("file_not_found");
    expect(
      (
        await slackError(
          client.files.uploadV2({
            channel_id: DEPLOYS,
            thread_ts: "1.000003",
            file: Buffer.from("x"),
            filename: "x.txt",
          }),
        )
      ).error,
    ).toBe("thread_not_found");
  });
});

describe("views", () => {
  it("publishes an App Home per user", async () => {
    const view = {
      type: "home" as const,
      blocks: [{ type: "section", text: { type: "mrkdwn", text: "Active: 1" } }],
    };
    const result = await client.views.publish({ user_id: ALICE, view });
    expect(result.view).toMatchObject({ type: "home", blocks: view.blocks, team_id: "T0KANARIA" });
    expect(slack.workspace.homeView(ALICE)?.view).toEqual(view);
    expect(slack.workspace.homeView(BOB)).toBeUndefined();
    expect((await slackError(client.views.publish({ user_id: "U0NOPE", view }))).error).toBe(
      "user_not_found",
    );
  });

  it("opens a modal for a fresh trigger and refuses an expired or unknown one", async () => {
    const modal = {
      type: "modal" as const,
      title: { type: "plain_text" as const, text: "Roll back web?" },
      blocks: [{ type: "section", text: { type: "mrkdwn", text: "Sure?" } }],
    };
    const trigger = slack.workspace.issueTrigger(ALICE);
    await client.views.open({ trigger_id: trigger, view: modal });
    expect(slack.workspace.modals(ALICE).map((m) => m.view)).toEqual([modal]);
    await clock.advance(3001);
    expect((await slackError(client.views.open({ trigger_id: trigger, view: modal }))).error).toBe(
      "expired_trigger_id",
    );
    expect((await slackError(client.views.open({ trigger_id: "1.2.nope", view: modal }))).error).toBe(
      "invalid_trigger_id",
    );
  });
});

describe("people", () => {
  it("lists a user group's members and describes users", async () => {
    expect((await client.usergroups.users.list({ usergroup: SRE_GROUP })).users).toEqual([ALICE, BOB]);
    expect((await slackError(client.usergroups.users.list({ usergroup: "S0NOPE" }))).error).toBe(
      "no_such_subteam",
    );
    const info = await client.users.info({ user: ALICE });
    expect(info.user).toMatchObject({ id: ALICE, name: "alice", real_name: "Alice Sato", tz: "Asia/Tokyo" });
    expect(info.user?.tz_offset).toBe(9 * 3600);
    expect((await slackError(client.users.info({ user: "U0NOPE" }))).error).toBe("user_not_found");
  });
});

describe("response URLs", () => {
  async function respond(id: string, body: unknown): Promise<Response> {
    return fetch(`${slack.url}/respond/${id}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  it("records a command's ephemeral and in-channel responses", async () => {
    const id = slack.workspace.createResponseUrl({
      kind: "command",
      command: "/deploy",
      text: "web v2",
      userId: ALICE,
      channelId: DEPLOYS,
    });
    expect((await respond(id, { text: "Starting…" })).status).toBe(200);
    expect((await respond(id, { response_type: "in_channel", text: "Deploying web v2" })).status).toBe(200);
    expect(slack.workspace.responses(id).map((r) => [r.responseType, r.text])).toEqual([
      ["ephemeral", "Starting…"],
      ["in_channel", "Deploying web v2"],
    ]);
    expect(slack.workspace.ephemerals(DEPLOYS, ALICE).map((e) => [e.text, e.via])).toEqual([
      ["Starting…", "response_url"],
    ]);
    expect(slack.workspace.messages(DEPLOYS).map((m) => m.text)).toEqual(["Deploying web v2"]);
  });

  it("replaces or deletes the clicked message, and refuses unknown and used-up URLs", async () => {
    const posted = await client.chat.postMessage({ channel: DEPLOYS, text: "Approve?" });
    const ts = posted.ts as string;
    const click = {
      kind: "click" as const,
      actionId: "approve",
      userId: BOB,
      channelId: DEPLOYS,
      messageTs: ts,
    };
    const id = slack.workspace.createResponseUrl(click);
    await respond(id, { replace_original: true, text: "Approved by @bob" });
    expect(slack.workspace.message(DEPLOYS, ts)?.versions.map((v) => v.text)).toEqual([
      "Approve?",
      "Approved by @bob",
    ]);
    await respond(id, { delete_original: true });
    expect(slack.workspace.message(DEPLOYS, ts)).toBeUndefined();
    expect(slack.workspace.responses(id).map((r) => [r.replaceOriginal, r.deleteOriginal])).toEqual([
      [true, false],
      [false, true],
    ]);
    expect((await respond("R0NOPE", { text: "x" })).status).toBe(404);
    for (let i = 0; i < 3; i++) expect((await respond(id, { text: `more ${i}` })).status).toBe(200);
    const used = await respond(id, { text: "sixth" });
    expect([used.status, await used.json()]).toEqual([404, { ok: false, error: "used_url" }]);
  });
});
