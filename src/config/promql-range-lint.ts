/**
 * Checks the range selectors of a PromQL query against the step the Prometheus provider evaluates it at.
 *
 * The provider (providers/prometheus/evaluation-plan.ts) cuts each tick's window into steps of at most
 * 60 s that tile it (5m = 5 × 60 s, 90s = 2 × 45 s, 30s = 1 × 30 s) and evaluates the query once at the
 * end of each step; a point stands for the step it ends. So a range selector is right when it equals the
 * step: `[1m]` for any whole-minute interval. A longer range makes consecutive points overlap, a shorter
 * one leaves part of each step unseen. What that costs depends on the strategy:
 *
 * - SEQUENTIAL adds up per-step *counts*. A counting function (`increase`, `sum_over_time`, …) over a
 *   range of k steps counts every request k times: the test sees k× the traffic, its evidence grows k×
 *   too fast and its false-alarm guarantee is void. An error. An averaging one (`rate(…) * 60`) spreads
 *   each request over k consecutive counts instead, which are then not independent: a warning. A
 *   range shorter than the step only drops requests: the test stays valid on fewer of them (less power),
 *   a warning. `rate`/`irate` give requests per second, not a count: 1/60 of the evidence at a 60 s step,
 *   a warning (unless the query multiplies by a number, as `rate(…[1m]) * 60` does to get the count back).
 * - PREVIOUS, CANARY_BASELINE and CANARY_PRIMARY run Mann-Whitney on the points, which assumes they are
 *   independent. Overlapping points share data, so the test sees more points than it has evidence for
 *   and its p-values come out too small: a healthy canary fails more often than the 5% it promises. A
 *   warning (smoothing is sometimes wanted, and the harm is bounded by the overlap). A shorter range
 *   samples each step and harms nothing.
 * - THRESHOLD compares each point with a fixed bound; a longer range is plain smoothing (the usual
 *   `rate(…[5m])`), a deliberate trade of reaction time for noise, and breaks no statistical promise.
 *   Nothing is reported.
 *
 * Queries are templates: ranges are found in the template with `{{ … }}` and quoted strings skipped (a
 * label matcher such as `code=~"[45].."` holds brackets that are no selector), so offsets point at the
 * written text. A range that is itself templated is judged on its rendered values when every value it
 * uses is known, and skipped otherwise, as the other query lints skip what load time cannot know.
 */
import type { Strategy } from "./analysis-metric-schema.js";
import { formatDuration } from "./duration.js";

/** The provider's largest step (PipeCD's one-minute step; evaluation-plan.ts `MAX_STEP_MS`). */
const MAX_STEP_MS = 60_000;

/** The step the provider evaluates a window of `intervalMs` at: the window in equal steps of ≤ 60 s. */
export function promqlStepMs(intervalMs: number): number {
  return intervalMs / Math.ceil(intervalMs / MAX_STEP_MS);
}

const PROM_UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};
const PROM_DURATION = /^(?:\d+(?:ms|s|m|h|d|w|y))+$/;

/** Milliseconds in a PromQL duration (`5m`, `1h30m`, `500ms`), or undefined when it is not one. */
export function parsePromDuration(text: string): number | undefined {
  if (!PROM_DURATION.test(text)) return undefined;
  let total = 0;
  for (const match of text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) {
    total += Number(match[1]) * (PROM_UNIT_MS[match[2] ?? ""] ?? Number.NaN);
  }
  return Number.isFinite(total) && total > 0 ? total : undefined;
}

/** `60000` → `1m`, `45000` → `45s`, `30500` → `30s500ms`: what to write between the brackets. */
export function formatPromDuration(ms: number): string {
  const whole = Math.round(ms);
  const millis = whole % 1000;
  const seconds = Math.floor(whole / 1000);
  const base = seconds > 0 ? formatDuration(seconds * 1000) : "";
  return millis > 0 ? `${base}${millis}ms` : base;
}

