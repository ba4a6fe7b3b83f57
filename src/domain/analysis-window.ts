/**
 * The span of an ANALYSIS stage, from its start to its real end. The stage starts its tick grid
 * `lagDelayMs` after the start (it waits out its providers' lag, so that the first window begins at the
 * start) and runs the grid for `durationMs`: the analysis ends at start + lag delay + duration, not at
 * start + duration. The stage computes the end once and keeps it (`analysisEnd` in its state); views
 * measure progress against it, so a progress bar reaches 100% when the analysis does.
 */

/** When the analysis ends: its start, then the lag it waits out, then its duration. */
export function analysisEndMs(window: { start: number; lagDelayMs: number; durationMs: number }): number {
  return window.start + window.lagDelayMs + window.durationMs;
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
