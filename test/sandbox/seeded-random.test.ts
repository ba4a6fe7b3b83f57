/** The samplers of the one seeded PRNG (sandbox/seeded-random.ts): pinned streams and exact moments. */
import { describe, expect, it } from "vitest";
import { SeededRandom } from "../../sandbox/seeded-random.js";

function moments(draw: () => number, n: number): { mean: number; variance: number } {
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const x = draw();
    sum += x;
    squares += x * x;
  }
  const mean = sum / n;
  return { mean, variance: squares / n - mean * mean };
}

describe("SeededRandom samplers", () => {
  it("is deterministic per seed and differs between seeds", () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const c = new SeededRandom(43);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it("pins the first values of the stream (benchmarks rely on it staying the same)", () => {
    const rng = new SeededRandom(1);
    expect([rng.next(), rng.next(), rng.binomial(1000, 0.01), rng.poisson(3000)]).toEqual([
      0.11025513336062431, 0.9230146396439523, 10, 3037,
    ]);
  });

  it("pins the sandbox's uniform draws, ids and forks (resource ids in recorded runs stay the same)", () => {
    const rng = new SeededRandom(1);
    expect([rng.next(), rng.hex(8), rng.digits(12), new SeededRandom(1).fork("ids").next()]).toEqual([
      0.11025513336062431,
      "e87c8629",
      "717115119009",
      0.1824473252054304,
    ]);
  });

  // Sample moments within ~5 standard errors of the exact ones (deterministic for the seed).
  it.each([
    [30000, 0.002],
    [50, 0.7],
    [12, 0.5],
    [100000, 0.1],
    [7, 0.999],
  ])("draws Binomial(%i, %f) with the right mean and variance", (n, p) => {
    const rng = new SeededRandom(n);
    const runs = 20000;
    const { mean, variance } = moments(() => rng.binomial(n, p), runs);
    const v = n * p * (1 - p);
    // Standard error of a sample variance: σ²·sqrt((kurtosis − 1)/runs); binomial excess kurtosis below.
    const kurtosis = 3 + (1 - 6 * p * (1 - p)) / v;
    expect(Math.abs(mean - n * p)).toBeLessThan(5 * Math.sqrt(v / runs));
    expect(Math.abs(variance / v - 1)).toBeLessThan(5 * Math.sqrt((kurtosis - 1) / runs));
  });

  it.each([0.3, 15, 3000, 1e6])("draws Poisson(%f) with the right mean and variance", (m) => {
    const rng = new SeededRandom(Math.round(m * 10));
    const runs = 20000;
    const { mean, variance } = moments(() => rng.poisson(m), runs);
    expect(Math.abs(mean - m)).toBeLessThan(5 * Math.sqrt(m / runs));
    expect(Math.abs(variance / m - 1)).toBeLessThan(5 * Math.sqrt(2 / runs) + 5 / Math.sqrt(m * runs));
  });

  it("draws normals and gammas with the right first two moments", () => {
    const rng = new SeededRandom(7);
    const normal = moments(() => rng.normal(), 40000);
    expect(Math.abs(normal.mean)).toBeLessThan(0.03);
    expect(Math.abs(normal.variance - 1)).toBeLessThan(0.04);
    for (const shape of [0.5, 3, 200]) {
      const g = moments(() => rng.gamma(shape), 40000);
      expect(Math.abs(g.mean / shape - 1)).toBeLessThan(5 * Math.sqrt(1 / (shape * 40000)));
      expect(Math.abs(g.variance / shape - 1)).toBeLessThan(0.06);
    }
  });

  it("handles the edges of the binomial", () => {
    const rng = new SeededRandom(3);
    expect(rng.binomial(0, 0.5)).toBe(0);
    expect(rng.binomial(10, 0)).toBe(0);
    expect(rng.binomial(10, 1)).toBe(10);
    expect(() => rng.binomial(-1, 0.5)).toThrow(RangeError);
    expect(() => rng.binomial(10, 1.5)).toThrow(RangeError);
  });
});
