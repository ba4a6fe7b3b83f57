/**
 * The root message's analysis progress runs from the analysis start to its real end: the end the stage
 * stored (`analysisEnd`: start + lag delay + duration) when it has one, start + duration for rows from
 * before it was kept.
 */
import { describe, expect, it } from "vitest";
import type { Stage } from "../../src/domain/deployment.js";
import { rootMessage } from "../../src/views/root-message.js";
import { allText } from "./block-limit-checker.js";
import { canaryStages, MIN, snapshotFixture, T0 } from "./snapshot-fixtures.js";

// The fixture's analysis (stage 2) starts at T0 + 10 min and lasts 30 min; its providers lag 2 min.
const START = T0 + 10 * MIN;

function analysisLine(state: Stage["state"], now: number, finishedAt?: number): string {
  const stages = canaryStages(["SUCCESS", "SUCCESS", finishedAt === undefined ? "RUNNING" : "SUCCESS"]);
  const analysis = stages[2];
  if (!analysis) throw new Error("fixture has no analysis stage");
  stages[2] = { ...analysis, state, finishedAt } as Stage;
  const text = allText(rootMessage(snapshotFixture({ stages }), now));
  const line = text.split("\n").find((l) => l.startsWith("*Analysis*"));
  if (!line) throw new Error(`no analysis line in:\n${text}`);
  return line;
}

describe("analysis progress", () => {
  it("with a stored end, counts the lag wait: 12 of 32 minutes, and says what the 32 are", () => {
    const state = { analysisStart: START, analysisEnd: START + 2 * MIN + 30 * MIN };
    expect(analysisLine(state, START + 12 * MIN)).toBe(
      "*Analysis* ▰▰▰▰▱▱▱▱▱▱ 38% · 12m / 32m (30m of traffic, judged as its metrics arrive)",
    );
  });

  it("with a stored end, is not done when start + duration has passed, only at the real end", () => {
    const state = { analysisStart: START, analysisEnd: START + 32 * MIN };
    expect(analysisLine(state, START + 30 * MIN)).toBe(
      "*Analysis* ▰▰▰▰▰▰▰▰▰▱ 94% · 30m / 32m (30m of traffic, judged as its metrics arrive)",
    );
    expect(analysisLine(state, START + 40 * MIN)).toBe(
      "*Analysis* ▰▰▰▰▰▰▰▰▰▰ 100% · 32m / 32m (30m of traffic, judged as its metrics arrive)",
    );
    // A finished analysis stays where it finished, however late the message is redrawn.
    expect(analysisLine(state, START + 90 * MIN, START + 16 * MIN)).toBe(
      "*Analysis* ▰▰▰▰▰▱▱▱▱▱ 50% · 16m / 32m (30m of traffic, judged as its metrics arrive)",
    );
  });

  it("without a stored end (rows from before it was kept), runs to start + duration as before", () => {
    expect(analysisLine({ analysisStart: START }, START + 12 * MIN)).toBe(
      "*Analysis* ▰▰▰▰▱▱▱▱▱▱ 40% · 12m / 30m",
    );
    expect(analysisLine({ analysisStart: START }, START + 30 * MIN)).toBe(
      "*Analysis* ▰▰▰▰▰▰▰▰▰▰ 100% · 30m / 30m",
    );
    // Neither field: from when the stage started.
    expect(analysisLine({}, START + 15 * MIN)).toBe("*Analysis* ▰▰▰▰▰▱▱▱▱▱ 50% · 15m / 30m");
  });

  it("a stored end with no lag to wait reads as the duration alone", () => {
    expect(analysisLine({ analysisStart: START, analysisEnd: START + 30 * MIN }, START + 6 * MIN)).toBe(
      "*Analysis* ▰▰▱▱▱▱▱▱▱▱ 20% · 6m / 30m",
    );
  });
});