/** One range selector (`[5m]`, or the range of a subquery `[30m:1m]`) as written in the template. */
export interface RangeSelector {
  /** Offset of the range's first character (just after `[`). */
  offset: number;
  /** The range as written, e.g. `5m` or `{{ .AppCustomArgs.window }}`. */
  text: string;
  /** The function whose argument holds the selector (`rate`, `increase`, …), when there is one. */
  func: string | undefined;
}

const TEMPLATE = /\{\{[\s\S]*?\}\}/y;
const IDENTIFIER_BEFORE = /([A-Za-z_][A-Za-z0-9_]*)\s*$/;

/**
 * The range selectors of `query`, skipping `{{ … }}`, quoted strings and `#` comments. The function of a
 * selector is the identifier before the innermost `(` that is open at the selector.
 */
export function rangeSelectors(query: string): RangeSelector[] {
  const found: RangeSelector[] = [];
  const open: Array<string | undefined> = [];
  let i = 0;
  while (i < query.length) {
    TEMPLATE.lastIndex = i;
    const template = TEMPLATE.exec(query);
    if (template) {
      i += template[0].length;
      continue;
    }
    const c = query[i];
    if (c === '"' || c === "'" || c === "`") {
      i = skipString(query, i);
      continue;
    }
    if (c === "#") {
      const newline = query.indexOf("\n", i);
      i = newline === -1 ? query.length : newline;
      continue;
    }
    if (c === "(") open.push(IDENTIFIER_BEFORE.exec(query.slice(0, i))?.[1]);
    else if (c === ")") open.pop();
    else if (c === "[") {
      const close = closingBracket(query, i + 1);
      if (close === -1) break;
      const inside = query.slice(i + 1, close);
      const range = subqueryRange(inside);
      found.push({ offset: i + 1, text: range.trim(), func: open[open.length - 1] });
      i = close + 1;
      continue;
    }
    i++;
  }
  return found;
}

/** Index after the string starting at `start` (PromQL strings: `"…"` and `'…'` with escapes, `` `…` `` raw). */
function skipString(query: string, start: number): number {
  const quote = query[start];
  for (let i = start + 1; i < query.length; i++) {
    if (query[i] === "\\" && quote !== "`") i++;
    else if (query[i] === quote) return i + 1;
  }
  return query.length;
}

/** Index of the `]` closing a selector that starts at `from`, templates skipped; -1 when there is none. */
function closingBracket(query: string, from: number): number {
  return indexOutsideTemplates(query, from, "]");
}

/** The range of `5m:1m` (a subquery) or of `5m`: the text before a `:` that is outside templates. */
function subqueryRange(inside: string): string {
  const colon = indexOutsideTemplates(inside, 0, ":");
  return colon === -1 ? inside : inside.slice(0, colon);
}

/** Index of the first `char` at or after `from` that is not inside a `{{ … }}`; -1 when there is none. */
function indexOutsideTemplates(text: string, from: number, char: string): number {
  let i = from;
  while (i < text.length) {
    TEMPLATE.lastIndex = i;
    const template = TEMPLATE.exec(text);
    if (template) {
      i += template[0].length;
      continue;
    }
    if (text[i] === char) return i;
    i++;
  }
  return -1;
}

export interface RangeProblem {
  /** Offset in the query template of the range (just after its `[`). */
  offset: number;
  severity: "error" | "warning";
  message: string;
}

export interface RangeCheck {
  query: string;
  intervalMs: number;
  strategy: Strategy;
  /**
   * The rendered values of a templated range, one per variant the metric queries; undefined when a value
   * it uses is not known at load time (the range is then not judged).
   */
  renderRange(text: string): string[] | undefined;
}

const COMPARISONS: readonly Strategy[] = ["PREVIOUS", "CANARY_BASELINE", "CANARY_PRIMARY"];
const PER_SECOND = new Set(["rate", "irate"]);
/** Functions whose value over a range is a count of what happened in it (a longer range counts twice). */
const COUNTING = new Set(["increase", "delta", "sum_over_time", "count_over_time", "changes", "resets"]);
/** A product with a number (`rate(…) * 60`): someone turned the rate back into a count on purpose. */
const SCALED = /\*\s*\d|\d\s*\*/;

