/**
 * The `series` of a `kanaria replay` recording, checked point by point at load (DESIGN §5: impossible
 * values are data-quality errors, never used): each point is `[timestamp in ms, value | null]`, a
 * timestamp appears once per series, a value is a finite number, and the series a SEQUENTIAL metric reads
 * as counts (its rendered `errors` and `total` queries) hold no negative value. Every problem is an error
 * at the offending point's `file:line:col`; a recording with one is refused rather than replayed
 * without the point, which would judge data that never existed. (NaN cannot be written in JSON at all:
 * the file's syntax check reports it.) Errors above totals are a property of a bucket, not of a point:
 * the replayed tick finds them (a DATA_ERROR tick), as a live one does.
 *
 * Plain loops over columns rather than zod: a recording holds hundreds of thousands of points. After the
 * first `MAX_POINT_ERRORS` problems only their number is reported.
 */
import type { DiagnosticSink } from "./diagnostic-sink.js";
import type { YamlDocument } from "./load-yaml-document.js";
import { inTimeOrder, type RecordedSeries } from "./recorded-series.js";

const MAX_POINT_ERRORS = 20;

/** Counts the problems reported under one recording and lists only the first `MAX_POINT_ERRORS`. */
export class PointProblems {
  private count = 0;

  constructor(
    private readonly doc: YamlDocument,
    private readonly sink: DiagnosticSink,
  ) {}

  report(path: Array<string | number>, message: string): void {
    this.count += 1;
    if (this.count <= MAX_POINT_ERRORS) this.sink.error(this.doc, ["series", ...path], message);
  }

  get any(): boolean {
    return this.count > 0;
  }

  /** The line saying how many were not listed, if any. */
  finish(): void {
    if (this.count > MAX_POINT_ERRORS) {
      this.sink.error(
        this.doc,
        ["series"],
        `${this.count - MAX_POINT_ERRORS} more bad points not listed`,
        "key",
      );
    }
  }
}

/**
 * Columns from `series` as JSON.parse gave it (the slow path: the fast scanner refused the text), each
 * point's shape checked; a point of the wrong shape is reported and left out.
 */
export function seriesFromJson(
  raw: Record<string, unknown>,
  problems: PointProblems,
): Map<string, RecordedSeries> {
  const series = new Map<string, RecordedSeries>();
  for (const [query, points] of Object.entries(raw)) {
    if (!Array.isArray(points)) {
      problems.report([query], "expected a list of [timestamp in ms, value or null] points");
      continue;
    }
    const at: number[] = [];
    const value: number[] = [];
    points.forEach((point: unknown, i) => {
      const [t, v] = Array.isArray(point) ? (point as unknown[]) : [];
      const shaped = Array.isArray(point) && point.length === 2 && typeof t === "number";
      if (!shaped || !(v === null || typeof v === "number")) {
        problems.report([query, i], "expected [timestamp in ms, value or null]");
        return;
      }
      at.push(t);
      value.push(v ?? Number.NaN);
    });
    series.set(query, { at: Float64Array.from(at), value: Float64Array.from(value) });
  }
  return series;
}

/**
 * The series, each in time order, when every point is possible; undefined when any is not (reported).
 * `counts`: the rendered queries whose values are counts.
 */
export function checkRecordedSeries(
  series: ReadonlyMap<string, RecordedSeries>,
  counts: ReadonlySet<string>,
  problems: PointProblems,
): Map<string, RecordedSeries> | undefined {
  const checked = new Map<string, RecordedSeries>();
  for (const [query, columns] of series) {
    const { at, value } = columns;
    const isCount = counts.has(query);
    let ordered = true;
    for (let i = 0; i < at.length; i++) {
      const t = at[i] as number;
      const v = value[i] as number;
      if (!(Number.isInteger(t) && t >= 0)) {
        problems.report([query, i, 0], `expected a timestamp in ms (a whole number ≥ 0), got ${t}`);
      }
      // NaN is a null point (recorded-series.ts); Infinity is what JSON's 1e999 reads as.
      if (v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY) {
        problems.report([query, i, 1], `value ${v} is not a finite number`);
      } else if (isCount && v < 0) {
        problems.report(
          [query, i, 1],
          `negative count ${v}: this series is a SEQUENTIAL errors or total count`,
        );
      }
      if (i > 0 && (at[i - 1] as number) >= t) ordered = false;
    }
    // Written in time order, strictly (what recordings are): nothing more to check. Otherwise look for
    // timestamps seen before (only then is a map of them built).
    if (!ordered) {
      const first = new Map<number, number>();
      at.forEach((t, i) => {
        const earlier = first.get(t);
        if (earlier === undefined) first.set(t, i);
        else problems.report([query, i, 0], duplicateMessage(t, earlier));
      });
    }
    checked.set(query, ordered ? columns : inTimeOrder(columns));
  }
  return problems.any ? undefined : checked;
}

function duplicateMessage(at: number, first: number): string {
  return `a second point at ${new Date(at).toISOString()} (the first is point ${first}): a series has one point per timestamp, and summing or picking one would invent data`;
}
