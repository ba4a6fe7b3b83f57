/**
 * Checks for metric settings that are valid but cannot do their job: thresholds a ratio can never
 * cross, and comparison windows too short for the Mann-Whitney test ever to reach p ≤ 0.05. These are
 * warnings: the config works, it just never fails a bad canary.
 */

import type { Deviation } from "../domain/analysis-metric.js";
import { formatDuration } from "./duration.js";

const ERROR_WORD = /5xx|4xx|5\d\d|error|errors|\berr\b|fault|fail|exception/i;
const REQUEST_WORD = /request|count|hits|total|invocation/i;
const ERROR_NAME = /[A-Za-z0-9_.]*(?:5xx|4xx|error|fault|fail|exception)[A-Za-z0-9_.]*/i;
const REQUEST_NAME = /[A-Za-z0-9_.]*(?:request|count|hits|total|invocation)[A-Za-z0-9_.]*/i;

/** Splits a query at its first `/` outside tag filters (`{…}`) and quotes: numerator and denominator. */
function splitDivision(query: string): [string, string] | undefined {
  let braces = 0;
  let quote: string | undefined;
  for (let i = 0; i < query.length; i++) {
    const c = query[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "{") braces++;
    else if (c === "}") braces = Math.max(0, braces - 1);
    else if (c === "/" && braces === 0) return [query.slice(0, i), query.slice(i + 1)];
  }
  return undefined;
}

/** Formats a ratio for a suggestion: 0.1 → "0.10", 0.125 → "0.125". */
function formatRatio(ratio: number): string {
  const cents = ratio * 100;
  return Math.abs(cents - Math.round(cents)) < 1e-9 ? ratio.toFixed(2) : String(Number(ratio.toPrecision(6)));
}

/**
 * When `query` divides an error-like count by a request-like count (and does not scale it to percent),
 * its values lie in [0, 1]; a bound outside that range is never crossed.
 */
export function ratioBoundProblem(
  query: string,
  expected: { min?: number | undefined; max?: number | undefined },
): { bound: "min" | "max"; message: string } | undefined {
  // Scaled to percent, on either side of the product (`… * 100` or `100 * …`).
  if (/\*\s*100\b|\b100(?:\.0*)?\s*\*/.test(query)) return undefined;
  const division = splitDivision(query);
  if (!division) return undefined;
  const [numerator, denominator] = division;
  if (!ERROR_WORD.test(numerator) || !REQUEST_WORD.test(denominator)) return undefined;
  const errorName = ERROR_NAME.exec(numerator)?.[0] ?? "errors";
  const requestName = REQUEST_NAME.exec(denominator)?.[0] ?? "requests";
  const ratio = `the query divides an error count (${errorName}) by a request count (${requestName}), so its value is a ratio between 0 and 1`;
  if (expected.max !== undefined && expected.max > 1) {
    return {
      bound: "max",
      message: `max ${expected.max} can never be exceeded: ${ratio}; for ${expected.max}% write max: ${formatRatio(expected.max / 100)}`,
    };
  }
  if (expected.min !== undefined && expected.min < 0) {
    return { bound: "min", message: `min ${expected.min} can never be undercut: ${ratio}` };
  }
  return undefined;
}

/** Seconds between points of a Datadog series: `.rollup(…, N)` when present, else one minute. */
export function queryResolution(query: string): { seconds: number; assumed: boolean } {
  let seconds: number | undefined;
  for (const match of query.matchAll(/\.rollup\(\s*(?:[a-z_]+\s*,\s*)?(\d+)\s*\)/gi)) {
    const value = Number(match[1]);
    if (value > 0) seconds = Math.max(seconds ?? 0, value);
  }
  return seconds === undefined ? { seconds: 60, assumed: true } : { seconds, assumed: false };
}

function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return result;
}

/** Significance level the comparison strategies fail at (DESIGN §5). */
const FAIL_AT_P = 0.05;

/**
 * A comparison (PREVIOUS, CANARY_BASELINE, CANARY_PRIMARY) with fewer than 4 points per side is too small
 * for Mann-Whitney: the smallest p-value n points per side can give is (1 or 2) / C(2n, n).
 */
export function comparisonPointsProblem(
  query: string,
  intervalMs: number,
  deviation: Deviation,
): string | undefined {
  const { seconds, assumed } = queryResolution(query);
  const points = Math.floor(intervalMs / 1000 / seconds);
  if (points >= 4) return undefined;
  const basis = assumed
    ? `assuming one point per ${seconds} s (the query has no .rollup(…, N); AWS ALB metrics arrive once a minute)`
    : `at one point per ${seconds} s (.rollup)`;
  const perSide = `interval ${formatDuration(intervalMs)} yields ${points} point${points === 1 ? "" : "s"} per side ${basis}`;
  const tails = deviation === "EITHER" ? 2 : 1;
  const smallestP = points === 0 ? 1 : Math.min(1, tails / binomial(2 * points, points));
  const needed = formatDuration(4 * seconds * 1000);
  if (smallestP > FAIL_AT_P) {
    return `${perSide}; the smallest p-value that many points can give is ${Number(smallestP.toFixed(3))} > ${FAIL_AT_P}, so this metric can never fail; use an interval of at least ${needed} (4 points per side)`;
  }
  return `${perSide}; it fails only if every canary point is beyond every control point (smallest p-value ${Number(smallestP.toFixed(3))}); use an interval of at least ${needed} (4 points per side)`;
}
