/**
 * The door, end to end (issue 15's attack corpus): signed HTTP to the real bot's Bolt receiver with
 * bodies that are not Slack payloads, timestamps outside Slack's five minutes either way, and a
 * captured command replayed to a restarted bot. Each must be turned away and leave the bot answering.
 */
import { afterEach, describe, expect, it } from "vitest";
import { SANDBOX_CHANNEL, SANDBOX_PEOPLE } from "../../sandbox/cli/sandbox-bot.js";
import { slashCommandBody } from "../../sandbox/slack-payloads.js";
import { type BotHarness, startHarness } from "./slack-harness.js";

const { alice } = SANDBOX_PEOPLE;
const FORM = "application/x-www-form-urlencoded";
const JSON_TYPE = "application/json";

describe("the door", () => {
  let h: BotHarness;
  afterEach(async () => {
    await h?.close();
  });

  /** A well-formed `/deploy <text>` by alice, as Slack would send it, and its response URL's id. */
  function commandBody(text: string): { body: string; responseUrlId: string } {
    const { workspace, url } = h.sandbox.slack;
    const input = { command: "/deploy", text, userId: alice, channelId: SANDBOX_CHANNEL };
    const responseUrlId = workspace.createResponseUrl({ kind: "command", ...input });
    const body = slashCommandBody(workspace, {
      ...input,
      responseUrl: `${url}/respond/${responseUrlId}`,
      triggerId: workspace.issueTrigger(alice),
    });
    return { body, responseUrlId };
  }

  const health = async () => (await fetch(`http://127.0.0.1:${h.sandbox.bot.port}/healthz`)).status;

  it("answers 400 to a signed null payload, as a form field or a JSON body, and keeps answering", async () => {
    h = await startHarness();
    const { client } = h.sandbox;
    expect((await client.send("payload=null", { contentType: FORM })).status).toBe(400);
    expect(await health()).toBe(200);
    expect((await client.send("null", { contentType: JSON_TYPE })).status).toBe(400);
    expect(await health()).toBe(200);
    expect((await client.send("payload=null", { signature: `v0=${"0".repeat(64)}` })).status).toBe(401);

    const answer = await h.command(alice, "status");
    expect(answer.text).toContain("No deployments and no locks yet.");
    expect(await health()).toBe(200);
  });

  it("replaces a Slack receiver thread that dies: /healthz and /deploy are answered on the same port", async () => {
    h = await startHarness();
    const receiver = h.sandbox.bot.slack.receiver;
    if (!receiver) throw new Error("the harness bot has no HTTP receiver");
    expect(await receiver.injectCrash()).toBe(h.sandbox.bot.port);
    expect(await health()).toBe(200);
    expect((await h.command(alice, "status")).text).toContain("No deployments and no locks yet.");
  });

  it("turns away requests signed more than five minutes ahead as well as behind, and does nothing", async () => {
    h = await startHarness();
    const nowSeconds = Math.floor(Date.now() / 1000);
    const sent: string[] = [];
    for (const offset of [-6 * 60, 10 * 60, 365 * 24 * 3600]) {
      const attempt = commandBody("web v1");
      const reply = await h.sandbox.client.send(attempt.body, { timestamp: nowSeconds + offset });
      expect({ offset, status: reply.status }).toEqual({ offset, status: 401 });
      sent.push(attempt.responseUrlId);
    }
    // The same command signed now is taken: the refusals were about the timestamps alone.
    const fresh = commandBody("web v1");
    expect((await h.sandbox.client.send(fresh.body)).status).toBe(200);
    expect(await h.ephemeralOf(fresh.responseUrlId)).toContain("Deploying *web* v1");
    for (const id of sent) expect(h.sandbox.slack.workspace.responses(id)).toEqual([]);
    expect(h.counts().deployments).toBe(1);
  });

  it("does not act on a captured /deploy lock replayed to the same bot, nor after a restart on the same database", async () => {
    h = await startHarness();
    // The attacker's copy: the exact bytes Slack sent, timestamp and signature included.
    const captured = commandBody("lock web maintenance window");
    const signedAt = Math.floor(Date.now() / 1000);
    const replay = () => h.sandbox.client.send(captured.body, { timestamp: signedAt });
    expect((await replay()).status).toBe(200);
    expect(await h.ephemeralOf(captured.responseUrlId)).toContain("locked");
    expect(h.sandbox.store.locks.get("web")?.reason).toBe("maintenance window");
    expect((await h.command(alice, "unlock web")).text).toContain("unlocked");
    expect(h.sandbox.store.locks.get("web")).toBeUndefined();

    expect((await replay()).status).toBe(200);
    // A later command is answered, so the replay was handled (and ignored) by then.
    await h.command(alice, "status");
    expect(h.sandbox.store.locks.get("web")).toBeUndefined();

    await h.sandbox.restartBot();
    expect((await replay()).status).toBe(200);
    await h.command(alice, "status");
    expect(h.sandbox.store.locks.get("web")).toBeUndefined();
    expect(h.sandbox.slack.workspace.responses(captured.responseUrlId)).toHaveLength(1);
  });
});
