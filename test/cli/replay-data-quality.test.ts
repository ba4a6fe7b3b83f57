/**
 * `kanaria replay` on missing and impossible data (DESIGN §5: never a PASS), and on long analyses: each
 * case a recording built by bench/replay/synthetic-recording.ts and run through `runCli`, as a person
 * would run it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { QUERIES, seriesOf, syntheticRecording } from "../../bench/replay/synthetic-recording.js";
import { runCli } from "../../src/cli/run-cli.js";
import type { RecordingFile } from "../../src/config/parse-recording.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Writes `text` as rec.json in a fresh temp dir and replays it with --json. */
async function replay(text: string) {
  const cwd = mkdtempSync(join(tmpdir(), "kanaria-replay-dq-"));
  dirs.push(cwd);
  writeFileSync(join(cwd, "rec.json"), text);
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(["replay", "rec.json", "--json"], {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    cwd,
    stopSignal: () => Promise.resolve(),
  });
  const lines = code === 0 ? out.map((l) => JSON.parse(l) as Record<string, unknown>) : [];
  return { code, ticks: lines.slice(0, -1), result: lines.at(-1), err: err.join("\n"), text, cwd };
}

/** One line per point, so that a point's line number says which point it is. */
const pretty = (recording: RecordingFile) => JSON.stringify(recording, null, 1);

/** The line of the file at a diagnostic's `rec.json:line:col`. */
function lineAt(text: string, err: string): string {
  const match = /^rec\.json:(\d+):(\d+): error: /m.exec(err);
  if (!match) throw new Error(`no file:line:col in ${err}`);
  return text.split("\n")[Number(match[1]) - 1] ?? "";
}

// 20 requests/s, the canary at 2.5× the primary's error rate.
const regression = () => syntheticRecording({ points: 30, rps: 20, canaryErrorRate: 0.005 });

describe("kanaria replay: missing data", () => {
  it("a 2.5× regression whose series stop at minute 5 of 30 is INCONCLUSIVE, never PASS", async () => {
    const recording = regression();
    for (const points of Object.values(recording.series)) points.splice(5);
    const { code, ticks, result } = await replay(pretty(recording));
    expect(code).toBe(0);
    expect(ticks.map((t) => t.verdict)).toEqual([...Array(5).fill("PASS"), ...Array(3).fill("NO_DATA")]);
    expect(result).toEqual({
      result: "INCONCLUSIVE",
      decidedAtSeconds: 480,
      reason: expect.stringContaining("metrics[0]: no data for 3 checks in a row"),
    });
  });

  it("gaps over a quarter of the analysis end INCONCLUSIVE", async () => {
    const recording = syntheticRecording({ points: 30 });
    // Every fourth minute of the canary's traffic missing (a quarter: allowed), then the last one too:
    // 8 of 30 ticks without data. (A share over the limit earlier would ask then, and a replay stops
    // at the first question.)
    const total = seriesOf(recording, QUERIES.canaryTotal);
    for (const i of [29, 27, 23, 19, 15, 11, 7, 3]) total.splice(i, 1);
    const { ticks, result } = await replay(pretty(recording));
    expect(ticks.filter((t) => t.verdict === "NO_DATA")).toHaveLength(8);
    expect(result).toMatchObject({ result: "INCONCLUSIVE", decidedAtSeconds: 1800 });
    expect(result?.reason).toContain("8 of 30 checks without usable data, more than the 25% allowed");
  });
});

describe("kanaria replay: impossible data", () => {
  it("refuses duplicate timestamps at load, at the offending point's file:line", async () => {
    const recording = regression();
    const errors = seriesOf(recording, QUERIES.controlErrors);
    errors.push(...errors.map(([at, value]): [number, number | null] => [at, value]));
    const { code, err, text } = await replay(pretty(recording));
    expect(code).toBe(1);
    expect(err).toMatch(
      /^rec\.json:\d+:\d+: error: series\["sum:errors\{variant:primary\}\.as_count\(\)"\]\[30\]\[0\]: a second point at 2026-01-05T09:00:00\.000Z \(the first is point 0\)/,
    );
    expect(lineAt(text, err).trim()).toBe(`${Date.parse("2026-01-05T09:00:00Z")},`);
    expect(err).toContain("rec.json is not a valid recording");
  });

  it("refuses a negative count at load, at its file:line", async () => {
    const recording = regression();
    const total = seriesOf(recording, QUERIES.canaryTotal);
    total[7] = [total[7]?.[0] ?? 0, -120];
    const { code, err, text } = await replay(pretty(recording));
    expect(code).toBe(1);
    expect(err).toMatch(
      /^rec\.json:\d+:\d+: error: series\["sum:hits\{variant:canary\}\.as_count\(\)"\]\[7\]\[1\]: negative count -120/,
    );
    expect(lineAt(text, err).trim()).toBe("-120");
  });

  it("refuses NaN (not JSON) and Infinity (a number too large for a double) with file:line", async () => {
    const recording = regression();
    seriesOf(recording, QUERIES.canaryErrors)[3] = [Date.parse("2026-01-05T09:03:00Z"), 424242];
    const nan = await replay(pretty(recording).replace("424242", "NaN"));
    expect(nan.code).toBe(1);
    expect(nan.err).toMatch(/^rec\.json:\d+:\d+: error: not valid JSON/);
    expect(lineAt(nan.text, nan.err)).toContain("NaN");

    const infinity = await replay(pretty(recording).replace("424242", "1e999"));
    expect(infinity.code).toBe(1);
    expect(infinity.err).toMatch(
      /^rec\.json:\d+:\d+: error: series\["sum:errors\{variant:canary\}\.as_count\(\)"\]\[3\]\[1\]: value Infinity is not a finite number/,
    );
    expect(lineAt(infinity.text, infinity.err).trim()).toBe("1e999");
  });

  it("errors above the total are DATA_ERROR ticks naming the query and the window, never a PASS", async () => {
    const recording = regression();
    const total = seriesOf(recording, QUERIES.controlTotal);
    const errors = seriesOf(recording, QUERIES.controlErrors);
    errors.forEach((point, i) => {
      point[1] = 3 * (total[i]?.[1] ?? 0);
    });
    const { code, ticks, result } = await replay(pretty(recording));
    expect(code).toBe(0);
    expect(ticks.map((t) => t.verdict)).toEqual(["DATA_ERROR", "DATA_ERROR", "DATA_ERROR"]);
    expect(ticks[0]?.reason).toBe(
      "bad data, not used: primary errors 3240 > total 1080 (query sum:errors{variant:primary}.as_count(), window 09:00–09:01 UTC)",
    );
    expect(result).toMatchObject({ result: "INCONCLUSIVE", decidedAtSeconds: 180 });
  });
});

describe("kanaria replay: long analyses", () => {
  it.each([
    ["6h", 360],
    ["12h", 720],
  ])(
    "replays a %s analysis to its end (no deployment timeout shorter than it)",
    async (duration, minutes) => {
      const recording = syntheticRecording({ points: minutes, duration });
      const { code, ticks, result, err } = await replay(JSON.stringify(recording));
      expect(err).toBe("");
      expect(code).toBe(0);
      expect(ticks).toHaveLength(minutes);
      expect(result).toMatchObject({ result: "PASS", decidedAtSeconds: minutes * 60 });
    },
  );
});

it("the example recording still reads as it did", () => {
  const text = readFileSync(
    join(import.meta.dirname, "../../examples/replay/web-v3-regression.json"),
    "utf8",
  );
  expect(JSON.parse(text)).toHaveProperty("series");
});
