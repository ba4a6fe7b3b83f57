import { describe, expect, it } from "vitest";
import * as replies from "../../src/views/command-replies.js";
import { allText, blockKitViolations } from "./block-limit-checker.js";
import { deploymentFixture, MIN, REQUESTER, T0 } from "./snapshot-fixtures.js";

const NOW = T0 + 90 * MIN;
const LOCK = { app: "web", owner: "U0LOCKER01", reason: "incident <INC-42> & review", createdAt: T0 };

describe("command replies", () => {
  const cases: Array<[string, replies.EphemeralReply, string[]]> = [
    ["usage", replies.usage(), ["/deploy &lt;app&gt; &lt;version&gt;"]],
    [
      "unknown app",
      replies.unknownApp("wbe", ["web", "web-admin"]),
      ["*wbe*", "Did you mean `web`, `web-admin`?", "Usage:"],
    ],
    ["unknown app, nothing close", replies.unknownApp("zzz", []), ["*zzz*", "/deploy status"]],
    [
      "invalid version",
      replies.invalidVersion("-bad", '"-bad" is not a valid image tag'),
      ["`-bad`", "not a valid image tag", "Usage:"],
    ],
    [
      "channel",
      replies.channelNotAllowed("web", ["C0DEPLOYS1", "C0RELEASE1"]),
      ["*web*", "<#C0DEPLOYS1>, <#C0RELEASE1>"],
    ],
    [
      "deployer",
      replies.notADeployer("web", ["U0ALICE001", "S0SRETEAM1"]),
      ["not a deployer", "<@U0ALICE001>, <!subteam^S0SRETEAM1>"],
    ],
    [
      "locked",
      replies.appLocked(LOCK, NOW),
      [
        "is locked by <@U0LOCKER01>",
        "1h 30m ago",
        "incident &lt;INC-42&gt; &amp; review",
        "/deploy unlock web",
      ],
    ],
    [
      "already running",
      replies.alreadyRunning(
        deploymentFixture({ version: "v1.4.2" }),
        "https://example.slack.com/archives/C1/p1",
        NOW,
      ),
      [
        "already being deployed: v1.4.2",
        `<@${REQUESTER}>`,
        "1h 30m ago",
        "<https://example.slack.com/archives/C1/p1|See its thread>",
        "/deploy cancel web",
      ],
    ],
    [
      "freeze",
      replies.freezeInForce(
        "web",
        { name: "year-end", until: NOW + 3 * 60 * MIN, reason: "holidays", overriders: ["U0SRELEAD1"] },
        NOW,
      ),
      [
        "frozen by *year-end*",
        "in 3h",
        "holidays",
        "<@U0SRELEAD1> may override",
        "/deploy web &lt;version&gt; --override-freeze &lt;reason&gt;",
      ],
    ],
    [
      "freeze without overriders",
      replies.freezeInForce("web", { name: "year-end", until: NOW + MIN, overriders: [] }, NOW),
      ["frozen by *year-end*", "Nobody may override this freeze"],
    ],
    [
      "missing",
      replies.missingArgument("a reason", "/deploy lock web incident review"),
      ["Missing a reason", "/deploy lock web incident review"],
    ],
    ["not allowed", replies.notAllowed("four-eyes rule: the requester may not approve"), ["four-eyes rule"]],
    [
      "invalid command",
      replies.invalidCommand("lock needs a reason", "/deploy lock <app> <reason>"),
      ["lock needs a reason", "/deploy lock &lt;app&gt; &lt;reason&gt;"],
    ],
    ["locked ok", replies.locked(LOCK), ["🔒 *web* locked by <@U0LOCKER01>"]],
    ["already locked", replies.alreadyLocked(LOCK, NOW), ["already locked by <@U0LOCKER01>"]],
    [
      "unlocked",
      replies.unlocked(LOCK, "U0ALICE001"),
      ["unlocked by <@U0ALICE001>", "locked by <@U0LOCKER01>"],
    ],
    ["not locked", replies.notLocked("web"), ["isn't locked"]],
    ["no active", replies.noActiveDeployment("web", "roll back"), ["Nothing to roll back", "*web*"]],
    [
      "accepted",
      replies.deploymentAccepted({ app: "web", version: "v1.4.2" }, undefined),
      ["Deploying *web* v1.4.2"],
    ],
    [
      "command accepted",
      replies.commandAccepted("ROLLBACK", { app: "web", version: "v1.4.2" }),
      ["rollback of *web* v1.4.2 requested"],
    ],
    [
      "override",
      replies.freezeOverridden("web", "year-end", "hotfix", "U0ALICE001"),
      ["<@U0ALICE001> overrode the *year-end* freeze", "hotfix"],
    ],
    ["mention help", replies.mentionHelp(), ["@kanaria history web"]],
  ];
  it.each(cases)("%s names what was wrong", (_name, reply, parts) => {
    const text = allText(reply);
    for (const part of parts) expect(text).toContain(part);
    expect(blockKitViolations(reply, "message")).toEqual([]);
  });

  it("help lists every subcommand with an example", () => {
    const text = allText(replies.help());
    for (const sub of [
      "status",
      "history",
      "lock",
      "unlock",
      "rollback",
      "cancel",
      "--override-freeze",
      "help",
    ]) {
      expect(text).toContain(`/deploy ${sub === "--override-freeze" ? "web v1.4.3 --override-freeze" : sub}`);
    }
    expect(text).toContain("e.g. `/deploy web v1.4.2 fix checkout timeout`");
  });
});

it("no reply leaves a raw < or > outside Slack's own tokens", () => {
  const all = [
    replies.usage(),
    replies.help(),
    replies.mentionHelp(),
    replies.invalidCommand("x", "/deploy lock <app> <reason>"),
  ];
  for (const reply of all) {
    const stripped = allText(reply).replace(/<(@|#|!subteam\^|!date\^|https?:)[^<>]*>/g, "");
    expect(stripped).not.toMatch(/[<>]/);
  }
});
