/**
 * The project's one seeded PRNG (sfc32) with the samplers its simulations need: the sandbox's traffic,
 * ids and faults, the SEQUENTIAL analysis's simulated traffic (bench/analysis/, scripts/sim/, tests).
 * Same seed and same sequence of calls → same numbers on every machine (32-bit integer arithmetic with
 * `Math.imul` and IEEE double operations only), so a sandbox run in virtual time and a benchmark are
 * reproducible. Subsystems take their own stream with `fork(label)`, so adding a fault or an extra API
 * call does not shift the traffic numbers. Not for anything security-related.
 *
 * It lives beside the sandbox, not in src/: no product code draws random numbers, and bench/ and
 * scripts/ may import the sandbox.
 *
 * The samplers are exact (not normal approximations), so that tests of the false-alarm guarantee
 * measure the statistics, not the sampler: binomial and Poisson draws split large problems with the
 * order-statistic / gamma-arrival recursions (Devroye, "Non-Uniform Random Variate Generation", X.4 and
 * X.3), then finish by inversion once the mean is small.
 */

/** FNV-1a: a stable 32-bit hash for deriving seeds from labels. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Below this mean, binomial and Poisson draws use inversion (O(mean) work, no underflow at e^-mean). */
const INVERSION_MEAN = 20;

export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** Box–Muller gives normals in pairs: the second waits here for the next call. */
  private spareNormal: number | undefined;

  constructor(readonly seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.next();
  }

  /** A derived, independent stream: same parent seed and label → same stream. */
  fork(label: string): SeededRandom {
    return new SeededRandom((hashString(label) ^ Math.imul(this.seed, 0x9e3779b1)) >>> 0);
  }

  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }

  /** Lowercase hex string of `length` characters (AWS resource ids). */
  hex(length: number): string {
    let out = "";
    for (let i = 0; i < length; i++) out += this.int(16).toString(16);
    return out;
  }

  /** Decimal digits, first one non-zero. */
  digits(length: number): string {
    let out = String(1 + this.int(9));
    for (let i = 1; i < length; i++) out += String(this.int(10));
    return out;
  }

  /** Uniform on (0, 1): safe to take the log of. */
  private open(): number {
    let u = this.next();
    while (u === 0) u = this.next();
    return u;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return z;
    }
    const radius = Math.sqrt(-2 * Math.log(this.open()));
    const angle = 2 * Math.PI * this.next();
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** Gamma(shape, 1), shape > 0. */
  gamma(shape: number): number {
    if (!(shape > 0)) throw new RangeError(`gamma shape must be > 0, got ${shape}`);
    if (shape < 1) {
      // Boost: Gamma(a) = Gamma(a + 1) · U^(1/a).
      return this.gamma(shape + 1) * this.open() ** (1 / shape);
    }
    // Marsaglia & Tsang (2000).
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.open();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** Beta(a, b), a, b > 0. */
  beta(a: number, b: number): number {
    const x = this.gamma(a);
    const y = this.gamma(b);
    return x / (x + y);
  }

  /** Binomial(n, p): n a non-negative integer, p in [0, 1]. */
  binomial(n: number, p: number): number {
    if (!Number.isInteger(n) || n < 0) {
      throw new RangeError(`binomial n must be a non-negative integer, got ${n}`);
    }
    if (!(p >= 0 && p <= 1)) throw new RangeError(`binomial p must be in [0, 1], got ${p}`);
    if (p > 0.5) return n - this.binomial(n, 1 - p);
    let count = 0;
    let trials = n;
    let prob = p;
    // The a-th smallest of `trials` uniforms is Beta(a, trials − a + 1). If it lies below prob, those a
    // all succeed and the rest are uniforms on (x, 1); otherwise only the a − 1 below it can succeed.
    while (trials * prob > INVERSION_MEAN) {
      const a = Math.floor((trials + 1) / 2);
      const x = this.beta(a, trials - a + 1);
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
      ? count + trials - this.binomialInversion(trials, 1 - prob)
      : count + this.binomialInversion(trials, prob);
  }

  /** Inversion from 0 upwards; callers guarantee p ≤ 0.5 and n·p ≤ INVERSION_MEAN. */
  private binomialInversion(n: number, p: number): number {
    const q = 1 - p;
    const odds = p / q;
    let pmf = q ** n;
    let cdf = pmf;
    const u = this.next();
    let k = 0;
    while (u >= cdf && k < n) {
      pmf *= ((n - k) / (k + 1)) * odds;
      k += 1;
      cdf += pmf;
    }
    return k;
  }

  /** Poisson(mean), mean finite and ≥ 0. */
  poisson(mean: number): number {
    if (!(mean >= 0) || !Number.isFinite(mean)) {
      throw new RangeError(`poisson mean must be finite and ≥ 0, got ${mean}`);
    }
    let count = 0;
    let rest = mean;
    // The k-th arrival of a unit-rate Poisson process comes at Gamma(k). If it lands inside the window,
    // k arrivals are certain and the rest of the window is a fresh process; otherwise the k − 1 earlier
    // arrivals are uniform on (0, G) and each falls inside with probability rest / G.
    while (rest > INVERSION_MEAN) {
      const k = Math.floor(rest * 0.875);
      const arrival = this.gamma(k);
      if (arrival <= rest) {
        count += k;
        rest -= arrival;
      } else {
        return count + this.binomial(k - 1, rest / arrival);
      }
    }
    let pmf = Math.exp(-rest);
    let cdf = pmf;
    const u = this.next();
    let k = 0;
    // The 1000-step cap only guards against a cdf that rounds to just below u; it is never reached in
    // distribution (rest ≤ 20).
    while (u >= cdf && k < 1000) {
      k += 1;
      pmf *= rest / k;
      cdf += pmf;
    }
    return count + k;
  }

  /** Splits `n` over `weights` (multinomial, by sequential binomials); zero weights get zero. */
  multinomial(n: number, weights: readonly number[]): number[] {
    const out = weights.map(() => 0);
    let remainingWeight = weights.reduce((sum, w) => sum + Math.max(0, w), 0);
    let last = -1;
    weights.forEach((w, i) => {
      if (w > 0) last = i;
    });
    let remaining = n;
    for (let i = 0; i <= last && remaining > 0; i++) {
      const w = Math.max(0, weights[i] ?? 0);
      if (w === 0) continue;
      const k = i === last ? remaining : this.binomial(remaining, Math.min(1, w / remainingWeight));
      out[i] = k;
      remaining -= k;
      remainingWeight -= w;
    }
    return out;
  }
}
