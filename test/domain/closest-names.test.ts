import { describe, expect, it } from "vitest";
import { closestName } from "../../src/config/zod-issues.js";
import { closestNames, editDistance } from "../../src/domain/closest-names.js";
import { unknownApp } from "../../src/domain/refusal.js";

describe("edit distance", () => {
  it.each([
    ["", "", 0],
    ["", "web", 3],
    ["web", "web", 0],
    ["wbe", "web", 2],
    ["kitten", "sitting", 3],
    ["Web", "web", 1],
  ])("%s → %s is %i", (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe("did you mean", () => {
  it("suggests app names for a swapped pair, a missing letter and another case", () => {
    expect(closestNames("wbe", ["web", "worker", "api"])).toEqual(["web"]);
    expect(closestNames("wrker", ["web", "worker", "api"])).toEqual(["worker"]);
    expect(unknownApp("WEB", new Set(["web", "api"]))).toEqual({
      kind: "unknownApp",
      app: "WEB",
      closest: ["web"],
    });
  });

  it("suggests config keys with the same distance, more strictly", () => {
    expect(closestName("tiemout", ["timeout", "image"])).toBe("timeout");
    expect(closestName("TIMEOUT", ["timeout"])).toBe("timeout");
    expect(closestName("imgae", ["image", "timeout"])).toBeUndefined();
  });
});
