/**
 * The bot when Slack is not well, end to end: a 429 storm in the deployment's channel neither stops the
 * deployment nor holds up another channel, and the thread catches up afterwards with every reply once;
 * Slack down entirely does not keep an automatic rollback from completing. And the analysis charts land
 * in the deployment's thread as PNGs, one per metric.
 */
import { afterEach, describe, expect, it } from "vitest";
import { SANDBOX_CHANNEL, SANDBOX_OTHER_CHANNEL, SANDBOX_PEOPLE } from "../../sandbox/cli/sandbox-bot.js";
import { SANDBOX_BAD_VERSION } from "../../sandbox/cli/sandbox-stack.js";
import { ACTION_IDS } from "../../src/views/action-ids.js";
import { type BotHarness, blockText, buttonsOf, startHarness } from "./slack-harness.js";

const { alice, bob, mallory } = SANDBOX_PEOPLE;
const ANALYSIS = 2;
const STAGE_COUNT = 7;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe("Slack faults and charts", () => {
  let h: BotHarness;
  afterEach(async () => {
    await h?.close();
  });

  const replyTexts = (id: string) =>
    h
      .thread(id)
      .slice(1)
      .map((m) => m.text);

  it("a 429 storm in #deploys delays neither the deployment nor another channel; the thread catches up", async () => {
    h = await startHarness();
    await h.shipFirstVersion();
    const { slack } = h.sandbox;
    const stormEnd = h.clock.now() + 4 * 60_000;
    slack.faults.rateLimitChannel(SANDBOX_CHANNEL, { retryAfterSeconds: 20, untilMs: stormEnd });

    const id = await h.deploy(alice, "web v2");
    await h.advanceUntil(
      () => h.sandbox.store.stages.get(id, ANALYSIS)?.status === "RUNNING",
      "v2's analysis",
    );
    // The engine went on while #deploys answered nothing but 429s: no root message yet.
    expect(h.clock.now()).toBeLessThan(stormEnd);
    expect(h.sandbox.store.slackThreads.get(id)?.rootTs).toBeUndefined();

    const asked = await h.ask(mallory, SANDBOX_OTHER_CHANNEL, "what is running in web?");
    expect(h.clock.now()).toBeLessThan(stormEnd);
    expect(asked.answer.text).toContain("*web* · live: *v1*");
    expect(h.sandbox.store.slackThreads.get(id)?.rootTs).toBeUndefined();

    await h.untilStatus(id, "WAITING_APPROVAL");
    expect(h.clock.now()).toBeGreaterThan(stormEnd);
    // The storm outlasted one job's budget of 429 pauses (10 × 20 s): the thread must catch up anyway.
    expect(h.sandbox.bot.slack.queue.stats()[SANDBOX_CHANNEL]?.rateLimited).toBeGreaterThan(10);

    await h.click(id, "approve", bob);
    await h.untilStatus(id, "SUCCESS");
    const root = h.root(id);
    expect(root.text).toContain("web v1 → v2: Live");
    expect(blockText(root)).toContain(`Approved by <@${bob}>`);
    expect(buttonsOf(root)).toEqual([]);
    const replies = replyTexts(id);
    expect(new Set(replies).size).toBe(replies.length);
    for (let stage = 1; stage <= STAGE_COUNT; stage++) {
      const of = (word: string) =>
        replies.filter((r) => r.includes(`(${stage}/${STAGE_COUNT})`) && r.includes(word));
      expect(of("started")).toHaveLength(1);
      expect(of("done after")).toHaveLength(1);
    }
    expect(replies.filter((r) => r.startsWith("📊 Analysis of web v2"))).toHaveLength(1);
    expect(replies.at(-1)).toContain("web v2 is live (v1 → v2)");
  });

  it("completes an automatic rollback while Slack is down", async () => {
    h = await startHarness();
    await h.shipFirstVersion();
    const id = await h.deploy(alice, `web ${SANDBOX_BAD_VERSION} faster search`);
    await h.until(() => h.sandbox.store.stages.get(id, ANALYSIS)?.status === "RUNNING", "the analysis");
    expect(await h.weights()).toEqual([90, 10]);

    h.sandbox.slack.faults.down();
    const downAt = h.clock.now();
    const failedCalls = () => h.sandbox.slack.calls.list().filter((c) => c.status === 503).length;
    await h.until(
      () => h.deployment(id).status !== "RUNNING" && h.deployment(id).status !== "ROLLING_BACK",
      "the end of the rollback",
    );
    expect(h.deployment(id)).toMatchObject({ status: "ROLLED_BACK", rollbackCause: "STAGE_FAILURE" });
    expect(await h.weights()).toEqual([100, 0]);
    // Decided at the first bad minutes, not after Slack came back (it never did) or a deadline.
    expect((h.deployment(id).finishedAt ?? Number.POSITIVE_INFINITY) - downAt).toBeLessThan(5 * 60_000);
    expect(failedCalls()).toBeGreaterThan(0);
    // Slack saw nothing of the rollback: the root still offers the buttons of a running deployment.
    expect(buttonsOf(h.root(id))).toContain(ACTION_IDS.rollback);
  });

  it("uploads one PNG per metric into the deployment's thread after the analysis", async () => {
    h = await startHarness({ charts: true });
    const v1 = await h.shipFirstVersion();
    const id = await h.deploy(alice, "web v2");
    await h.untilStatus(id, "WAITING_APPROVAL");
    const { workspace } = h.sandbox.slack;
    const rootTs = h.root(id).ts;

    const files = workspace.files().filter((f) => f.channel === SANDBOX_CHANNEL && f.threadTs === rootTs);
    const metrics = ["errors-vs-primary", "alb-errors-vs-primary", "canary-error-guardrail"];
    expect(files).toHaveLength(metrics.length);
    for (const metric of metrics) {
      expect(files.filter((f) => f.name === `web-v2-${metric}.png`)).toHaveLength(1);
    }
    for (const file of files) {
      expect(file.bytes?.subarray(0, PNG_SIGNATURE.length)).toEqual(PNG_SIGNATURE);
      expect(file.bytes?.length).toBe(file.length);
      expect(file.bytes?.length).toBeGreaterThan(1_000);
      expect(file.messageTs && workspace.message(SANDBOX_CHANNEL, file.messageTs)?.threadTs).toBe(rootTs);
    }
    const v1Root = h.root(v1).ts;
    expect(workspace.files().filter((f) => f.threadTs === v1Root)).toEqual([]);
    expect(workspace.files()).toHaveLength(metrics.length);
  });
});
