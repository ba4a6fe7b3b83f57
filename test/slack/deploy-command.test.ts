import { describe, expect, it } from "vitest";
import { parseDeployCommand } from "../../src/slack/deploy-command.js";
import { commandMistakeText } from "../../src/views/command-mistake.js";

describe("/deploy grammar", () => {
  it.each([
    ["web v1.4.2", { kind: "deploy", app: "web", version: "v1.4.2", reason: "", overrideFreeze: false }],
    [
      "  web   v1.4.2  fix the  login bug ",
      { kind: "deploy", app: "web", version: "v1.4.2", reason: "fix the login bug", overrideFreeze: false },
    ],
    [
      "web v2 hotfix --override-freeze",
      { kind: "deploy", app: "web", version: "v2", reason: "hotfix", overrideFreeze: true },
    ],
    ["", { kind: "help" }],
    ["help", { kind: "help" }],
    ["HELP", { kind: "help" }],
    ["status", { kind: "status", app: undefined }],
    ["status web", { kind: "status", app: "web" }],
    ["history web", { kind: "history", app: "web" }],
    ["lock web incident 4711 in progress", { kind: "lock", app: "web", reason: "incident 4711 in progress" }],
    ["unlock web", { kind: "unlock", app: "web" }],
    ["rollback web", { kind: "rollback", app: "web" }],
    ["cancel web", { kind: "cancel", app: "web" }],
    ["retry web", { kind: "retry", app: "web" }],
    ["fixed web", { kind: "fixed", app: "web" }],
  ])("%j", (text, expected) => {
    expect(parseDeployCommand(text)).toEqual(expected);
  });

  it.each([
    ["web", /which version of web\?/, "/deploy <app> <version>"],
    ["web v1 --force", /unknown option --force/, "/deploy <app> <version>"],
    ["lock", /lock needs an app and a reason/, "/deploy lock <app> <reason…>"],
    ["lock web", /lock needs a reason/, "/deploy lock <app> <reason…>"],
    ["history", /history needs an app/, "/deploy history <app>"],
    ["rollback web api", /rollback takes one app, got "web api"/, "/deploy rollback <app>"],
    ["status web api", /status takes at most one app/, "/deploy status [app]"],
  ])("%j is refused with what was wrong and the usage", (text, problem, usage) => {
    const parsed = parseDeployCommand(text);
    expect(parsed.kind).toBe("invalid");
    if (parsed.kind !== "invalid") return;
    expect(commandMistakeText(parsed.mistake)).toMatch(problem);
    expect(parsed.usage.startsWith(usage)).toBe(true);
  });
});
