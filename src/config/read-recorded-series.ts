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
 * Plain loops rather than zod: a recording holds hundreds of thousands of points, and this runs once
 * over each. After the first `MAX_POINT_ERRORS` problems only their number is reported.
 */
import type { DiagnosticSink } from "./diagnostic-sink.js";
import type { YamlDocument } from "./load-yaml-document.js";
import type { RecordedPoint } from "./parse-recording.js";

const MAX_POINT_ERRORS = 20;

/**
 * The points per query, each series in time order; undefined when any point is wrong (reported).
 * `counts`: the rendered queries whose values are counts.
 */
export function readRecordedSeries(
  raw: Record<string, unknown>,
  counts: ReadonlySet<string>,
  doc: YamlDocument,
  sink: DiagnosticSink,
): Map<string, RecordedPoint[]> | undefined {
  const series = new Map<string, RecordedPoint[]>();
  let problems = 0;
  const report = (path: Array<string | number>, message: string) => {
    problems += 1;
    if (problems <= MAX_POINT_ERRORS) sink.error(doc, ["series", ...path], message);
  };
  for (const [query, points] of Object.entries(raw)) {
    if (!Array.isArray(points)) {
      report([query], "expected a list of [timestamp in ms, value or null] points");
      continue;
    }
    const isCount = counts.has(query);
    let ordered = true;
    for (let i = 0; i < points.length; i++) {
      const point: unknown = points[i];
      if (!isPointShape(point)) {
        report([query, i], "expected [timestamp in ms, value or null]");
        continue;
      }
      const value = point[1];
      if (value !== null && !Number.isFinite(value)) {
        report([query, i, 1], `value ${value} is not a finite number`);
      } else if (isCount && value !== null && value < 0) {
        report([query, i, 1], `negative count ${value}: this series is a SEQUENTIAL errors or total count`);
      }
      const before: unknown = points[i - 1];
      if (isPointShape(before) && before[0] >= point[0]) ordered = false;
    }
    // Recordings are written in time order, strictly: nothing more to check. Otherwise look for
    // timestamps seen before (only then is a map of them built).
    if (!ordered) {
      const first = new Map<number, number>();
      for (let i = 0; i < points.length; i++) {
        const point: unknown = points[i];
        if (!isPointShape(point)) continue;
        const earlier = first.get(point[0]);
        if (earlier === undefined) first.set(point[0], i);
        else report([query, i, 0], duplicateMessage(point[0], earlier));
      }
    }
    const typed = points as RecordedPoint[];
    series.set(query, ordered ? typed : [...typed].sort((a, b) => a[0] - b[0]));
  }
  if (problems > MAX_POINT_ERRORS) {
    sink.error(doc, ["series"], `${problems - MAX_POINT_ERRORS} more bad points not listed`, "key");
  }
  return problems === 0 ? series : undefined;
}

function duplicateMessage(at: number, first: number): string {
  return `a second point at ${new Date(at).toISOString()} (the first is point ${first}): a series has one point per timestamp, and summing or picking one would invent data`;
}

function isPointShape(point: unknown): point is [number, number | null] {
  if (!Array.isArray(point) || point.length !== 2) return false;
  const [at, value] = point as unknown[];
  return (
    typeof at === "number" && Number.isInteger(at) && at >= 0 && (value === null || typeof value === "number")
  );
}
