/** jsonDocument's positions (found in the text only when asked) and jsonSyntaxOffset. */
import { describe, expect, it } from "vitest";
import { jsonDocument } from "../../src/config/json-document.js";
import { jsonSyntaxOffset } from "../../src/config/json-syntax-offset.js";

const text = `{
  "app": "web",
  "series": {
    "sum:x{a:\\"b\\"}": [[1, 2], [3, null]],
    "q": []
  }
}`;
const doc = jsonDocument("r.json", text, JSON.parse(text));
const at = (line: number, col: number) => ({ file: "r.json", line, col });

describe("jsonDocument", () => {
  it.each<[string, Array<string | number>, "key" | "value", ReturnType<typeof at>]>([
    ["a scalar value", ["app"], "value", at(2, 10)],
    ["its key", ["app"], "key", at(2, 3)],
    ["a point inside an escaped key", ["series", 'sum:x{a:"b"}', 1, 1], "value", at(4, 36)],
    ["an array item's first element", ["series", 'sum:x{a:"b"}', 0, 0], "value", at(4, 25)],
    ["a missing item: its parent's key", ["series", "q", 0], "value", at(5, 5)],
    ["a missing key: the deepest existing key", ["series", "nope", 3], "value", at(3, 3)],
    ["the root", [], "value", at(1, 1)],
  ])("%s", (_name, path, target, expected) => {
    expect(doc.position(path, target)).toEqual(expected);
  });
});

describe("jsonSyntaxOffset", () => {
  it.each([
    ['{"a": [1, NaN]}', 10],
    ['{"a": 1,}', 8],
    ['{"a": 1} x', 9],
    ["[1, 2", 5],
    ['{"a": "x\ny"}', 8],
  ])("%j fails at %i", (bad, offset) => {
    expect(() => JSON.parse(bad)).toThrow();
    expect(jsonSyntaxOffset(bad)).toBe(offset);
  });
});
