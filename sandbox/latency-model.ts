/**
 * Response times as lognormal distributions given by their median and p99, and the percentiles of a
 * mix of them (a target group serving two versions), with the sampling noise a minute of `n` requests
 * would show. Closed forms only: a minute is summarised, never simulated request by request.
 */
import type { SeededRandom } from "./seeded-random.js";

/** Φ⁻¹(0.99): the lognormal's σ is ln(p99 / median) / Z99. */
const Z99 = 2.3263478740408408;

export interface LatencyComponent {
  /** Relative share of the requests (a count is fine). */
  weight: number;
  /** ln(median ms) */
  mu: number;
  sigma: number;
}

export function lognormalComponent(
  latency: { medianMs: number; p99Ms: number },
  weight: number,
): LatencyComponent {
  return { weight, mu: Math.log(latency.medianMs), sigma: Math.log(latency.p99Ms / latency.medianMs) / Z99 };
}

/** The `p` quantile (0 < p < 1) of the mixture, in ms; NaN for an empty mixture. */
export function mixtureQuantile(components: readonly LatencyComponent[], p: number): number {
  const total = components.reduce((sum, c) => sum + c.weight, 0);
  if (!(total > 0)) return Number.NaN;
  const cdf = (logMs: number): number =>
    components.reduce(
      (sum, c) =>
        sum +
        (c.weight / total) * (c.sigma > 0 ? normalCdf((logMs - c.mu) / c.sigma) : logMs >= c.mu ? 1 : 0),
      0,
    );
  let lo = Math.min(...components.map((c) => c.mu - 8 * c.sigma - 1e-9));
  let hi = Math.max(...components.map((c) => c.mu + 8 * c.sigma + 1e-9));
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return Math.exp((lo + hi) / 2);
}

/**
 * The `p` quantile as measured over `n` requests: the sample quantile's rank wobbles by about
 * √(p(1−p)/n), so small minutes give noisier p99s, as real ones do.
 */
export function sampledQuantile(
  components: readonly LatencyComponent[],
  p: number,
  n: number,
  random: SeededRandom,
): number {
  if (n <= 0) return Number.NaN;
  const jitter = Math.sqrt((p * (1 - p)) / n) * random.normal();
  const clamped = Math.min(1 - 0.5 / (n + 1), Math.max(0.5 / (n + 1), p + jitter));
  return mixtureQuantile(components, clamped);
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 via erf; |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}
