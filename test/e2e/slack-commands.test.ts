/**
 * `/deploy` end to end, through signed HTTP to the real Bolt receiver: every refusal answers the person
 * who typed it, ephemerally, with what was wrong, and records nothing; forged and stale requests are
 * turned away at the door.
 */
import { afterEach, describe, expect, it } from "vitest";
import { SANDBOX_CHANNEL, SANDBOX_OTHER_CHANNEL, SANDBOX_PEOPLE } from "../../sandbox/cli/sandbox-bot.js";
import { slashCommandBody } from "../../sandbox/slack-payloads.js";
import { type BotHarness, startHarness } from "./slack-harness.js";

const { alice, bob, carol, mallory } = SANDBOX_PEOPLE;

/**
 * A freeze in force when the virtual clock starts (Monday 2026-01-05 09:00 UTC): Mondays 08:00–12:00.
 * Only carol may override it.
 */
const MONDAY_FREEZE = [
  "freezes:",
  "  - name: monday-release-review",
  '    cron: "0 8 * * 1"',
  "    duration: 4h",
  "    timezone: UTC",
  `    overriders: [${carol}]`,
  "    reason: release review in progress",
];

describe("/deploy refusals", () => {
  let h: BotHarness;
  afterEach(async () => {
    await h?.close();
  });

  /** Types the command and checks that it was refused ephemerally and changed nothing. */
  async function refused(user: string, text: string, channel?: string): Promise<string> {
    const before = h.counts();
    const answer = await h.command(user, text, channel);
    expect(answer.ephemeral).toBe(true);
    expect(h.counts()).toEqual(before);
    return answer.text;
  }

  it("names the closest app for an unknown one", async () => {
    h = await startHarness();
    const text = await refused(alice, "wbe v2");
    expect(text).toContain("I don't know an app called *wbe*");
    expect(text).toContain("Did you mean `web`?");
    expect(h.counts()).toEqual({ deployments: 0, commands: 0 });
  });

  it("says why a version is not deployable", async () => {
    h = await startHarness();
    for (const [typed, version] of [
      ["web v2!", "v2!"],
      ['web "v 2"', '"v'],
    ] as const) {
      const text = await refused(alice, typed);
      expect(text).toContain(`\`${version}\` is not a version I can deploy:`);
    }
    expect(h.counts()).toEqual({ deployments: 0, commands: 0 });
  });

  it("refuses another channel, naming the app's channel", async () => {
    h = await startHarness();
    const text = await refused(alice, "web v1", SANDBOX_OTHER_CHANNEL);
    expect(text).toContain("*web* can't be deployed from this channel");
    expect(text).toContain(`<#${SANDBOX_CHANNEL}>`);
    expect(h.counts()).toEqual({ deployments: 0, commands: 0 });
  });

  it("refuses someone who is not a deployer, naming the deployers", async () => {
    h = await startHarness();
    const text = await refused(mallory, "web v1");
    expect(text).toContain("You're not a deployer of *web*");
    for (const person of [alice, bob, carol]) expect(text).toContain(`<@${person}>`);
    expect(h.counts()).toEqual({ deployments: 0, commands: 0 });
  });

  it("refuses a locked app with who locked it and why; unlock lifts it; mallory may do neither", async () => {
    h = await startHarness();
    const locked = await h.command(alice, "lock web incident review INC-7");
    expect(locked.text).toContain(`locked by <@${alice}>: incident review INC-7`);

    const text = await refused(bob, "web v1 new feature");
    expect(text).toContain(`*web* is locked by <@${alice}>`);
    expect(text).toContain("incident review INC-7");
    expect(text).toContain("/deploy unlock web");

    expect(await refused(mallory, "unlock web")).toContain("You're not a deployer of *web*");
    expect(h.sandbox.store.locks.get("web")?.owner).toBe(alice);

    const unlocked = await h.command(bob, "unlock web");
    expect(unlocked.text).toContain(`*web* unlocked by <@${bob}>`);
    expect(h.sandbox.store.locks.get("web")).toBeUndefined();

    expect(await refused(mallory, "lock web mine now")).toContain("You're not a deployer of *web*");
    expect(h.sandbox.store.locks.list()).toEqual([]);

    const id = await h.deploy(bob, "web v1 new feature");
    expect(h.deployment(id)).toMatchObject({ version: "v1", requester: bob });
  });

  it("refuses a second deployment while one runs, linking the running one's thread", async () => {
    h = await startHarness();
    await h.shipFirstVersion();
    const running = await h.deploy(alice, "web v2");
    await h.untilStatus(running, "WAITING_APPROVAL");
    const rootTs = h.root(running).ts;

    const text = await refused(bob, "web v4 something else");
    expect(text).toContain(`*web* is already being deployed: v2 by <@${alice}>`);
    expect(text).toContain(`/archives/${SANDBOX_CHANNEL}/p${rootTs.replace(".", "")}|See its thread>`);
    expect(h.counts()).toEqual({ deployments: 2, commands: 0 });
  });

  it("refuses during a freeze; the overrider must give a reason, and the override is recorded", async () => {
    h = await startHarness({ extraYaml: MONDAY_FREEZE });
    const { store } = h.sandbox;

    const frozen = await refused(alice, "web v1");
    expect(frozen).toContain("*web* is frozen by *monday-release-review* until");
    expect(frozen).toContain("release review in progress");
    expect(frozen).toContain(`<@${carol}> may override it`);
    expect(await refused(alice, "web v1 urgent --override-freeze")).toContain("is frozen by");

    const noReason = await refused(carol, "web v1 --override-freeze");
    expect(noReason).toContain("Missing a reason for overriding the freeze");
    expect(store.freezeOverrides.list("web")).toEqual([]);

    const override = await h.command(carol, "web v1 --override-freeze hotfix for INC-42");
    expect(override.text).toContain(
      `<@${carol}> overrode the *monday-release-review* freeze to deploy *web*`,
    );
    const [deployment] = store.deployments.recent(5);
    const id = deployment?.id;
    expect(deployment).toMatchObject({ version: "v1", requester: carol });
    expect(store.freezeOverrides.list("web")).toEqual([
      expect.objectContaining({
        deploymentId: id,
        freezeName: "monday-release-review",
        actor: carol,
        reason: "hotfix for INC-42",
      }),
    ]);
  });

  it("answers help with every subcommand, and a garbled command with its usage", async () => {
    h = await startHarness();
    const help = await refused(bob, "help");
    for (const line of [
      "`/deploy status [app]`",
      "`/deploy history &lt;app&gt;`",
      "`/deploy lock &lt;app&gt; &lt;reason&gt;`",
      "`/deploy unlock &lt;app&gt;`",
      "`/deploy rollback &lt;app&gt;`",
      "`/deploy cancel &lt;app&gt;`",
      "`/deploy &lt;app&gt; &lt;version&gt; --override-freeze &lt;reason&gt;`",
    ]) {
      expect(help).toContain(line);
    }
    expect(await refused(bob, "")).toEqual(help);

    const lock = await refused(bob, "lock web");
    expect(lock).toContain("lock needs a reason, so that others know why web is locked");
    expect(lock).toMatch(/Usage: `\/deploy lock &lt;app&gt; &lt;reason…&gt;`/);
    const status = await refused(bob, "status web api");
    expect(status).toContain("status takes at most one app");
    expect(status).toContain("Usage: `/deploy status [app]`");
    const option = await refused(bob, "web v2 --force");
    expect(option).toContain("unknown option --force");
    expect(option).toContain("Usage: `/deploy &lt;app&gt; &lt;version&gt; [reason…] [--override-freeze]`");
    expect(h.counts()).toEqual({ deployments: 0, commands: 0 });
  });
});

