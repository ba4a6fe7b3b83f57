/**
 * `bench:detection`'s table and verdicts (pure, fixed inputs), and one real run of its shortest row
 * (Prometheus, one seed) checked for what it must always give: a run that ends with the canary rolled
 * back, measured from its onset. No time is asserted beyond "measured and positive".
 */
import { describe, expect, it } from "vitest";
import { DETECTION_ROWS } from "../../bench/detection/rows.js";
import { runDetection } from "../../bench/detection/run-detection.js";
import {
  type DetectionRun,
  formatDuration,
  formatTable,
  type RowReport,
  spread,
  TABLE_HEADER,
  verdictOf,
  withinTarget,
} from "../../bench/detection/table.js";

const MINUTE = 60_000;
const at = (ms: number): DetectionRun => ({ detectedMs: ms, outcome: "ROLLED_BACK" });
const never: DetectionRun = { detectedMs: undefined, outcome: "asks people (no data)" };

describe("bench:detection verdicts", () => {
  it("is met when the median run reached weight 0 within the target", () => {
    expect(verdictOf({ targetMs: 2 * MINUTE, runs: [at(MINUTE), at(2 * MINUTE), at(5 * MINUTE)] })).toBe(
      "met",
    );
    expect(verdictOf({ targetMs: 2 * MINUTE, runs: [at(MINUTE), at(2 * MINUTE + 1), at(3 * MINUTE)] })).toBe(
      "NOT MET",
    );
    expect(verdictOf({ targetMs: 2 * MINUTE, runs: [at(MINUTE), never, never] })).toBe("NOT MET");
    expect(verdictOf({ targetMs: 2 * MINUTE, runs: [] })).toBe("NOT MET");
    expect(verdictOf({ targetMs: undefined, runs: [at(30 * MINUTE)] })).toBe("—");
  });

  it("counts the runs within the target, a run that never reached weight 0 as not within", () => {
    expect(
      withinTarget({ targetMs: 2 * MINUTE, runs: [at(MINUTE), at(2 * MINUTE), at(2 * MINUTE + 1), never] }),
    ).toBe("2/4");
    expect(withinTarget({ targetMs: undefined, runs: [at(MINUTE)] })).toBe("—");
  });

  it("counts a run that never reached weight 0 as infinitely late", () => {
    const runs = Array.from({ length: 10 }, (_, k) => at((k + 1) * MINUTE));
    expect(spread(runs)).toEqual({ median: 5 * MINUTE, p90: 9 * MINUTE, max: 10 * MINUTE });
    expect(spread([at(MINUTE), never, never])).toEqual({
      median: Number.POSITIVE_INFINITY,
      p90: Number.POSITIVE_INFINITY,
      max: Number.POSITIVE_INFINITY,
    });
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe("never");
    expect(formatDuration(125_400)).toBe("2m05s");
    expect(formatDuration(-34_000)).toBe("-0m34s");
  });

  it("prints one line per row with median, p90, max, target, runs within and verdict, then the outcomes", () => {
    const rows: RowReport[] = [
      {
        name: "fast",
        delivery: "d1",
        lag: "30s",
        targetMs: 2 * MINUTE,
        runs: [at(90_000), at(100_000), at(150_000)],
      },
      { name: "slow", delivery: "d2", lag: "12m", targetMs: undefined, runs: [at(20 * MINUTE), never] },
    ];
    const lines = formatTable(rows);
    const cells = (line: string | undefined) =>
      (line ?? "")
        .split("|")
        .slice(1, -1)
        .map((c) => c.trim());
    expect(cells(lines[0])).toEqual(TABLE_HEADER);
    expect(cells(lines[2])).toEqual([
      "fast",
      "d1 / lag 30s",
      "1m40s",
      "2m30s",
      "2m30s",
      "≤ 2m00s",
      "2/3",
      "met",
    ]);
    // Nearest rank: the median of two runs is the earlier one.
    expect(cells(lines[3])).toEqual(["slow", "d2 / lag 12m", "20m00s", "never", "never", "—", "—", "—"]);
    expect(lines.slice(4)).toEqual([
      "",
      "outcomes:",
      "  fast: ROLLED_BACK ×3",
      "  slow: ROLLED_BACK ×1, asks people (no data) ×1",
    ]);
  });
});

describe("bench:detection run", () => {
  it("rolls back the bad canary of one Prometheus run and measures from its onset", async () => {
    const row = DETECTION_ROWS.find((r) => r.key === "prometheus");
    if (!row) throw new Error("no prometheus row");
    const run = await runDetection(row, 1);
    expect(run.outcome).toMatch(/^(ROLLING_BACK|ROLLED_BACK): FAILURE /);
    expect(run.phases?.toDecisionMs).toBeGreaterThan(0);
    expect(run.detectedMs).toBeGreaterThan(0);
    const [line] = formatTable([{ ...row, runs: [run] }]).slice(2);
    expect(line).toContain(row.name);
  }, 120_000);
});
