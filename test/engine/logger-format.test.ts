/**
 * The operators' log in its two formats: JSON lines (one object per line, secrets redacted) and
 * readable lines (level, message, fields; no JSON object), and the choice between them.
 */
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, logFormatFor } from "../../src/engine/logger.js";

function collector(): { stream: Writable; lines: () => string[] } {
  let text = "";
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, lines: () => text.split("\n").filter((l) => l !== "") };
}

describe("logger formats", () => {
  it("writes one JSON object per line, with secrets redacted", () => {
    const out = collector();
    const logger = createLogger({ format: "json", destination: out.stream });
    logger.child({ component: "engine" }).info({ slack: { botToken: "xoxb-secret" } }, "driving deployment");
    const [line] = out.lines();
    const parsed = JSON.parse(line ?? "") as Record<string, unknown>;
    expect(parsed).toMatchObject({
      level: 30,
      component: "engine",
      msg: "driving deployment",
      slack: { botToken: "[redacted]" },
    });
  });

  it("writes readable lines: time, level, message and fields, no JSON object, no colour unless asked", () => {
    const out = collector();
    const logger = createLogger({ format: "pretty", destination: out.stream });
    logger.child({ component: "engine" }).warn({ deployment: "web-1", apiKey: "dd-secret" }, "step failed");
    const text = out.lines().join("\n");
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: step failed/);
    expect(text).toContain('deployment: "web-1"');
    expect(text).toContain('component: "engine"');
    expect(text).toContain('apiKey: "[redacted]"');
    expect(text).not.toContain("dd-secret");
    expect(text).not.toMatch(/^\{/m);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for ANSI escapes
    expect(text).not.toMatch(/\u001b\[/);
  });

  it("colours readable lines when asked (a terminal)", () => {
    const out = collector();
    createLogger({ format: "pretty", destination: out.stream, colorize: true }).error("boom");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for ANSI escapes
    expect(out.lines().join("\n")).toMatch(/\u001b\[/);
  });

  it("picks readable lines on a terminal and JSON elsewhere, unless told", () => {
    expect(logFormatFor(undefined, true)).toBe("pretty");
    expect(logFormatFor(undefined, false)).toBe("json");
    expect(logFormatFor("json", true)).toBe("json");
    expect(logFormatFor("pretty", false)).toBe("pretty");
  });
});
