import { describe, expect, it } from "vitest";
import { parseQuestion } from "../../src/slack/mention-handler.js";

describe("questions to @kanaria", () => {
  it.each([
    ["<@U0KANARIA> history web", { kind: "history", app: "web" }],
    ["<@U0KANARIA> show history of api?", { kind: "history", app: "api" }],
    ["<@U0KANARIA> history", { kind: "history", app: undefined }],
    ["<@U0KANARIA> who deployed web last?", { kind: "last", app: "web" }],
    ["<@U0KANARIA|kanaria> who deployed last", { kind: "last", app: undefined }],
    ["<@U0KANARIA> what is running in web", { kind: "status", app: "web" }],
    ["<@U0KANARIA> what's live on api?", { kind: "status", app: "api" }],
    ["<@U0KANARIA> status", { kind: "status", app: undefined }],
    ["<@U0KANARIA> status web", { kind: "status", app: "web" }],
    ["<@U0KANARIA> help", { kind: "help" }],
    ["<@U0KANARIA> make me a sandwich", { kind: "help" }],
  ])("%j", (text, expected) => {
    expect(parseQuestion(text)).toEqual(expected);
  });
});
