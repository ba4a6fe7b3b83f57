/**
 * How a recording's series are read: the scanner (the fast path, straight from the text into columns)
 * and JSON.parse (the slow path, for anything else) must read the same points, and parseRecording takes
 * the fast path for a plain file.
 */
import { describe, expect, it } from "vitest";
import { syntheticRecording } from "../../bench/replay/synthetic-recording.js";
import { DiagnosticSink } from "../../src/config/diagnostic-sink.js";
import { jsonDocument, rootMemberStart } from "../../src/config/json-document.js";
import { parseRecording } from "../../src/config/parse-recording.js";
import { PointProblems, seriesFromJson } from "../../src/config/read-recorded-series.js";
import { scanRecordedSeries } from "../../src/config/scan-recorded-series.js";

const text = `{"app": "web", "series": {
  "a{x:\\"y\\"}": [[1000, 1], [2000, null], [3000, 2.5e1], [4000, -0.125]],
  "b": [ ],
  "c": [[ 5000 ,0 ] ]
}, "start": "2026-01-05T09:00:00Z"}`;

describe("scanRecordedSeries", () => {
  it("reads what JSON.parse reads, into columns (null as NaN)", () => {
    const start = rootMemberStart(text, "series");
    const scanned = scanRecordedSeries(text, start ?? -1);
    const problems = new PointProblems(jsonDocument("r.json", text, JSON.parse(text)), new DiagnosticSink());
    const parsed = seriesFromJson(JSON.parse(text).series, problems);
    expect(problems.any).toBe(false);
    expect(scanned?.series).toEqual(parsed);
    expect([...(scanned?.series.get('a{x:"y"}')?.value ?? [])]).toEqual([1, Number.NaN, 25, -0.125]);
    expect(text.slice(scanned?.end)).toBe(', "start": "2026-01-05T09:00:00Z"}');
  });

  it.each([
    ["a point of three", '{"q": [[1, 2, 3]]}'],
    ["a string value", '{"q": [[1, "2"]]}'],
    ["a number JSON does not allow", '{"q": [[01, 2]]}'],
    ["not an object", "[[1, 2]]"],
  ])("leaves %s to the slow path", (_name, series) => {
    expect(scanRecordedSeries(series, 0)).toBeUndefined();
  });
});

describe("parseRecording", () => {
  it("refuses a query listed twice in series, which JSON.parse would silently take the last of", () => {
    const recording = JSON.stringify(syntheticRecording({ points: 3 }), null, 1);
    const query = "sum:hits{variant:canary}.as_count()";
    const doubled = recording.replace(`"${query}": [`, `"${query}": [[0, 5]], "${query}": [`);
    const result = parseRecording("r.json", doubled);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.diagnostics).toEqual([
      expect.objectContaining({
        path: `series["${query}"]`,
        message: "this query has more than one series: which one was recorded?",
      }),
    ]);
  });

  it("reads a plain recording's series as columns", () => {
    const result = parseRecording("r.json", JSON.stringify(syntheticRecording({ points: 3 })));
    if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
    const total = result.recording.series.get("sum:hits{variant:primary}.as_count()");
    expect(total?.at).toBeInstanceOf(Float64Array);
    expect([...(total?.value ?? [])]).toEqual([5400, 5400, 5400]);
  });
});
