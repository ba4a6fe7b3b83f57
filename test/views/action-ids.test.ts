import { describe, expect, it } from "vitest";
import { ACTION_IDS, actionName, decodeActionValue, encodeActionValue } from "../../src/views/action-ids.js";

describe("action values", () => {
  it.each([
    { deploymentId: "web-0a1b2c3d", stageIndex: 3 },
    { deploymentId: "web-0a1b2c3d", stageIndex: 0 },
    { deploymentId: "payments.api_v2-ff00", stageIndex: undefined },
  ])("round-trips $deploymentId / $stageIndex", (target) => {
    expect(decodeActionValue(encodeActionValue(target))).toEqual(target);
  });

  it.each([
    undefined,
    null,
    42,
    "",
    "web-0a1b2c3d",
    "k1|web-0a1b2c3d",
    "k1|web-0a1b2c3d|3|4",
    "k2|web-0a1b2c3d|3",
    "k1||3",
    "k1|web 1|3",
    "k1|../etc|3",
    "k1|web-1|-3",
    "k1|web-1|03",
    "k1|web-1|1.5",
    "k1|web-1|99999",
    "k1|web-1|abc",
    `k1|${"a".repeat(400)}|1`,
  ])("rejects %j", (value) => {
    expect(decodeActionValue(value)).toBeUndefined();
  });

  it("refuses to encode what it could not decode", () => {
    expect(() => encodeActionValue({ deploymentId: "web|1", stageIndex: 1 })).toThrow(RangeError);
    expect(() => encodeActionValue({ deploymentId: "web-1", stageIndex: -1 })).toThrow(RangeError);
  });

  it("maps action ids back to names and rejects others", () => {
    expect(actionName(ACTION_IDS.approve)).toBe("approve");
    expect(actionName(ACTION_IDS.rollback)).toBe("rollback");
    expect(actionName("approve")).toBeUndefined();
  });
});
