/** The evaluations a window needs (evaluation-plan.ts): steps that tile windows, lag, planned instants. */
import { describe, expect, it } from "vitest";
import {
  evaluationPlan,
  isPlannedInstant,
  promSeconds,
} from "../../../src/providers/prometheus/evaluation-plan.js";

const MINUTE = 60_000;
const NOW = Date.UTC(2026, 10, 22, 9, 0, 0);

describe("evaluationPlan", () => {
  it.each([
    [30_000, "instant", 30_000, 1],
    [MINUTE, "instant", MINUTE, 1],
    [90_000, "range", 45_000, 2],
    [5 * MINUTE, "range", MINUTE, 5],
    [10 * MINUTE + 1, "range", (10 * MINUTE + 1) / 11, 11],
  ])("a %i ms window is %s with %d ms steps (%i evaluations)", (length, kind, step, evaluations) => {
    const plan = evaluationPlan(NOW - length, NOW, NOW, 0);
    expect(plan.kind).toBe(kind);
    expect(plan.stepMs).toBe(step);
    expect(Math.round((plan.endMs - plan.startMs) / plan.stepMs) + 1).toBe(evaluations);
    // The steps cover exactly the window: the first starts where the window does.
    expect(plan.startMs - plan.stepMs).toBeCloseTo(NOW - length, 6);
  });

  it("tiles consecutive ticks whatever the lag and however late they run", () => {
    for (const lag of [0, 1, 30_000, 59_999, 90_000]) {
      const ends: number[] = [];
      for (let k = 1; k <= 5; k++) {
        const late = (k * 7919) % 45_000; // ticks run late by varying amounts
        const plan = evaluationPlan(NOW + (k - 1) * MINUTE, NOW + k * MINUTE, NOW + k * MINUTE + late, lag);
        expect(plan.endMs).toBeLessThanOrEqual(NOW + k * MINUTE + late - lag);
        ends.push(plan.endMs);
      }
      expect(ends.slice(1).map((end, i) => end - (ends[i] as number))).toEqual([
        MINUTE,
        MINUTE,
        MINUTE,
        MINUTE,
      ]);
    }
  });

  it("moves a window that would end after now − lag back further, in whole seconds", () => {
    const plan = evaluationPlan(NOW - MINUTE + 2_500, NOW + 2_500, NOW, 30_000);
    expect(plan.endMs).toBe(NOW + 2_500 - 33_000);
  });
});

describe("isPlannedInstant and promSeconds", () => {
  it("accepts the plan's instants within a millisecond, nothing between or outside", () => {
    const plan = evaluationPlan(NOW - 90_000, NOW, NOW, 0);
    expect(isPlannedInstant(plan, NOW)).toBe(true);
    expect(isPlannedInstant(plan, NOW - 45_000 + 1)).toBe(true);
    expect(isPlannedInstant(plan, NOW - 30_000)).toBe(false);
    expect(isPlannedInstant(plan, NOW - 90_000)).toBe(false);
    expect(isPlannedInstant(plan, NOW + 45_000)).toBe(false);
  });

  it("writes seconds with millisecond precision", () => {
    expect(promSeconds(1_700_000_000_123)).toBe("1700000000.123");
    expect(promSeconds(45_000)).toBe("45");
  });
});
