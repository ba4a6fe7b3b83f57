import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  type Alternative,
  deviationToAlternative,
  MannWhitneyError,
  mannWhitneyMethod,
  mannWhitneyU,
} from "../../src/analysis/mann-whitney.js";
import { normalCdf } from "../../src/analysis/normal-cdf.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const tablePath = join(root, "test/data/mann-whitney-reference.json");
const scriptPath = join(root, "scripts/reference/mann-whitney-reference.py");

const referenceCase = z.object({
  name: z.string(),
  kind: z.string(),
  x: z.array(z.number()),
  y: z.array(z.number()),
  alternative: z.enum(["two-sided", "greater", "less"]),
  method: z.enum(["exact", "asymptotic"]),
  reference: z.string(),
  u: z.number(),
  pValue: z.number(),
  /** The exactly rounded p-value from exact counting, present for every exact case. */
  pValueExact: z.number().optional(),
});
type ReferenceCase = z.infer<typeof referenceCase>;
const referenceTable = z.object({ meta: z.record(z.string(), z.string()), cases: z.array(referenceCase) });

function readTable(path: string): ReferenceCase[] {
  return referenceTable.parse(JSON.parse(readFileSync(path, "utf8"))).cases;
}

const cases = readTable(tablePath);

/** Deterministic PRNG (mulberry32) for the property tests: a failure reproduces. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A pair of samples: sizes in 1..maxSize, integer-valued with few levels (ties) or continuous. */
function randomSamples(next: () => number, maxSize: number): { x: number[]; y: number[] } {
  const n1 = 1 + Math.floor(next() * maxSize);
  const n2 = 1 + Math.floor(next() * maxSize);
  const levels = next() < 0.5 ? 2 + Math.floor(next() * 6) : 0;
  const shift = next() - 0.5;
  const draw = (n: number, offset: number) =>
    Array.from({ length: n }, () => (levels > 0 ? Math.floor(next() * levels + offset) : next() + offset));
  return { x: draw(n1, levels > 0 ? shift * 2 : shift), y: draw(n2, 0) };
}

/** P-values by brute force over every split of the pooled sample, U counted pairwise (ties count ½). */
function enumeratedPValue(x: readonly number[], y: readonly number[], alternative: Alternative): number {
  const pooled = [...x, ...y];
  const doubledU = (chosen: ReadonlySet<number>): number => {
    let sum = 0;
    for (const i of chosen) {
      for (let j = 0; j < pooled.length; j++) {
        if (chosen.has(j)) continue;
        const a = pooled[i] as number;
        const b = pooled[j] as number;
        sum += a > b ? 2 : a === b ? 1 : 0;
      }
    }
    return sum;
  };
  const observed = doubledU(new Set(x.map((_, i) => i)));
  let atMost = 0;
  let atLeast = 0;
  let total = 0;
  const visit = (start: number, chosen: number[]): void => {
    if (chosen.length === x.length) {
      const value = doubledU(new Set(chosen));
      if (value <= observed) atMost++;
      if (value >= observed) atLeast++;
      total++;
      return;
    }
    for (let i = start; i < pooled.length; i++) visit(i + 1, [...chosen, i]);
  };
  visit(0, []);
  if (alternative === "greater") return atLeast / total;
  if (alternative === "less") return atMost / total;
  return Math.min(1, (2 * Math.min(atMost, atLeast)) / total);
}

function caseLabel(c: ReferenceCase): string {
  return `${c.name} [n1=${c.x.length}, n2=${c.y.length}, ${c.method}, ref ${c.reference}]`;
}

describe("mannWhitneyU against the scipy reference table", () => {
  it("has the promised coverage", () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
    const kinds = new Set(cases.map((c) => c.kind));
    for (const kind of ["no-ties", "ties", "heavy-ties", "all-equal", "one-each", "separated"]) {
      expect(kinds).toContain(kind);
    }
    for (const method of ["exact", "asymptotic"] as const) {
      for (const alternative of ["two-sided", "greater", "less"] as const) {
        expect(cases.some((c) => c.method === method && c.alternative === alternative)).toBe(true);
      }
    }
  });

  it.each(cases.map((c) => [caseLabel(c), c] as const))("%s", (_, c) => {
    const result = mannWhitneyU(c.x, c.y, c.alternative);
    expect(result.u).toBe(c.u);
    expect(result.method).toBe(c.method);
    expect(Math.abs(result.pValue - c.pValue)).toBeLessThanOrEqual(1e-9);
    if (c.pValueExact !== undefined) {
      // Exact p-values must be right to 1e-12 relative, however small (down to ~1e-29 here).
      expect(Math.abs(result.pValue - c.pValueExact)).toBeLessThanOrEqual(1e-12 * c.pValueExact);
    } else {
      // The normal approximation follows scipy step for step; only the normal tail's rounding differs.
      expect(Math.abs(result.pValue - c.pValue)).toBeLessThanOrEqual(1e-12 * c.pValue);
    }
  });
});

