/**
 * The span of an ANALYSIS stage, from the start of its tick grid to its real end. The stage waits out
 * its providers' lag after each window and may start its grid on the bucket boundary before the stage
 * (stages/analysis.ts), so the analysis ends at the next boundary + lag + duration, not at start +
 * duration. The stage computes the end once and keeps it (`analysisEnd` in its state); views measure
 * progress against it, so a progress bar reaches 100% when the analysis does.
 */

/** When an analysis ends: the first bucket boundary at or after the stage's start, its lag, its duration. */
export function analysisEndMs(window: { boundary: number; lagMs: number; durationMs: number }): number {
  return window.boundary + window.lagMs + window.durationMs;
}

export interface AnalysisSpan {
  startMs: number;
  endMs: number;
}

/**
 * The span of a stage from what it stored: `analysisStart` (else when the stage started) to the stored
 * `analysisEnd`. A stage that stored no end (rows from before the end was kept) is taken to end
 * `durationMs` after its start, as it was then; an end before the start is not believed either.
 */
export function analysisSpan(stored: {
  analysisStart: number | undefined;
  analysisEnd: number | undefined;
  startedAt: number;
  durationMs: number;
}): AnalysisSpan {
  const startMs = stored.analysisStart ?? stored.startedAt;
  const endMs =
    stored.analysisEnd !== undefined && stored.analysisEnd >= startMs
      ? stored.analysisEnd
      : startMs + stored.durationMs;
  return { startMs, endMs };
}

/** How far along the span `atMs` is: elapsed time (within the span) and the fraction of it. */
export function analysisElapsed(
  span: AnalysisSpan,
  atMs: number,
): { elapsedMs: number; totalMs: number; fraction: number } {
  const totalMs = span.endMs - span.startMs;
  const elapsedMs = Math.min(totalMs, Math.max(0, atMs - span.startMs));
  return { elapsedMs, totalMs, fraction: totalMs > 0 ? elapsedMs / totalMs : 1 };
}
