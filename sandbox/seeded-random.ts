/**
 * A small seeded PRNG (sfc32) with the draws the simulation needs. Same seed and same sequence of calls →
 * same numbers, so a sandbox run in virtual time is reproducible. Subsystems take their own stream with
 * `fork(label)`, so adding a fault or an extra API call does not shift the traffic numbers.
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

export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

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

  /** Uniform in [0, 1). */
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

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Poisson(λ): exact (Knuth) for small λ, normal approximation above 30 (error well below noise). */
  poisson(lambda: number): number {
    if (!(lambda > 0)) return 0;
    if (lambda < 30) {
      const limit = Math.exp(-lambda);
      let k = 0;
      let product = this.next();
      while (product > limit) {
        k++;
        product *= this.next();
      }
      return k;
    }
    return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()));
  }

  /**
   * Binomial(n, p). Exact for small n or small n·p (waiting-time method, cost ∝ n·p), normal approximation
   * when both n·p and n·(1−p) are at least 10.
   */
  binomial(n: number, p: number): number {
    if (n <= 0 || !(p > 0)) return 0;
    if (p >= 1) return n;
    if (p > 0.5) return n - this.binomial(n, 1 - p);
    if (n < 40) {
      let k = 0;
      for (let i = 0; i < n; i++) if (this.next() < p) k++;
      return k;
    }
    const mean = n * p;
    if (mean < 10) {
      const logQ = Math.log(1 - p);
      let k = 0;
      let position = 0;
      for (;;) {
        position += Math.ceil(Math.log(1 - this.next()) / logQ);
        if (position > n) return k;
        k++;
      }
    }
    const sd = Math.sqrt(mean * (1 - p));
    return Math.min(n, Math.max(0, Math.round(mean + sd * this.normal())));
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