describe("mannWhitneyU properties", () => {
  const next = random(20240611);
  const samples = Array.from({ length: 60 }, () => randomSamples(next, 30));

  it("is symmetric: (x, y, greater) ≡ (y, x, less), two-sided either way, U1 + U2 = n1·n2", () => {
    for (const { x, y } of samples) {
      const greater = mannWhitneyU(x, y, "greater");
      const less = mannWhitneyU(y, x, "less");
      expect(less.pValue).toBeCloseTo(greater.pValue, 12);
      expect(greater.u + less.u).toBe(x.length * y.length);
      expect(mannWhitneyU(y, x, "two-sided").pValue).toBeCloseTo(mannWhitneyU(x, y, "two-sided").pValue, 12);
    }
  });

  it("gives p-values in [0, 1], with the two-sided p-value twice the smaller one-sided one (capped at 1)", () => {
    for (const { x, y } of samples) {
      const p = (alternative: Alternative) => mannWhitneyU(x, y, alternative).pValue;
      for (const alternative of ["two-sided", "greater", "less"] as const) {
        expect(p(alternative)).toBeGreaterThanOrEqual(0);
        expect(p(alternative)).toBeLessThanOrEqual(1);
      }
      if (mannWhitneyU(x, y, "two-sided").method === "exact") {
        expect(p("two-sided")).toBeCloseTo(Math.min(1, 2 * Math.min(p("greater"), p("less"))), 14);
      }
    }
  });

  it("matches brute-force enumeration of every split on small samples, ties included", () => {
    const small = random(7);
    for (let i = 0; i < 40; i++) {
      const { x, y } = randomSamples(small, 6);
      for (const alternative of ["two-sided", "greater", "less"] as const) {
        const result = mannWhitneyU(x, y, alternative);
        expect(result.method).toBe("exact");
        expect(result.pValue).toBeCloseTo(enumeratedPValue(x, y, alternative), 14);
      }
    }
  });

  it("switches methods at 50 points per side without ties and 25 with ties", () => {
    expect(mannWhitneyMethod(50, 50, false)).toBe("exact");
    expect(mannWhitneyMethod(51, 3, false)).toBe("asymptotic");
    expect(mannWhitneyMethod(25, 25, true)).toBe("exact");
    expect(mannWhitneyMethod(3, 26, true)).toBe("asymptotic");
    const range = (n: number, offset: number) => Array.from({ length: n }, (_, i) => i + offset);
    expect(mannWhitneyU(range(50, 0.5), range(50, 0), "greater").method).toBe("exact");
    expect(mannWhitneyU(range(51, 0.5), range(50, 0), "greater").method).toBe("asymptotic");
    expect(mannWhitneyU(range(25, 0), range(25, 0), "greater").method).toBe("exact");
    expect(mannWhitneyU(range(26, 0), range(25, 0), "greater").method).toBe("asymptotic");
  });

  it("uses the exact branch up to its largest sizes (50 + 50 without ties, 25 + 25 with heavy ties)", () => {
    const distinct = mannWhitneyU(
      Array.from({ length: 50 }, (_, i) => 2 * i + 1),
      Array.from({ length: 50 }, (_, i) => 2 * i),
      "two-sided",
    );
    const tied = mannWhitneyU(
      Array.from({ length: 25 }, (_, i) => i % 3),
      Array.from({ length: 25 }, (_, i) => i % 4),
      "two-sided",
    );
    expect(distinct.method).toBe("exact");
    expect(tied.method).toBe("exact");
    // Speed is a benchmark matter, never a test assertion; these only check the branch and the range.
    for (const r of [distinct, tied]) expect(r.pValue).toBeGreaterThan(0);
    for (const r of [distinct, tied]) expect(r.pValue).toBeLessThanOrEqual(1);
  });
});

