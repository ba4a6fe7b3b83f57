import { describe, expect, it } from "vitest";
import { checkApprover, isApproved, mayApprove } from "../../src/domain/approval.js";
import { closestNames } from "../../src/domain/closest-names.js";
import { checkVersion } from "../../src/domain/version.js";

describe("versions follow the Docker tag grammar", () => {
  it.each(["v1.4.2", "1.0", "latest", "_x", "a".repeat(128), "v2-rc.1_build"])("accepts %s", (v) => {
    expect(checkVersion(v)).toEqual({ ok: true });
  });
  it.each([
    ["", "the version is empty"],
    ["a".repeat(129), "the version is 129 characters; at most 128"],
    ["-v1", '"-v1" is not a valid image tag'],
    [".v1", '".v1" is not a valid image tag'],
    ["v1 beta", '"v1 beta" is not a valid image tag'],
    ["v1:2", '"v1:2" is not a valid image tag'],
    ["v1/2", '"v1/2" is not a valid image tag'],
  ])("refuses %j", (v, reason) => {
    const check = checkVersion(v);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason.startsWith(reason)).toBe(true);
  });
});

describe("approval rules", () => {
  const rules = { approvers: ["U_BOB", "S_SRE"], minApproverNum: 2, fourEyes: true, requester: "U_ALICE" };

  it("refuses the requester under four-eyes, even when listed", () => {
    expect(mayApprove({ ...rules, approvers: ["U_ALICE"] }, "U_ALICE", [])).toEqual({
      ok: false,
      reason: "four-eyes rule: the requester may not approve their own deployment",
    });
    expect(mayApprove({ ...rules, fourEyes: false, approvers: ["U_ALICE"] }, "U_ALICE", [])).toEqual({
      ok: true,
    });
  });

  it("accepts listed users and members of listed groups; anyone when the list is empty", () => {
    expect(mayApprove(rules, "U_BOB", [])).toEqual({ ok: true });
    expect(mayApprove(rules, "U_ERIN", ["S_SRE"])).toEqual({ ok: true });
    expect(mayApprove(rules, "U_ERIN", ["S_SALES"]).ok).toBe(false);
    expect(mayApprove({ ...rules, approvers: [] }, "U_ERIN", [])).toEqual({ ok: true });
  });

  it("counts distinct people only", () => {
    const once = [{ actor: "U_BOB", at: 1 }];
    expect(checkApprover(rules, once, "U_BOB", [])).toEqual({
      ok: false,
      reason: "already approved by U_BOB; 1 more approval from other people needed",
    });
    expect(isApproved(rules, [...once, { actor: "U_BOB", at: 2 }])).toBe(false);
    expect(isApproved(rules, [...once, { actor: "U_ERIN", at: 2 }])).toBe(true);
  });
});

describe("closest names", () => {
  it("suggests near misses, nearest first, and nothing for unrelated input", () => {
    expect(closestNames("wbe", ["web", "worker", "api"])).toEqual(["web"]);
    expect(closestNames("WEB-api", ["web-api", "web-app", "batch"])).toEqual(["web-api", "web-app"]);
    expect(closestNames("zzzzzzzz", ["web", "api"])).toEqual([]);
  });
});
