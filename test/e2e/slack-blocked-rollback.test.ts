/**
 * A rollback that AWS refuses, seen in Slack end to end (signed clicks to the Bolt receiver, the real
 * AWS SDK against the sandbox cloud under an ELBv2 outage window): the thread gets one reply for the
 * outage, updated in place, and one that names the people it needs; the root offers Retry now and
 * Fixed by hand; once AWS answers, the same reply says the rollback goes again and it ends at 100%
 * primary.
 */
import { setTimeout as realSleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { SANDBOX_PEOPLE } from "../../sandbox/cli/sandbox-bot.js";
import { ACTION_IDS } from "../../src/views/action-ids.js";
import { type BotHarness, blockText, buttonsOf, startHarness } from "./slack-harness.js";

const { alice, bob } = SANDBOX_PEOPLE;
const ANALYSIS = 2;
const MINUTE = 60_000;

describe("Slack: a blocked rollback", () => {
  let h: BotHarness;
  afterEach(async () => {
    await h?.close();
  });

  it("is one updated reply per outage, asks people once, takes Retry now, and ends at 100% primary", async () => {
    h = await startHarness();
    await h.shipFirstVersion();
    const id = await h.deploy(alice, "web v2");
    await h.until(() => h.sandbox.store.stages.get(id, ANALYSIS)?.status === "RUNNING", "the analysis");
    expect(await h.weights()).toEqual([90, 10]);
    const repliesBefore = h.thread(id).length;

    const { faults } = h.sandbox.stack.cloud;
    const removeOutage = faults.window({
      service: "elbv2",
      kind: "503",
      from: h.clock.now(),
      until: Infinity,
    });
    await h.click(id, "rollback", bob);
    // The click is acked at once and taken a moment later, over real HTTP (who clicked, then the
    // engine's command). Virtual time stands still until it is taken: advancing it meanwhile lets the
    // analysis's next tick start first, and that tick's ELBv2 calls retry in real time under the outage
    // while virtual time runs out.
    const rollbackTaken = () => h.sandbox.store.commands.list(id).some((c) => c.kind === "ROLLBACK");
    for (let i = 0; i < 2_000 && !rollbackTaken(); i++) await realSleep(5);
    expect(rollbackTaken()).toBe(true);
    const happened = (type: string) => () => h.sandbox.store.events.list(id).some((e) => e.type === type);
    // Each wait is for an event, not for an amount of time: real HTTP calls and virtual time interleave.
    await h.until(happened("ROLLBACK_BLOCKED"), "the rollback to be blocked", 60 * MINUTE);
    await h.until(happened("ROLLBACK_ESCALATED"), "the rollback to ask people", 60 * MINUTE);
    expect(h.deployment(id).status).toBe("ROLLING_BACK");

    // What the outage itself posted: from the blocked reply on, that reply and the one naming people.
    const replies = h
      .thread(id)
      .slice(repliesBefore)
      .map((m) => m.text);
    const outage = replies.slice(replies.findIndex((t) => t.startsWith("🚧 *Rollback blocked*")));
    expect(outage).toEqual([
      expect.stringMatching(
        /^🚧 \*Rollback blocked\*: ModifyListener failed .*ServiceUnavailable.*; retrying every 15s at most; traffic as last set: primary 90% \/ canary 10%$/,
      ),
      expect.stringMatching(
        new RegExp(
          `^🆘 <@${alice}> <!subteam\\^S0SRETEAM> \\*the rollback needs you\\*: AWS has refused the rollback for`,
        ),
      ),
    ]);
    const root = h.root(id);
    expect(buttonsOf(root)).toEqual([ACTION_IDS.retryRollback, ACTION_IDS.markFixed]);
    expect(blockText(root)).toMatch(/🚧 \*Rollback blocked\* for/);

    // Retry now while AWS still refuses: taken (the rollback is blocked), tried at once, blocked again,
    // and the outage's reply stays the one reply.
    const attempts = () =>
      h.sandbox.store.events.list(id).filter((e) => e.message.startsWith("retry asked by"));
    await h.click(id, "retryRollback", bob);
    await h.until(() => attempts().length === 1, "the retry to be taken");
    removeOutage();
    await h.untilStatus(id, "ROLLED_BACK");
    expect(await h.weights()).toEqual([100, 0]);
    const after = h
      .thread(id)
      .slice(repliesBefore)
      .map((m) => m.text);
    // The blocked reply was updated in place, not repeated.
    expect(after.filter((t) => t.includes("Rollback blocked") || t.includes("Rollback going again"))).toEqual(
      [expect.stringMatching(/^🟢 \*Rollback going again\*/)],
    );
    expect(h.sandbox.store.commands.list(id).map((c) => `${c.kind}:${c.outcome}`)).toEqual([
      "ROLLBACK:APPLIED",
      "RETRY_ROLLBACK:APPLIED",
    ]);
  });
});
