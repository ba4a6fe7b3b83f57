/**
 * The thread root's Approve and Roll back buttons end to end, clicked as Slack delivers clicks (signed
 * HTTP to the Bolt receiver): who may click, what the root shows afterwards, and that duplicate
 * deliveries and double clicks change state once.
 */
import { afterEach, describe, expect, it } from "vitest";
import { SANDBOX_CHANNEL, SANDBOX_PEOPLE, SANDBOX_SRE_GROUP } from "../../sandbox/cli/sandbox-bot.js";
import { approvalsOf } from "../../src/domain/approval-state.js";
import { ACTION_IDS } from "../../src/views/action-ids.js";
import { type BotHarness, blockText, buttonsOf, startHarness } from "./slack-harness.js";

const { alice, bob, carol, mallory } = SANDBOX_PEOPLE;
/** The sandbox pipeline's stages: canary rollout, routing, analysis, approval, primary, routing, clean. */
const ANALYSIS = 2;
const APPROVAL = 3;

describe("Slack buttons", () => {
  let h: BotHarness;
  afterEach(async () => {
    await h?.close();
  });

  /** v1 shipped, then alice's v2 analysed and waiting for an approval; returns v2's id. */
  async function waitingForApproval(): Promise<string> {
    h = await startHarness();
    await h.shipFirstVersion();
    const id = await h.deploy(alice, "web v2 new checkout flow");
    await h.untilStatus(id, "WAITING_APPROVAL");
    expect(buttonsOf(h.root(id))).toEqual([ACTION_IDS.approve, ACTION_IDS.rollback]);
    return id;
  }

  const commandsOf = (id: string) => h.sandbox.store.commands.list(id);
  const replies = (id: string) => h.thread(id).slice(1);
  const count = (id: string, pattern: RegExp) => replies(id).filter((m) => pattern.test(m.text)).length;

  it("a redelivered /deploy starts one deployment and is answered once", async () => {
    h = await startHarness();
    const { client, slack } = h.sandbox;
    const first = await client.slashCommand({
      command: "/deploy",
      text: "web v1",
      userId: alice,
      channelId: SANDBOX_CHANNEL,
    });
    const again = await client.redeliver(first);
    const third = await client.redeliver(again);
    expect([first.status, again.status, third.status]).toEqual([200, 200, 200]);
    expect(third.request.retryNum).toBe(2);
    expect(await h.ephemeralOf(first.responseUrlId)).toContain("Deploying *web* v1");
    // A later command is answered, so the redeliveries were handled by then; then let Slack settle.
    await h.command(bob, "status");
    await h.settle();
    expect(slack.workspace.responses(first.responseUrlId)).toHaveLength(1);
    expect(h.counts().deployments).toBe(1);
  });

  it("a redelivered Approve click records one command", async () => {
    const id = await waitingForApproval();
    const click = await h.click(id, "approve", carol);
    await h.sandbox.client.redeliver(click);
    await h.sandbox.client.redeliver({ ...click.request, retryNum: 1 });
    await h.untilStatus(id, "SUCCESS");
    expect(h.counts().commands).toBe(1);
    expect(commandsOf(id)).toEqual([
      expect.objectContaining({ kind: "APPROVE", actor: carol, outcome: "APPLIED" }),
    ]);
    expect(h.sandbox.slack.workspace.responses(click.responseUrlId)).toEqual([]);
  });

  it("two clicks on Approve by the same person count once; the deployment proceeds once", async () => {
    const id = await waitingForApproval();
    // Both clicks are made on the root as it is now, with its Approve button: a real double click.
    const [first, second] = await Promise.all([h.click(id, "approve", carol), h.click(id, "approve", carol)]);
    await h.untilStatus(id, "SUCCESS");
    const applied = commandsOf(id).filter((c) => c.outcome === "APPLIED");
    expect(applied).toEqual([expect.objectContaining({ kind: "APPROVE", actor: carol })]);
    for (const other of commandsOf(id).filter((c) => c.outcome !== "APPLIED")) {
      expect(other.outcome).toBe("IGNORED");
    }
    const answers = [first, second].flatMap((c) => h.sandbox.slack.workspace.responses(c.responseUrlId));
    for (const answer of answers) expect(answer.text).toMatch(/already approved|waits for approval any more/);
    expect(count(id, /^👍 \*Approved\* by/)).toBe(1);
    expect(count(id, /ECS_PRIMARY_ROLLOUT\* \(5\/7\) started/)).toBe(1);
    expect(approvalsOf(h.sandbox.store.stages.get(id, APPROVAL)?.state ?? {})).toEqual([
      expect.objectContaining({ actor: carol }),
    ]);
  });

  it("four-eyes and non-approvers are refused ephemerally; an approver via the user group is taken", async () => {
    const id = await waitingForApproval();
    const own = await h.click(id, "approve", alice);
    expect(await h.ephemeralOf(own.responseUrlId)).toContain(
      "four-eyes rule: the requester may not approve their own deployment",
    );
    const stranger = await h.click(id, "approve", mallory);
    expect(await h.ephemeralOf(stranger.responseUrlId)).toContain("🙅 Not done:");
    for (const refused of [own, stranger]) {
      expect(h.sandbox.slack.workspace.responses(refused.responseUrlId)[0]?.responseType).toBe("ephemeral");
    }
    expect(h.counts().commands).toBe(0);
    expect(h.deployment(id).status).toBe("WAITING_APPROVAL");

    const approved = await h.click(id, "approve", carol);
    await h.untilStatus(id, "SUCCESS");
    expect(commandsOf(id)).toEqual([
      expect.objectContaining({
        kind: "APPROVE",
        actor: carol,
        actorGroups: [SANDBOX_SRE_GROUP],
        outcome: "APPLIED",
      }),
    ]);
    expect(h.sandbox.slack.workspace.responses(approved.responseUrlId)).toEqual([]);
    const root = h.root(id);
    expect(buttonsOf(root)).not.toContain(ACTION_IDS.approve);
    expect(blockText(root)).toContain(`Approved by <@${carol}> at`);
    await expect(h.click(id, "approve", bob)).rejects.toMatchObject({ code: "button_not_found" });
  });

  it("Roll back by mallory is refused; by a deployer it rolls back to 100% primary", async () => {
    h = await startHarness();
    await h.shipFirstVersion();
    const id = await h.deploy(alice, "web v2");
    await h.until(() => h.sandbox.store.stages.get(id, ANALYSIS)?.status === "RUNNING", "the analysis");
    expect(await h.weights()).toEqual([90, 10]);

    const refused = await h.click(id, "rollback", mallory);
    expect(await h.ephemeralOf(refused.responseUrlId)).toContain(
      "only web's deployers, approvers or the requester may stop this deployment",
    );
    expect(h.counts().commands).toBe(0);
    expect(h.deployment(id).status).toBe("RUNNING");

    await h.click(id, "rollback", bob);
    await h.untilStatus(id, "ROLLED_BACK", "SUCCESS", "FAILURE", "CANCELLED");
    expect(h.deployment(id).status).toBe("ROLLED_BACK");
    expect(commandsOf(id)).toEqual([
      expect.objectContaining({ kind: "ROLLBACK", actor: bob, outcome: "APPLIED" }),
    ]);
    expect(await h.weights()).toEqual([100, 0]);
    expect(buttonsOf(h.root(id))).toEqual([]);
    expect(count(id, /ECS_PRIMARY_ROLLOUT\* \(\d\/\d\) started/)).toBe(0);
  });
  it("Approve in the App Home tab is taken; a stale one is refused in a modal, as Home clicks have no response URL", async () => {
    const id = await waitingForApproval();
    const approveThis = (button: Record<string, unknown>) =>
      typeof button.value === "string" && button.value.includes(id);
    const before = await h.openHome(carol);
    expect(buttonsOf({ blocks: before.blocks as unknown[] })).toContain(ACTION_IDS.approve);
    await h.openHome(bob);
    const bobSaw = h.sandbox.slack.workspace.homeView(bob);

    const taken = await h.sandbox.client.clickHomeButton({
      userId: carol,
      actionId: ACTION_IDS.approve,
      which: approveThis,
    });
    expect(taken.status).toBe(200);
    await h.untilStatus(id, "SUCCESS");
    expect(commandsOf(id)).toEqual([expect.objectContaining({ kind: "APPROVE", actor: carol })]);
    expect(h.sandbox.slack.workspace.modals(carol)).toEqual([]);
    // The Home is published again for its viewer: nothing waits for carol any more.
    const after = h.sandbox.slack.workspace.homeView(carol)?.view ?? {};
    expect(blockText({ blocks: (after.blocks ?? []) as unknown[] })).toContain("Nothing waits for you.");

    // bob clicks the Approve button of the tab as he saw it before carol's approval went through.
    const stale = await h.sandbox.client.clickHomeButton({
      userId: bob,
      actionId: ACTION_IDS.approve,
      which: approveThis,
      ...(bobSaw ? { seen: bobSaw } : {}),
    });
    expect(stale.status).toBe(200);
    await h.until(() => h.sandbox.slack.workspace.modals(bob).length > 0, "bob's refusal modal");
    const [modal] = h.sandbox.slack.workspace.modals(bob);
    expect(modal?.view).toMatchObject({ type: "modal", title: { text: "Kanaria" } });
    expect(blockText({ blocks: (modal?.view.blocks ?? []) as unknown[] })).toContain(
      "nothing of web v2 waits for approval any more (success)",
    );
    expect(commandsOf(id)).toHaveLength(1);
  });
  it("mentions whom the app's PipeCD notification.mentions name, in Slack's mention syntax", async () => {
    h = await startHarness({
      appSpecYaml: [
        "  notification:",
        "    mentions:",
        "      - event: DEPLOYMENT_WAIT_APPROVAL",
        `        slack: [${SANDBOX_SRE_GROUP}, ${mallory}]`,
        '      - event: "*"',
        `        slack: [${bob}]`,
      ],
    });
    await h.shipFirstVersion();
    const id = await h.deploy(alice, "web v2");
    await h.untilStatus(id, "WAITING_APPROVAL");
    const [waiting] = replies(id).filter((m) => m.text.startsWith("⏸️ *Waiting for approval*"));
    expect(waiting?.text).toMatch(
      new RegExp(`^⏸️ .* \\(cc <!subteam\\^${SANDBOX_SRE_GROUP}> <@${mallory}> <@${bob}>\\)$`, "s"),
    );
    expect(blockText(waiting ?? { blocks: [] })).toContain(
      `cc <!subteam^${SANDBOX_SRE_GROUP}> <@${mallory}> <@${bob}>`,
    );
    await h.click(id, "approve", carol);
    await h.untilStatus(id, "SUCCESS");
    // Deployment-level events ("*") mention bob alone; stage replies mention nobody.
    const others = replies(id).filter((m) => m !== waiting && m.text.includes("(cc "));
    expect(others.length).toBeGreaterThan(0);
    for (const other of others) expect(other.text).toMatch(new RegExp(`\\(cc <@${bob}>\\)$`));
    expect(replies(id).some((m) => m.text.startsWith(SANDBOX_SRE_GROUP) || m.text.startsWith(bob))).toBe(
      false,
    );
  });
  it("minApproverNum 2 waits for a second, distinct approver; the first clicking twice does not count twice", async () => {
    h = await startHarness({ minApproverNum: 2 });
    await h.shipFirstVersion();
    const id = await h.deploy(alice, "web v2");
    await h.untilStatus(id, "WAITING_APPROVAL");
    await h.click(id, "approve", carol);
    await h.until(
      () => commandsOf(id).length === 1 && commandsOf(id)[0]?.outcome !== undefined,
      "carol's approval",
    );
    await h.settle();
    expect(h.deployment(id).status).toBe("WAITING_APPROVAL");
    expect(blockText(h.root(id))).toContain(`Approved by <@${carol}> at`);
    expect(blockText(h.root(id))).toContain("Approve (1/2)");
    expect(blockText(h.root(id))).toContain("It needs 2 different approvers.");
    expect(buttonsOf(h.root(id))).toContain(ACTION_IDS.approve);

    const again = await h.click(id, "approve", carol);
    expect(await h.ephemeralOf(again.responseUrlId)).toContain("🙅 Not done:");
    expect(commandsOf(id)).toHaveLength(1);

    await h.click(id, "approve", bob);
    await h.untilStatus(id, "SUCCESS");
    expect(commandsOf(id).map((c) => [c.actor, c.outcome])).toEqual([
      [carol, "APPLIED"],
      [bob, "APPLIED"],
    ]);
    const approvals = approvalsOf(h.sandbox.store.stages.get(id, APPROVAL)?.state ?? {});
    expect(approvals.map((a) => a.actor)).toEqual([carol, bob]);
  });

  it("a Datadog outage pauses the analysis and asks in Slack; Approve there lets the deployment go on", async () => {
    h = await startHarness();
    await h.shipFirstVersion();
    const id = await h.deploy(alice, "web v2");
    await h.until(() => h.sandbox.store.stages.get(id, ANALYSIS)?.status === "RUNNING", "the analysis");
    h.sandbox.stack.datadog.faults.serverError(503);
    await h.untilStatus(id, "WAITING_APPROVAL");
    // Paused inside the analysis: nothing was decided, the traffic split stays.
    expect(h.sandbox.store.stages.get(id, ANALYSIS)?.status).toBe("RUNNING");
    expect(await h.weights()).toEqual([90, 10]);
    expect(buttonsOf(h.root(id))).toEqual([ACTION_IDS.approve, ACTION_IDS.rollback]);
    expect(replies(id).some((m) => /HTTP 503/.test(m.text))).toBe(true);

    h.sandbox.stack.datadog.faults.clear();
    await h.click(id, "approve", carol);
    await h.until(
      () => h.sandbox.store.stages.get(id, ANALYSIS)?.status === "SUCCESS",
      "the analysis approved",
    );
    await h.untilStatus(id, "WAITING_APPROVAL");
    expect(h.sandbox.store.stages.get(id, APPROVAL)?.status).toBe("RUNNING");
    await h.click(id, "approve", carol);
    await h.untilStatus(id, "SUCCESS");
    expect(commandsOf(id).map((c) => [c.kind, c.actor, c.outcome])).toEqual([
      ["APPROVE", carol, "APPLIED"],
      ["APPROVE", carol, "APPLIED"],
    ]);
    expect(await h.weights()).toEqual([100, 0]);
  });
});
