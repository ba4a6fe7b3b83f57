import { describe, expect, it } from "vitest";
import * as replies from "../../src/views/command-replies.js";
import { refusalReply } from "../../src/views/refusal-replies.js";
import { allText, blockKitViolations } from "./block-limit-checker.js";
import { NOW, REFUSALS } from "./refusal-fixtures.js";

const THREAD = "https://example.slack.com/archives/C1/p1";
const context = { now: NOW, threadUrlOf: (id: string) => (id === "web-0a1b2c3d" ? THREAD : undefined) };

describe("refusal replies (Slack)", () => {
  it.each(Object.entries(REFUSALS))("%s is a valid message", (_kind, refusal) => {
    expect(blockKitViolations(refusalReply(refusal, context), "message")).toEqual([]);
  });

  it.each([
    [REFUSALS.unknownApp, ["I don't know an app called *wbe*", "Did you mean `web`, `web-admin`?", "Usage:"]],
    [REFUSALS.invalidVersion, ["`-bad` is not a version I can deploy", "not a valid image tag"]],
    [
      REFUSALS.locked,
      ["*web* is locked by <@U0LOCKER01>", "1h 30m ago", "incident 42", "/deploy unlock web"],
    ],
    [
      REFUSALS.frozen,
      [
        "❄️ *web* is frozen by *weekend*",
        "(in 3h)",
        ": no deploys without on-call.",
        "<@U0ONCALL01>, <!subteam^S0SRETEAM1> may override it",
      ],
    ],
    [
      REFUSALS.overrideNeedsReason,
      [
        "Missing a reason for overriding the freeze (it is recorded)",
        "/deploy web v2 &lt;reason&gt; --override-freeze",
      ],
    ],
    [REFUSALS.alreadyRunning, ["*web* is already being deployed: v1.4.2", `<${THREAD}|See its thread>`]],
    [REFUSALS.noExecutor, ["🙅 Not done: this Kanaria cannot run ECS_SYNC, WAIT stages yet"]],
    [REFUSALS.unknownDeployment, ["🙅 Not done: there is no deployment web-gone"]],
  ] as const)("%o names what was wrong", (refusal, parts) => {
    const text = allText(refusalReply(refusal, context));
    for (const part of parts) expect(text).toContain(part);
  });

  it("an already running deployment without a thread says nothing of one", () => {
    const text = allText(refusalReply(REFUSALS.alreadyRunning, { now: NOW }));
    expect(text).toContain("already being deployed");
    expect(text).not.toContain("See its thread");
  });

  it("says the same as the reply builders it stands for", () => {
    expect(refusalReply(REFUSALS.locked, context)).toEqual(replies.appLocked(REFUSALS.locked.lock, NOW));
    expect(refusalReply(REFUSALS.unknownApp, context)).toEqual(
      replies.unknownApp("wbe", ["web", "web-admin"]),
    );
  });
});