/** Every range of the query that does not fit the step, for the strategies that care (see above). */
export function promqlRangeProblems(check: RangeCheck): RangeProblem[] {
  const { query, intervalMs, strategy } = check;
  if (intervalMs <= 0 || strategy === "THRESHOLD") return [];
  const stepMs = promqlStepMs(intervalMs);
  const step = formatPromDuration(stepMs);
  const steps = Math.round(intervalMs / stepMs);
  const plan =
    steps === 1
      ? `Kanaria evaluates it once per ${formatDuration(intervalMs)} interval (one step of ${step})`
      : `Kanaria evaluates it at the end of each ${step} step of the ${formatDuration(intervalMs)} interval (${steps} steps of ${step})`;
  const problems: RangeProblem[] = [];
  for (const selector of rangeSelectors(query)) {
    const shown = `[${selector.text}]`;
    const rendered = selector.text.includes("{{") ? check.renderRange(selector.text) : [selector.text];
    if (!rendered) continue;
    const ranges = rendered.map(parsePromDuration);
    const rangeMs = ranges.find((ms) => ms !== undefined && Math.abs(ms - stepMs) > 0.5);
    const renderedNote = selector.text.includes("{{") ? ` (rendered: [${rendered.join("], [")}])` : "";
    if (strategy === "SEQUENTIAL") {
      if (selector.func !== undefined && PER_SECOND.has(selector.func) && !SCALED.test(query)) {
        problems.push({
          offset: selector.offset,
          severity: "warning",
          message: `SEQUENTIAL needs a count per step, but ${selector.func}() gives requests per second: the test sees about 1/${Math.round(stepMs / 1000)} of the requests and needs that much longer to decide; write increase(…[${step}])`,
        });
        continue;
      }
      if (rangeMs === undefined) continue;
      const times = rangeMs / stepMs;
      const shownTimes = Number.isInteger(times) ? `${times}` : `about ${Number(times.toFixed(1))}`;
      const counting = selector.func === undefined || COUNTING.has(selector.func);
      if (rangeMs > stepMs && counting) {
        problems.push({
          offset: selector.offset,
          severity: "error",
          message: `range ${shown}${renderedNote} is longer than the step: ${plan}, and SEQUENTIAL adds up the counts of consecutive steps, so every request is counted ${shownTimes} times (the test sees ${Number(times.toFixed(1))}× the traffic and its false-alarm guarantee no longer holds); write [${step}]`,
        });
      } else if (rangeMs > stepMs) {
        problems.push({
          offset: selector.offset,
          severity: "warning",
          message: `range ${shown}${renderedNote} is longer than the step: ${plan}, so ${selector.func}() averages over ${shownTimes} steps and spreads each request over that many consecutive counts, which are then not independent as the test assumes; write [${step}]`,
        });
      } else {
        const seen = `${Math.round(times * 100)}%`;
        problems.push({
          offset: selector.offset,
          severity: "warning",
          message: counting
            ? `range ${shown}${renderedNote} is shorter than the step: ${plan}, so requests in the rest of each step are never counted (the test decides on ${seen} of the traffic); write [${step}]`
            : `range ${shown}${renderedNote} is shorter than the step: ${plan}, so each count is guessed from ${seen} of its step; write [${step}]`,
        });
      }
    } else if (COMPARISONS.includes(strategy) && rangeMs !== undefined && rangeMs > stepMs) {
      problems.push({
        offset: selector.offset,
        severity: "warning",
        message: `range ${shown}${renderedNote} is longer than the step: ${plan}, so consecutive points share data and are not independent, which makes ${strategy}'s Mann-Whitney p-values too small (a healthy canary fails more often than 5%); write [${step}]`,
      });
    }
  }
  return problems;
}
