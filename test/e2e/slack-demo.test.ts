/** `kanaria demo --fast` end to end: the story runs, the charts are written and the transcript tells it. */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { runDemo } from "../../sandbox/cli/demo-command.js";
import type { CliIo } from "../../src/cli/cli-io.js";

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it("runs the demo's story: exit 0, PNG charts, the four-eyes refusal and the automatic rollback", async () => {
  dir = mkdtempSync(join(tmpdir(), "kanaria-demo-test-"));
  const out: string[] = [];
  const io: CliIo = {
    out: (line) => out.push(line),
    err: (line) => out.push(line),
    cwd: dir,
    stopSignal: () => new Promise<void>(() => undefined),
  };
  const code = await runDemo({ fast: true, outDir: "charts" }, io);
  const transcript = out.join("\n");
  expect(code, transcript).toBe(0);
  const pngs = readdirSync(join(dir, "charts")).filter((f) => f.endsWith(".png"));
  expect(pngs.length).toBeGreaterThan(0);
  expect(transcript).toContain(
    "only Alice sees: 🙅 Not done: four-eyes rule: the requester may not approve their own deployment",
  );
  expect(transcript).toMatch(/⏪ @alice web v3 was rolled back automatically: ANALYSIS failed/);
  // The rollback is told at once; the charts, rendered meanwhile, come after it.
  const v3 = transcript.slice(transcript.indexOf("/deploy web v3"));
  expect(v3.indexOf("Rolling back automatically")).toBeGreaterThan(0);
  expect(v3.indexOf("📎 web v3")).toBeGreaterThan(v3.indexOf("Rolling back automatically"));
  expect(transcript).toContain("web v2: SUCCESS");
  expect(transcript).toContain("web v3: ROLLED_BACK");
});
