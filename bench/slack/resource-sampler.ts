/**
 * Samples the process while a benchmark phase runs: RSS and heap (`process.memoryUsage()`) every
 * `intervalMs` of real time, a caller-supplied count (active deployments) at the same moments, and the
 * event-loop delay with `perf_hooks.monitorEventLoopDelay`.
 *
 * Node's histogram records the time between two firings of its `resolution`-ms timer, so an idle loop
 * reads ≈ resolution; the delay reported here is that minus the resolution (never below 0), the way
 * load-shedding libraries read it. The figures are for the whole process: the sandbox servers run in
 * it too.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";

export interface ResourceSamplerOptions {
  intervalMs: number;
  /** Event-loop delay histogram resolution (ms). */
  resolutionMs: number;
  /** Read at each sample; its peak is reported (e.g. deployments not yet final). */
  count?: () => number;
}

export interface ResourceReport {
  samples: number;
  startRssBytes: number;
  peakRssBytes: number;
  peakHeapUsedBytes: number;
  /** Largest heap V8 had reserved at any sample. */
  peakHeapTotalBytes: number;
  /** Peak of `count()`; 0 without one. */
  peakCount: number;
  /** Event-loop delay beyond the resolution, in ms. */
  loopDelayMs: { p50: number; p99: number; max: number };
}

export interface ResourceSampler {
  /** Stops sampling (takes a last sample first) and reports. */
  stop(): ResourceReport;
}

export function startResourceSampler(options: ResourceSamplerOptions): ResourceSampler {
  const histogram = monitorEventLoopDelay({ resolution: options.resolutionMs });
  const start = process.memoryUsage();
  let samples = 0;
  let peakRss = start.rss;
  let peakHeapUsed = start.heapUsed;
  let peakHeapTotal = start.heapTotal;
  let peakCount = 0;
  const sample = (): void => {
    const usage = process.memoryUsage();
    samples += 1;
    peakRss = Math.max(peakRss, usage.rss);
    peakHeapUsed = Math.max(peakHeapUsed, usage.heapUsed);
    peakHeapTotal = Math.max(peakHeapTotal, usage.heapTotal);
    if (options.count) peakCount = Math.max(peakCount, options.count());
  };
  histogram.enable();
  const timer = setInterval(sample, options.intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      histogram.disable();
      const beyond = (nanoseconds: number): number => Math.max(0, nanoseconds / 1e6 - options.resolutionMs);
      return {
        samples,
        startRssBytes: start.rss,
        peakRssBytes: peakRss,
        peakHeapUsedBytes: peakHeapUsed,
        peakHeapTotalBytes: peakHeapTotal,
        peakCount,
        loopDelayMs: {
          p50: beyond(histogram.percentile(50)),
          p99: beyond(histogram.percentile(99)),
          max: beyond(histogram.max),
        },
      };
    },
  };
}
