import { describe, expect, it } from "vitest";
import { deploymentGone, nothingToApprove, unknownButton } from "../../src/views/button-replies.js";
import { allText, blockKitViolations } from "./block-limit-checker.js";
import { deploymentFixture } from "./snapshot-fixtures.js";

describe("button replies", () => {
  it.each([
    [unknownButton(), "🙅 Not done: this button is not one of Kanaria's (or it is outdated)"],
    [deploymentGone("web-gone"), "🙅 Not done: there is no deployment web-gone any more"],
    [
      nothingToApprove(deploymentFixture({ status: "ROLLED_BACK" })),
      "🙅 Not done: nothing of web v1.4.2 waits for approval any more (rolled back)",
    ],
  ])("%#: says why the click was not taken", (reply, text) => {
    expect(allText(reply)).toContain(text);
    expect(blockKitViolations(reply, "message")).toEqual([]);
  });
});
