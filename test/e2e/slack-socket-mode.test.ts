/**
 * Socket Mode end to end: with an app token the bot opens a WebSocket through `apps.connections.open`
 * instead of listening for HTTP, and the same commands and clicks arrive as envelopes it acknowledges.
 */
import { afterEach, describe, expect, it } from "vitest";
import { SANDBOX_CHANNEL, SANDBOX_PEOPLE } from "../../sandbox/cli/sandbox-bot.js";
import { type BotHarness, startHarness } from "./slack-harness.js";

const { alice, carol, mallory } = SANDBOX_PEOPLE;

describe("Socket Mode", () => {
  let h: BotHarness;
  afterEach(async () => {
    await h?.close();
  });

  it("receives /deploy and button clicks over the WebSocket, acknowledging every envelope", async () => {
    h = await startHarness({ socketMode: true });
    const { slack, bot } = h.sandbox;
    expect(bot.port).toBe(0);
    expect(slack.socketMode.openConnections()).toBe(1);
    expect(
      slack.calls.list().some((c) => c.method === "apps.connections.open" && c.error === undefined),
    ).toBe(true);

    await h.shipFirstVersion();
    const refused = await h.command(mallory, "web v2 sneaky");
    expect(refused.text).toContain("You're not a deployer of *web*");
    const id = await h.deploy(alice, "web v2 over a socket");
    await h.untilStatus(id, "WAITING_APPROVAL");
    const click = await h.click(id, "approve", carol);
    expect(click.status).toBe(200);
    await h.untilStatus(id, "SUCCESS");

    const question = await h.ask(carol, SANDBOX_CHANNEL, "who deployed web last");
    expect(question.answer.text).toContain("Last deployment of *web*");

    const envelopes = slack.socketMode.envelopes();
    expect(new Set(envelopes.map((e) => e.type))).toEqual(
      new Set(["slash_commands", "interactive", "events_api"]),
    );
    expect(envelopes.every((e) => e.acked)).toBe(true);
    expect(await h.weights()).toEqual([100, 0]);
  });
});