describe("mannWhitneyU edge cases", () => {
  it.each([
    ["x", [], [1, 2]],
    ["y", [1, 2], []],
    ["both", [], []],
  ] as const)("throws EMPTY_SAMPLE when %s is empty", (_, x, y) => {
    const call = () => mannWhitneyU(x, y, "two-sided");
    expect(call).toThrow(MannWhitneyError);
    expect(call).toThrow(expect.objectContaining({ code: "EMPTY_SAMPLE" }));
  });

  it.each([
    ["x", [1, Number.NaN], [1, 2]],
    ["y", [1, 2], [Number.NaN]],
  ] as const)("throws NOT_A_NUMBER when %s holds NaN", (_, x, y) => {
    const call = () => mannWhitneyU(x, y, "greater");
    expect(call).toThrow(MannWhitneyError);
    expect(call).toThrow(expect.objectContaining({ code: "NOT_A_NUMBER" }));
  });

  it.each([
    [1, 1, "exact"],
    [25, 25, "exact"],
    [26, 3, "asymptotic"],
    [80, 80, "asymptotic"],
  ] as const)("gives p = 1 when all %i + %i values are equal (%s)", (n1, n2, method) => {
    for (const alternative of ["two-sided", "greater", "less"] as const) {
      const result = mannWhitneyU(new Array(n1).fill(3.5), new Array(n2).fill(3.5), alternative);
      expect(result).toEqual({ u: (n1 * n2) / 2, pValue: 1, method });
    }
  });

  it("ranks ±Infinity like any value and treats −0 as 0", () => {
    expect(mannWhitneyU([Number.POSITIVE_INFINITY, 5], [Number.NEGATIVE_INFINITY, 1], "greater")).toEqual(
      mannWhitneyU([10, 5], [0, 1], "greater"),
    );
    expect(mannWhitneyU([-0, 1], [0, 2], "two-sided")).toEqual(mannWhitneyU([0, 1], [0, 2], "two-sided"));
    expect(mannWhitneyU([-0], [0], "greater").u).toBe(0.5);
  });

  it("does not modify its inputs", () => {
    const x = [3, 1, 2];
    const y = [9, 0];
    mannWhitneyU(x, y, "less");
    expect(x).toEqual([3, 1, 2]);
    expect(y).toEqual([9, 0]);
  });
});

describe("deviationToAlternative", () => {
  it("maps HIGH → greater, LOW → less, EITHER → two-sided (x = canary, y = control)", () => {
    expect(deviationToAlternative("HIGH")).toBe("greater");
    expect(deviationToAlternative("LOW")).toBe("less");
    expect(deviationToAlternative("EITHER")).toBe("two-sided");
  });

  it("flags a canary whose latency is higher than the control's under HIGH, not under LOW", () => {
    const control = [101, 98, 103, 99, 100, 102, 97, 104];
    const canary = control.map((value) => value + 20);
    expect(mannWhitneyU(canary, control, deviationToAlternative("HIGH")).pValue).toBeLessThanOrEqual(0.05);
    expect(mannWhitneyU(canary, control, deviationToAlternative("LOW")).pValue).toBeGreaterThan(0.9);
    expect(mannWhitneyU(canary, control, deviationToAlternative("EITHER")).pValue).toBeLessThanOrEqual(0.05);
  });
});

describe("normalCdf", () => {
  // Values of Φ from mpmath.ncdf at 50 digits, rounded to double.
  it.each([
    [0, 0.5],
    [-1, 0.15865525393145705],
    [1, 0.8413447460685429],
    [-0.3, 0.3820885778110474],
    [-1.96, 0.024997895148220435],
    [-5, 2.866515718791939e-7],
    [-10, 7.619853024160525e-24],
    [-20, 2.7536241186062337e-89],
    [-8.5, 9.479534822203318e-18],
    [-37, 5.725571222524577e-300],
  ])("Φ(%d) = %d", (z, expected) => {
    expect(Math.abs(normalCdf(z) - expected)).toBeLessThanOrEqual(2e-14 * expected);
  });

  it("is 0 and 1 in the limits", () => {
    expect(normalCdf(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(normalCdf(Number.POSITIVE_INFINITY)).toBe(1);
  });
});

const scipyAvailable = spawnSync("python3", ["-c", "import scipy, numpy"]).status === 0;
if (!scipyAvailable) {
  console.warn(
    "mann-whitney.test.ts: python3 with scipy and numpy not found; skipping the regeneration check of " +
      "test/data/mann-whitney-reference.json (the committed table is still tested).",
  );
}

describe.skipIf(!scipyAvailable)("the reference table regenerates from scipy", () => {
  it("scripts/reference/mann-whitney-reference.py reproduces the committed table", () => {
    const dir = mkdtempSync(join(tmpdir(), "kanaria-mann-whitney-"));
    try {
      const out = join(dir, "reference.json");
      const run = spawnSync("python3", [scriptPath, "--out", out, "--no-format"], { encoding: "utf8" });
      expect(run.status, run.stderr).toBe(0);
      const regenerated = readTable(out);
      expect(regenerated.map((c) => c.name)).toEqual(cases.map((c) => c.name));
      regenerated.forEach((fresh, index) => {
        const committed = cases[index] as ReferenceCase;
        // Everything is deterministic; allow only last-bit noise in p-values from another scipy build.
        expect({ ...fresh, pValue: 0, pValueExact: 0 }).toEqual({ ...committed, pValue: 0, pValueExact: 0 });
        expect(Math.abs(fresh.pValue - committed.pValue)).toBeLessThanOrEqual(1e-12 * committed.pValue);
        expect(fresh.pValueExact).toBe(committed.pValueExact);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
