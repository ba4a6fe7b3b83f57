import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_SEQUENTIAL_PRIOR,
  mixtureWeights,
  type SequentialPrior,
} from "../../src/analysis/sequential-prior.js";
import {
  initialSequentialState,
  type SequentialBucket,
  type SequentialSummary,
  summarizeSequential,
  updateSequential,
} from "../../src/analysis/sequential-test.js";

/**
 * The SEQUENTIAL statistics against values computed independently with scipy by
 * scripts/reference/sequential-reference.py (committed in test/data/sequential-reference.json), and the
 * script itself re-run where python3 with scipy is available.
 */

interface ReferenceStep {
  buckets: number;
  informativeBuckets: number;
  logEvidence: number;
  failedAtBucket: number | null;
  estimate: number | null;
  exactEstimate: number | null;
  interval: [number, number];
  intervalExhausted: boolean;
  canPassEarly: boolean;
  minDetectableRatio: number;
}

interface ReferenceCase {
  name: string;
  params: { maxRatio: number; alpha: number; prior?: SequentialPrior };
  buckets: SequentialBucket[];
  steps: ReferenceStep[];
}

interface Reference {
  defaultPrior: SequentialPrior;
  defaultWeights: { early: number[]; late: number[] };
  cases: ReferenceCase[];
}

const REFERENCE_JSON = fileURLToPath(new URL("../data/sequential-reference.json", import.meta.url));
const REFERENCE_SCRIPT = fileURLToPath(
  new URL("../../scripts/reference/sequential-reference.py", import.meta.url),
);

/** The JSON spells infinities as strings (JSON has no Infinity). */
function decode(value: unknown): unknown {
  if (value === "Infinity") return Number.POSITIVE_INFINITY;
  if (value === "-Infinity") return Number.NEGATIVE_INFINITY;
  if (Array.isArray(value)) return value.map(decode);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(v)]));
  }
  return value;
}

const parseReference = (text: string): Reference => decode(JSON.parse(text)) as Reference;

/** |actual − expected| ≤ rel·|expected|, with infinities and zeros compared exactly. */
function expectClose(actual: number | undefined, expected: number | null, rel: number, what: string): void {
  if (expected === null) {
    expect(actual, what).toBeUndefined();
    return;
  }
  expect(actual, what).toBeTypeOf("number");
  if (!Number.isFinite(expected) || expected === 0) {
    expect(actual, what).toBe(expected);
    return;
  }
  const error = Math.abs((actual ?? Number.NaN) - expected) / Math.abs(expected);
  expect(error, `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(rel);
}

function trajectory(params: ReferenceCase["params"], buckets: SequentialBucket[]): SequentialSummary[] {
  let state = initialSequentialState(params);
  return buckets.map((bucket) => {
    state = updateSequential(state, bucket);
    return summarizeSequential(state);
  });
}

const reference = parseReference(readFileSync(REFERENCE_JSON, "utf8"));

describe("SEQUENTIAL against the scipy reference", () => {
  it("uses the same default prior and weights", () => {
    expect(reference.defaultPrior).toEqual({ ...DEFAULT_SEQUENTIAL_PRIOR });
    const weights = mixtureWeights(DEFAULT_SEQUENTIAL_PRIOR);
    weights.early.forEach((w, i) => {
      expectClose(w, reference.defaultWeights.early[i] ?? Number.NaN, 1e-12, `w${i}`);
    });
    weights.late.forEach((w, i) => {
      expectClose(w, reference.defaultWeights.late[i] ?? Number.NaN, 1e-12, `v${i}`);
    });
    expect(weights.late.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(weights.early.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it.each(reference.cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const summaries = trajectory(c.params, c.buckets);
    expect(summaries).toHaveLength(c.steps.length);
    summaries.forEach((got, i) => {
      const want = c.steps[i] as ReferenceStep;
      const at = `${c.name} after bucket ${want.buckets}`;
      expect(got.buckets, at).toBe(want.buckets);
      expect(got.informativeBuckets, at).toBe(want.informativeBuckets);
      // Evidence to 1e-9 relative, i.e. its log to 1e-9 absolute.
      expect(Math.abs(got.logEvidence - want.logEvidence), `${at}: log evidence`).toBeLessThanOrEqual(1e-9);
      expect(got.failedAtBucket ?? null, at).toBe(want.failedAtBucket);
      expect(got.decision, at).toBe(want.failedAtBucket === null ? "CONTINUE" : "FAIL");
      expectClose(got.estimate, want.estimate, 1e-9, `${at}: estimate`);
      expectClose(got.interval[0], want.interval[0], 1e-9, `${at}: interval low`);
      expectClose(got.interval[1], want.interval[1], 1e-9, `${at}: interval high`);
      expect(got.intervalExhausted, at).toBe(want.intervalExhausted);
      expect(got.canPassEarly, at).toBe(want.canPassEarly);
      expectClose(got.minDetectableRatio, want.minDetectableRatio, 1e-9, `${at}: min detectable ratio`);
    });
  });

  it("the grid estimate is within 1e-6 of the exact maximum-likelihood ratio (inside the grid)", () => {
    let compared = 0;
    for (const c of reference.cases) {
      trajectory(c.params, c.buckets).forEach((got, i) => {
        const want = c.steps[i] as ReferenceStep;
        if (want.exactEstimate === null || got.estimate === undefined) return;
        if (want.exactEstimate > c.params.maxRatio * 1.05 ** 170) return; // clamped to the grid, by contract
        expectClose(got.estimate, want.exactEstimate, 1e-6, `${c.name} #${want.buckets}: exact MLE`);
        compared += 1;
      });
    }
    expect(compared).toBeGreaterThan(100);
  });
});

const hasScipy = spawnSync("python3", ["-c", "import scipy"], { stdio: "ignore" }).status === 0;
if (!hasScipy) {
  console.warn("sequential-reference: python3 with scipy not found; the reference script is not re-run");
}

describe.skipIf(!hasScipy)("the reference script", () => {
  it("still produces the committed reference values", () => {
    const run = spawnSync("python3", [REFERENCE_SCRIPT], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    expect(run.status, run.stderr).toBe(0);
    const fresh = parseReference(run.stdout);
    expect(fresh.cases.map((c) => c.name)).toEqual(reference.cases.map((c) => c.name));
    fresh.cases.forEach((c, ci) => {
      const committed = reference.cases[ci] as ReferenceCase;
      expect(c.buckets).toEqual(committed.buckets);
      c.steps.forEach((step, i) => {
        const want = committed.steps[i] as ReferenceStep;
        const at = `${c.name} #${step.buckets}`;
        expect(Math.abs(step.logEvidence - want.logEvidence), at).toBeLessThanOrEqual(1e-9);
        expect({
          ...step,
          logEvidence: 0,
          estimate: 0,
          exactEstimate: 0,
          minDetectableRatio: 0,
          interval: 0,
        }).toEqual({
          ...want,
          logEvidence: 0,
          estimate: 0,
          exactEstimate: 0,
          minDetectableRatio: 0,
          interval: 0,
        });
        expectClose(step.estimate ?? undefined, want.estimate, 1e-9, `${at} estimate`);
        expectClose(step.exactEstimate ?? undefined, want.exactEstimate, 1e-9, `${at} exact estimate`);
        expectClose(step.minDetectableRatio, want.minDetectableRatio, 1e-9, `${at} min detectable`);
        expectClose(step.interval[0], want.interval[0], 1e-9, `${at} interval low`);
        expectClose(step.interval[1], want.interval[1], 1e-9, `${at} interval high`);
      });
    });
  });
});
