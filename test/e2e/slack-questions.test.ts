/**
 * What people do around a running deployment, end to end: `/deploy rollback|cancel|status|history`,
 * questions to @kanaria answered where they were asked, and the App Home with the approvals that wait
 * for the viewer.
 */
import { afterEach, describe, expect, it } from "vitest";
import { SANDBOX_CHANNEL, SANDBOX_OTHER_CHANNEL, SANDBOX_PEOPLE } from "../../sandbox/cli/sandbox-bot.js";
import { ACTION_IDS } from "../../src/views/action-ids.js";
import { type BotHarness, blockText, buttonsOf, startHarness } from "./slack-harness.js";

const { alice, bob, carol, mallory } = SANDBOX_PEOPLE;
const ANALYSIS = 2;

describe("running deployments from Slack", () => {
  let h: BotHarness;
  afterEach(async () => {
    await h?.close();
  });

  const threadPath = (id: string) => `/archives/${SANDBOX_CHANNEL}/p${h.root(id).ts.replace(".", "")}`;

  it("rolls back and cancels with /deploy; status and history tell what happened, with thread links", async () => {
    h = await startHarness();
    const v1 = await h.shipFirstVersion();
    const v2 = await h.deploy(alice, "web v2 new checkout flow");
    await h.until(() => h.sandbox.store.stages.get(v2, ANALYSIS)?.status === "RUNNING", "v2's analysis");

    const status = await h.command(bob, "status");
    expect(status.text).toContain("1 deployment running · 0 locks");
    expect(status.text).toContain("*web* · live: *v1*");
    expect(status.text).toMatch(new RegExp(`v2 by <@${alice}> since .* — running, ANALYSIS`));
    expect(status.text).toContain(`${threadPath(v2)}|thread>`);

    const rollback = await h.command(bob, "rollback web");
    expect(rollback.text).toContain("👌 rollback of *web* v2 requested");
    await h.untilStatus(v2, "ROLLED_BACK");
    expect(await h.weights()).toEqual([100, 0]);
    expect(h.sandbox.store.commands.list(v2)).toEqual([
      expect.objectContaining({ kind: "ROLLBACK", actor: bob, outcome: "APPLIED" }),
    ]);
    expect((await h.command(bob, "rollback web")).text).toContain(
      "Nothing to roll back: no deployment of *web* is running.",
    );

    const v4 = await h.deploy(carol, "web v4");
    await h.until(() => h.sandbox.store.stages.get(v4, 0)?.status === "RUNNING", "v4's canary rollout");
    const cancel = await h.command(alice, "cancel web");
    expect(cancel.text).toContain("👌 cancel of *web* v4 requested");
    await h.untilStatus(v4, "CANCELLED");
    expect(await h.weights()).toEqual([100, 0]);
    expect(h.counts()).toEqual({ deployments: 3, commands: 2 });

    const history = await h.command(mallory, "history web");
    expect(history.text).toContain("History of web");
    const lines = history.text.split("\n").filter((l) => /^\S+ \*v\d\*/.test(l));
    expect(lines).toHaveLength(3);
    const [l4, l2, l1] = lines;
    expect(l4).toContain("*v4* cancelled");
    expect(l4).toContain(`<@${carol}>`);
    expect(l4).toContain(`${threadPath(v4)}|thread>`);
    expect(l2).toContain("*v2* rolled back");
    expect(l2).toContain(`${threadPath(v2)}|thread>`);
    expect(l2).toContain("new checkout flow");
    expect(l1).toContain("*v1* live");
    expect(l1).toContain(`${threadPath(v1)}|thread>`);
  });

  it("answers questions to @kanaria in the thread or channel where they were asked", async () => {
    h = await startHarness();
    const v1 = await h.shipFirstVersion();
    const v2 = await h.deploy(alice, "web v2");
    await h.untilStatus(v2, "WAITING_APPROVAL");
    const rootTs = h.root(v2).ts;

    const history = await h.ask(bob, SANDBOX_CHANNEL, "history web");
    expect(history.answer).toMatchObject({ channel: SANDBOX_CHANNEL, threadTs: history.ts });
    const historyText = blockText(history.answer);
    expect(historyText).toContain("History of web");
    expect(historyText).toMatch(/\*v2\* waiting for approval/);
    expect(historyText).toMatch(/\*v1\* live/);
    expect(historyText).toContain(`p${h.root(v1).ts.replace(".", "")}|thread>`);

    const last = await h.ask(carol, SANDBOX_CHANNEL, "who deployed web last?", rootTs);
    expect(last.answer).toMatchObject({ channel: SANDBOX_CHANNEL, threadTs: rootTs });
    expect(last.answer.text).toContain(`Last deployment of *web*: ⏸️ *v2* waiting for approval · <@${alice}>`);

    // Asked in the deployment's thread without naming the app: the thread's app.
    const inThread = await h.ask(carol, SANDBOX_CHANNEL, "history", rootTs);
    expect(inThread.answer.threadTs).toBe(rootTs);
    expect(blockText(inThread.answer)).toContain("History of web");

    const running = await h.ask(mallory, SANDBOX_OTHER_CHANNEL, "what is running in web?");
    expect(running.answer).toMatchObject({ channel: SANDBOX_OTHER_CHANNEL, threadTs: running.ts });
    expect(running.answer.text).toContain("*web* · live: *v1*");
    expect(running.answer.text).toMatch(/v2 by .* — waiting for approval/);

    const status = await h.ask(bob, SANDBOX_OTHER_CHANNEL, "status");
    expect(status.answer).toMatchObject({ channel: SANDBOX_OTHER_CHANNEL, threadTs: status.ts });
    expect(blockText(status.answer)).toContain("1 deployment running · 0 locks");

    const unknown = await h.ask(bob, SANDBOX_OTHER_CHANNEL, "history wbe");
    expect(unknown.answer.text).toContain("Did you mean `web`?");
    // Nothing the questions did reached the deployment's thread beyond the answers asked there.
    expect(h.thread(v2).filter((m) => m.user !== h.sandbox.slack.workspace.botUserId)).toHaveLength(2);
  });

  it("answers a mention Slack delivers twice (same event id) once", async () => {
    h = await startHarness();
    await h.shipFirstVersion();
    const { client } = h.sandbox;
    const sent = await client.mention({ channelId: SANDBOX_OTHER_CHANNEL, userId: bob, text: "status" });
    const again = await client.redeliver(sent);
    expect([sent.status, again.status]).toEqual([200, 200]);
    const ts = sent.ts ?? "";
    await h.until(() => h.botReplies(SANDBOX_OTHER_CHANNEL, ts).length > 0, "the answer");
    // Time for a second answer, if a redelivery made one.
    await h.clock.advance(30_000);
    await h.settle();
    expect(h.botReplies(SANDBOX_OTHER_CHANNEL, ts)).toHaveLength(1);
  });

  it("publishes the App Home with the pending approval for an approver, not for mallory or the requester", async () => {
    h = await startHarness();
    await h.shipFirstVersion();
    const v2 = await h.deploy(alice, "web v2");
    await h.untilStatus(v2, "WAITING_APPROVAL");

    /** The "Waiting for your approval" part of a Home view: its blocks up to the next divider. */
    const pendingPart = (view: Record<string, unknown>) => {
      const blocks = (view.blocks ?? []) as Array<{ type: string; text?: { text?: string } }>;
      const start = blocks.findIndex(
        (b) => b.type === "header" && b.text?.text === "Waiting for your approval",
      );
      expect(start).toBeGreaterThanOrEqual(0);
      const end = blocks.findIndex((b, i) => i > start && b.type === "divider");
      return { blocks: blocks.slice(start + 1, end < 0 ? undefined : end) };
    };

    const bobs = pendingPart(await h.openHome(bob));
    expect(blockText(bobs)).toContain("web");
    expect(blockText(bobs)).toContain("v2");
    expect(buttonsOf(bobs)).toContain(ACTION_IDS.approve);
    for (const person of [mallory, alice]) {
      const part = pendingPart(await h.openHome(person));
      expect(blockText(part)).toContain("Nothing waits for you.");
      expect(buttonsOf(part)).toEqual([]);
    }
    expect(blockText({ blocks: (await h.openHome(mallory)).blocks as unknown[] })).toContain("v2");
  });
});
