import { describe, expect, it } from "vitest";
import { analysisElapsed, analysisEndMs, analysisSpan } from "../../src/domain/analysis-window.js";

const MIN = 60_000;

describe("analysis window", () => {
  it("ends after the start, the lag delay and the duration", () => {
    expect(analysisEndMs({ boundary: 1_000, lagMs: 2 * MIN, durationMs: 30 * MIN })).toBe(1_000 + 32 * MIN);
  });

  it("spans from the stored start to the stored end, else start + duration", () => {
    const base = { analysisStart: 5 * MIN, startedAt: 4 * MIN, durationMs: 30 * MIN };
    expect(analysisSpan({ ...base, analysisEnd: 37 * MIN })).toEqual({ startMs: 5 * MIN, endMs: 37 * MIN });
    expect(analysisSpan({ ...base, analysisEnd: undefined })).toEqual({ startMs: 5 * MIN, endMs: 35 * MIN });
    expect(analysisSpan({ ...base, analysisStart: undefined, analysisEnd: undefined })).toEqual({
      startMs: 4 * MIN,
      endMs: 34 * MIN,
    });
    // An end before the start is not believed.
    expect(analysisSpan({ ...base, analysisEnd: MIN })).toEqual({ startMs: 5 * MIN, endMs: 35 * MIN });
  });

  it("measures elapsed time within the span", () => {
    const span = { startMs: 0, endMs: 32 * MIN };
    expect(analysisElapsed(span, -MIN)).toEqual({ elapsedMs: 0, totalMs: 32 * MIN, fraction: 0 });
    expect(analysisElapsed(span, 8 * MIN)).toEqual({ elapsedMs: 8 * MIN, totalMs: 32 * MIN, fraction: 0.25 });
    expect(analysisElapsed(span, 40 * MIN)).toEqual({ elapsedMs: 32 * MIN, totalMs: 32 * MIN, fraction: 1 });
    expect(analysisElapsed({ startMs: 5, endMs: 5 }, 5)).toEqual({ elapsedMs: 0, totalMs: 0, fraction: 1 });
  });
});
