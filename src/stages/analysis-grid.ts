/**
 * Where an ANALYSIS stage's ticks fall: the start of its grid, its origin (the start + the largest lag
 * of its metrics' providers: the first tick is at origin + interval) and its end, fixed on the first
 * step (analysis.ts's module comment says why each is where it is).
 */
import type { AnalysisMetric } from "../domain/analysis-metric.js";
import { analysisEndMs } from "../domain/analysis-window.js";
import type { StageContext } from "../engine/stage-executor.js";

const MINUTE_MS = 60_000;

export interface AnalysisGrid {
  start: number;
  origin: number;
  end: number;
}

export function analysisGrid(
  ctx: StageContext<"ANALYSIS">,
  metrics: readonly AnalysisMetric[],
  durationMs: number,
): AnalysisGrid {
  const lag = largestLag(ctx, metrics);
  const { start, end } = storedGrid(ctx, metrics, lag, durationMs);
  return { start, origin: start + lag, end };
}

/** The coarsest alignment the stage's providers need (a whole minute unless they say otherwise). */
function gridAlignment(ctx: StageContext<"ANALYSIS">, metrics: readonly AnalysisMetric[]): number {
  const aligns = metrics.map((m) => ctx.ports.metrics.alignmentMsOf?.(m.common.provider) ?? MINUTE_MS);
  return Math.max(1, ...aligns);
}

/** How late the first tick comes (analysis.ts's module comment): the largest lag of the stage's providers. */
function largestLag(ctx: StageContext<"ANALYSIS">, metrics: readonly AnalysisMetric[]): number {
  const lags = metrics.map((m) => ctx.ports.metrics.lagMsOf?.(m.common.provider) ?? 0);
  return Math.max(0, ...lags);
}

/**
 * The grid's start and the analysis's end, fixed on the first step and saved together (see the module
 * comment of analysis.ts). The start is the whole bucket boundary at or before the stage's start when that is not
 * before the deployment began, else the next one; the end is the next boundary plus the lag and the
 * duration. An analysis stored by a release that kept no end ran from a boundary it waited for, so its
 * end is its start plus the lag and the duration.
 */
function storedGrid(
  ctx: StageContext<"ANALYSIS">,
  metrics: readonly AnalysisMetric[],
  lag: number,
  durationMs: number,
): { start: number; end: number } {
  const { analysisStart, analysisEnd } = ctx.stage.state;
  if (analysisStart !== undefined)
    return { start: analysisStart, end: analysisEnd ?? analysisStart + lag + durationMs };
  const align = gridAlignment(ctx, metrics);
  const now = ctx.clock.now();
  const before = now - (now % align);
  const after = before === now ? now : before + align;
  const began = ctx.deployment.startedAt ?? ctx.deployment.createdAt;
  const grid = {
    start: before >= began ? before : after,
    end: analysisEndMs({ boundary: after, lagMs: lag, durationMs }),
  };
  ctx.saveState({ analysisStart: grid.start, analysisEnd: grid.end });
  return grid;
}