describe("request signatures", () => {
  let h: BotHarness;
  afterEach(async () => {
    await h?.close();
  });

  /** A well-formed `/deploy web v1` by alice, as Slack would send it, and its response URL's id. */
  function deployBody(): { body: string; responseUrlId: string } {
    const { workspace, url } = h.sandbox.slack;
    const input = { command: "/deploy", text: "web v1", userId: alice, channelId: SANDBOX_CHANNEL };
    const responseUrlId = workspace.createResponseUrl({ kind: "command", ...input });
    const body = slashCommandBody(workspace, {
      ...input,
      responseUrl: `${url}/respond/${responseUrlId}`,
      triggerId: workspace.issueTrigger(alice),
    });
    return { body, responseUrlId };
  }

  it("turns away a forged signature and a stale timestamp with 401, and does nothing", async () => {
    h = await startHarness();
    const forged = deployBody();
    const forgedReply = await h.sandbox.client.send(forged.body, { signature: `v0=${"0".repeat(64)}` });
    expect(forgedReply.status).toBe(401);

    // Slack's rule is five minutes, in real time (the bot checks against its own clock).
    const stale = deployBody();
    const staleAt = Math.floor(Date.now() / 1000) - 6 * 60;
    const staleReply = await h.sandbox.client.send(stale.body, { timestamp: staleAt });
    expect(staleReply.status).toBe(401);

    // The same body, signed now, is taken: the refusals above were about the signature alone.
    const fresh = deployBody();
    expect((await h.sandbox.client.send(fresh.body)).status).toBe(200);
    expect(await h.ephemeralOf(fresh.responseUrlId)).toContain("Deploying *web* v1");
    expect(h.sandbox.slack.workspace.responses(forged.responseUrlId)).toEqual([]);
    expect(h.sandbox.slack.workspace.responses(stale.responseUrlId)).toEqual([]);
    expect(h.counts()).toEqual({ deployments: 1, commands: 0 });
  });

  it("answers /healthz with 200", async () => {
    h = await startHarness();
    const response = await fetch(`http://127.0.0.1:${h.sandbox.bot.port}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("ok\n");
  });
});
