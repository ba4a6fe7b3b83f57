/**
 * compactHeap: `kanaria serve` turns on V8's memory-favouring heap policy unless the operator chose,
 * and the flag it sets really changes how far V8 lets the heap grow when set at run time (a Node
 * upgrade that stopped honouring it would put DESIGN §10's RSS target back out of reach).
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compactHeap } from "../../src/cli/compact-heap.js";

const child = fileURLToPath(new URL("../fixtures/garbage-heap.ts", import.meta.url));

/**
 * The heap limit V8 would pick on a 16 GB+ host, pinned so that the default policy grows the same way on
 * a small CI machine (V8 scales its growth with the limit).
 */
const LARGE_HOST = "--max-old-space-size=4096";

function peakHeap(args: string[], nodeFlags: string[] = []): { outcome: string; peakHeapMb: number } {
  const run = spawnSync(process.execPath, [LARGE_HOST, ...nodeFlags, "--import", "tsx", child, ...args], {
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`child failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as { outcome: string; peakHeapMb: number };
}

describe("compactHeap", () => {
  it("sets --optimize-for-size when the operator chose nothing", () => {
    const set: string[] = [];
    expect(compactHeap(["--import", "tsx", "--max-old-space-size=512"], (flags) => set.push(flags))).toBe(
      "applied",
    );
    expect(set).toEqual(["--optimize-for-size"]);
  });

  it.each([
    ["--optimize-for-size"],
    ["--no-optimize-for-size"],
    ["--optimize_for_size"],
    ["--no-optimize_for_size"],
  ])("leaves the operator's %s on the node command line alone", (flag) => {
    const set: string[] = [];
    expect(compactHeap(["--import", "tsx", flag], (flags) => set.push(flags))).toBe("left to the operator");
    expect(set).toEqual([]);
  });

  it("does not mistake another flag for the operator's choice", () => {
    const set: string[] = [];
    expect(compactHeap(["--optimize-for-size-x"], (flags) => set.push(flags))).toBe("applied");
    expect(set).toEqual(["--optimize-for-size"]);
  });

  it("keeps V8's heap far smaller on a garbage-heavy process, set at run time", () => {
    const plain = peakHeap([]);
    const compact = peakHeap(["--compact"]);
    expect(compact.outcome).toBe("applied");
    // ~50 MB live: V8's default lets the heap reach ~260 MB on a large host, the compact policy ~80 MB.
    expect(compact.peakHeapMb).toBeLessThan(plain.peakHeapMb / 2);
    expect(compact.peakHeapMb).toBeLessThan(150);
    // And an operator's --no-optimize-for-size wins.
    const declined = peakHeap(["--compact"], ["--no-optimize-for-size"]);
    expect(declined.outcome).toBe("left to the operator");
    expect(declined.peakHeapMb).toBeGreaterThan(compact.peakHeapMb * 2);
  }, 60_000);
});
