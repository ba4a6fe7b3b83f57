/**
 * A small seeded pseudo-random generator with the samplers the sequential analysis needs in simulation
 * (tests, `scripts/sim/sequential-power.ts`, benchmarks). Deterministic: the same seed gives the same
 * stream on every machine, because everything is built on 32-bit integer arithmetic (`Math.imul`) and
 * IEEE double operations. Not for anything security-related.
 *
 * The samplers are exact (not normal approximations), so that tests of the false-alarm guarantee
 * measure the statistics, not the sampler: binomial and Poisson draws split large problems with the
 * order-statistic / gamma-arrival recursions (Devroye, "Non-Uniform Random Variate Generation", X.4 and
 * X.3), then finish by inversion once the mean is small.
 */

export interface SeededRandom {
  /** Uniform on [0, 1), 32 bits of resolution. */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal. */
  normal(): number;
  /** Gamma(shape, 1), shape > 0. */
  gamma(shape: number): number;
  /** Beta(a, b), a, b > 0. */
  beta(a: number, b: number): number;
  /** Binomial(n, p): n a non-negative integer, p in [0, 1]. */
  binomial(n: number, p: number): number;
  /** Poisson(mean), mean ≥ 0. */
  poisson(mean: number): number;
}

/** Below this mean, binomial and Poisson draws use inversion (O(mean) work, no underflow at e^-mean). */
const INVERSION_MEAN = 20;

/** mulberry32 (Tommy Ettinger): a 32-bit state, full period 2^32, good enough for Monte Carlo. */
export function sequentialRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  let spareNormal: number | undefined;

  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  /** Uniform on (0, 1): safe to take the log of. */
  const open = (): number => {
    let u = next();
    while (u === 0) u = next();
    return u;
  };

  const normal = (): number => {
    if (spareNormal !== undefined) {
      const z = spareNormal;
      spareNormal = undefined;
      return z;
    }
    // Box–Muller: two normals per two uniforms; keep the second for the next call.
    const radius = Math.sqrt(-2 * Math.log(open()));
    const angle = 2 * Math.PI * next();
    spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };

  const gamma = (shape: number): number => {
    if (!(shape > 0)) throw new RangeError(`gamma shape must be > 0, got ${shape}`);
    if (shape < 1) {
      // Boost: Gamma(a) = Gamma(a + 1) · U^(1/a).
      return gamma(shape + 1) * open() ** (1 / shape);
    }
    // Marsaglia & Tsang (2000).
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = open();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  };

  const beta = (a: number, b: number): number => {
    const x = gamma(a);
    const y = gamma(b);
    return x / (x + y);
  };

  /** Inversion from 0 upwards; callers guarantee p ≤ 0.5 and n·p ≤ INVERSION_MEAN. */
  const binomialInversion = (n: number, p: number): number => {
    const q = 1 - p;
    const odds = p / q;
    let pmf = q ** n;
    let cdf = pmf;
    const u = next();
    let k = 0;
    while (u >= cdf && k < n) {
      pmf *= ((n - k) / (k + 1)) * odds;
      k += 1;
      cdf += pmf;
    }
    return k;
  };

  const binomial = (n: number, p: number): number => {
    if (!Number.isInteger(n) || n < 0)
      throw new RangeError(`binomial n must be a non-negative integer, got ${n}`);
    if (!(p >= 0 && p <= 1)) throw new RangeError(`binomial p must be in [0, 1], got ${p}`);
    if (p > 0.5) return n - binomial(n, 1 - p);
    let count = 0;
    let trials = n;
    let prob = p;
    // The a-th smallest of `trials` uniforms is Beta(a, trials − a + 1). If it lies below prob, those a
    // all succeed and the rest are uniforms on (x, 1); otherwise only the a − 1 below it can succeed.
    while (trials * prob > INVERSION_MEAN) {
      const a = Math.floor((trials + 1) / 2);
      const x = beta(a, trials - a + 1);
      if (x <= prob) {
        count += a;
        trials -= a;
        prob = (prob - x) / (1 - x);
      } else {
        trials = a - 1;
        prob /= x;
      }
    }
    if (trials === 0 || prob <= 0) return count;
    return prob > 0.5
      ? count + trials - binomialInversion(trials, 1 - prob)
      : count + binomialInversion(trials, prob);
  };

  const poisson = (mean: number): number => {
    if (!(mean >= 0) || !Number.isFinite(mean))
      throw new RangeError(`poisson mean must be finite and ≥ 0, got ${mean}`);
    let count = 0;
    let rest = mean;
    // The k-th arrival of a unit-rate Poisson process comes at Gamma(k). If it lands inside the window,
    // k arrivals are certain and the rest of the window is a fresh process; otherwise the k − 1 earlier
    // arrivals are uniform on (0, G) and each falls inside with probability rest / G.
    while (rest > INVERSION_MEAN) {
      const k = Math.floor(rest * 0.875);
      const arrival = gamma(k);
      if (arrival <= rest) {
        count += k;
        rest -= arrival;
      } else {
        return count + binomial(k - 1, rest / arrival);
      }
    }
    let pmf = Math.exp(-rest);
    let cdf = pmf;
    const u = next();
    let k = 0;
    // The 1000-step cap only guards against a cdf that rounds to just below u; it is never reached in
    // distribution (rest ≤ 20).
    while (u >= cdf && k < 1000) {
      k += 1;
      pmf *= rest / k;
      cdf += pmf;
    }
    return count + k;
  };

  return {
    next,
    int: (n) => Math.floor(next() * n),
    normal,
    gamma,
    beta,
    binomial,
    poisson,
  };
}
