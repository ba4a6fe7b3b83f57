/**
 * `kanaria replay` through `runCli`, on the example recording and on broken copies of it in temp dirs.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";

const ROOT = resolve(import.meta.dirname, "../..");
const EXAMPLE = join(ROOT, "examples/replay/web-v3-regression.json");

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[], cwd = ROOT) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    cwd,
    stopSignal: () => Promise.resolve(),
  });
  return { code, out, err: err.join("\n") };
}

/** Writes `text` as a recording in a fresh temp dir; returns the dir (the cwd) and the file name. */
function recordingFile(text: string): { cwd: string; file: string } {
  const cwd = mkdtempSync(join(tmpdir(), "kanaria-replay-"));
  dirs.push(cwd);
  writeFileSync(join(cwd, "rec.json"), text);
  return { cwd, file: "rec.json" };
}

function example(): Record<string, unknown> & { analysis: { metrics: Array<Record<string, unknown>> } } {
  return JSON.parse(readFileSync(EXAMPLE, "utf8"));
}

describe("kanaria replay", () => {
  it("replays the example: five passing minutes, then the regression fails at minute 6", async () => {
    const { code, out, err } = await cli(["replay", EXAMPLE, "--json"]);
    expect(err).toBe("");
    expect(code).toBe(0);
    const lines = out.map((l) => JSON.parse(l) as Record<string, unknown>);
    const ticks = lines.slice(0, -1);
    expect(ticks.map((t) => t.verdict)).toEqual(["PASS", "PASS", "PASS", "PASS", "PASS", "FAIL"]);
    expect(ticks.map((t) => t.at)).toEqual([1, 2, 3, 4, 5, 6].map((m) => `2026-01-05T09:0${m}:00.000Z`));
    expect(lines.at(-1)).toEqual({
      result: "FAIL",
      decidedAtSeconds: 360,
      reason: expect.stringMatching(/^metrics\[0\]: error ratio above 1: canary 13\/564 vs primary 5\/2204/),
    });
  });

  it("prints one JSON object per tick with the tick's figures, keys in a fixed order", async () => {
    const { out } = await cli(["replay", EXAMPLE, "--json"]);
    const first = JSON.parse(out[0] ?? "") as Record<string, unknown>;
    expect(Object.keys(first)).toEqual([
      "metric",
      "at",
      "verdict",
      "estimate",
      "evidence",
      "interval",
      "reason",
    ]);
    expect(first).toMatchObject({ metric: "metrics[0]", verdict: "PASS" });
    expect(first.estimate).toBeGreaterThan(0);
    expect(first.interval).toHaveLength(2);
    expect(first.reason).toMatch(/^canary 5\/612 vs primary 7\/2364/);
    expect(Object.keys(JSON.parse(out.at(-1) ?? ""))).toEqual(["result", "decidedAtSeconds", "reason"]);
  });

  it("prints a table without --json", async () => {
    const { code, out } = await cli(["replay", "examples/replay/web-v3-regression.json"]);
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^AT \(UTC\)\s+\+MIN\s+METRIC\s+VERDICT\s+REASON$/);
    expect(out[6]).toMatch(/^09:06:00\s+6\s+metrics\[0\]\s+FAIL\s+error ratio above 1/);
    expect(out.at(-1)).toMatch(/^FAIL after 6 min: metrics\[0\]: error ratio above 1/);
  });

  it("passes a healthy canary at the end of the duration", async () => {
    const recording = example();
    const series = recording.series as Record<string, Array<[number, number | null]>>;
    const canaryErrors = Object.keys(series).find((q) => q.includes("5xx") && q.includes("green")) ?? "";
    series[canaryErrors] = (series[canaryErrors] ?? []).map(([at]) => [at, 1]);
    const { cwd, file } = recordingFile(JSON.stringify(recording));
    const { code, out } = await cli(["replay", file, "--json"], cwd);
    expect(code).toBe(0);
    const lines = out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(21);
    expect(lines.slice(0, -1).every((t) => t.verdict === "PASS")).toBe(true);
    expect(lines.at(-1)).toMatchObject({ result: "PASS", decidedAtSeconds: 1200 });
  });

  it("says INCONCLUSIVE when there is too little traffic to decide", async () => {
    const recording = example();
    recording.series = Object.fromEntries(
      Object.entries(recording.series as Record<string, Array<[number, number | null]>>).map(
        ([q, points]) => [q, points.map(([at]) => [at, q.includes("5xx") ? 0 : 3])],
      ),
    );
    const { cwd, file } = recordingFile(JSON.stringify(recording));
    const { code, out } = await cli(["replay", file, "--json"], cwd);
    expect(code).toBe(0);
    expect(JSON.parse(out.at(-1) ?? "")).toMatchObject({
      result: "INCONCLUSIVE",
      decidedAtSeconds: 1200,
      reason: expect.stringContaining("too little traffic to decide"),
    });
  });

  it("counts only whole buckets, as live does: a 5-minute rollup never fits a 1-minute window", async () => {
    const query = "max:latency{app:web}.rollup(max, 300)";
    const recording = (interval: string) =>
      JSON.stringify({
        app: "web",
        analysis: {
          duration: "5m",
          metrics: [
            {
              strategy: "THRESHOLD",
              provider: "datadog",
              interval,
              query,
              expected: { max: 500 },
              skipOnNoData: true,
            },
          ],
        },
        start: "2026-01-05T09:00:00Z",
        // One 5-minute bucket [09:00, 09:05) well above the maximum.
        series: { [query]: [[Date.parse("2026-01-05T09:00:00Z"), 900]] },
      });
    const perMinute = recordingFile(recording("1m"));
    const minutes = await cli(["replay", perMinute.file, "--json"], perMinute.cwd);
    expect(minutes.code).toBe(0);
    const lines = minutes.out.map((l) => JSON.parse(l) as Record<string, unknown>);
    // Live Datadog drops the bucket from every 1-minute window (it runs past the window's end).
    expect(lines.slice(0, -1).map((t) => t.verdict)).toEqual(Array(5).fill("NO_DATA"));
    expect(lines.at(-1)).toMatchObject({ result: "PASS" });

    const whole = recordingFile(recording("5m"));
    const fiveMinutes = await cli(["replay", whole.file, "--json"], whole.cwd);
    expect(fiveMinutes.out.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ verdict: "FAIL", at: "2026-01-05T09:05:00.000Z" }),
      expect.objectContaining({ result: "FAIL", reason: "metrics[0]: 900 is above the maximum 500" }),
    ]);
  });

  it("reports bad JSON at its line and column, exit 1", async () => {
    const text = readFileSync(EXAMPLE, "utf8").replace('"version": "v3",', '"version": "v3",,');
    const { cwd, file } = recordingFile(text);
    const { code, out, err } = await cli(["replay", file], cwd);
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toMatch(/^rec\.json:3:19: error: not valid JSON: /);
  });

  it("reports an unknown strategy at its field path and position, exit 1", async () => {
    const recording = example();
    const metric = recording.analysis.metrics[0];
    if (metric) metric.strategy = "SEQUENCIAL";
    const { cwd, file } = recordingFile(JSON.stringify(recording, null, 2));
    const { code, err } = await cli(["replay", file], cwd);
    expect(code).toBe(1);
    expect(err).toMatch(/^rec\.json:\d+:\d+: error: analysis\.metrics\[0\]\.strategy: .*SEQUENTIAL/m);
    expect(err).toContain("rec.json is not a valid recording");
  });

  it("reports fields of the recording itself with their paths", async () => {
    const recording = example();
    recording.start = "yesterday";
    recording.series = { "sum:x{*}": [[1, 2, 3]] };
    delete recording.app;
    const { cwd, file } = recordingFile(JSON.stringify(recording, null, 2));
    const { code, err } = await cli(["replay", file], cwd);
    expect(code).toBe(1);
    expect(err).toMatch(/error: start: expected an ISO 8601 time/);
    expect(err).toMatch(/error: series\["sum:x\{\*\}"\]\[0\]: /);
    expect(err).toMatch(/error: app: /);
  });

  it("names a query the analysis asks for that the recording lacks, and the recorded ones, exit 1", async () => {
    const recording = example();
    const metric = recording.analysis.metrics[0];
    if (metric) metric.canaryArgs = { targetGroup: "targetgroup/web-grene/6d0ecf831eec9f09" };
    const { cwd, file } = recordingFile(JSON.stringify(recording));
    const { code, out, err } = await cli(["replay", file], cwd);
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toContain(
      "sum:aws.applicationelb.httpcode_target_5xx{targetgroup:targetgroup/web-grene/6d0ecf831eec9f09}.as_count()",
    );
    expect(err).toContain("recorded queries:");
    expect(err).toContain("targetgroup/web-green/6d0ecf831eec9f09");
  });

  it("exits 1 for a file that does not exist", async () => {
    const { code, err } = await cli(["replay", "no-such-recording.json"], recordingFile("{}").cwd);
    expect(code).toBe(1);
    expect(err).toContain("cannot read no-such-recording.json: file not found");
  });

  it("exits 1 with one plain line when given a directory", async () => {
    const { code, err } = await cli(["replay", "."], recordingFile("{}").cwd);
    expect(code).toBe(1);
    expect(err).toBe("kanaria replay: cannot read .: it is a directory, not a recording file");
  });

  it("exits 2 for usage mistakes", async () => {
    expect((await cli(["replay"])).code).toBe(2);
    expect((await cli(["replay", "a.json", "b.json"])).err).toContain('unexpected argument "b.json"');
    expect((await cli(["replay", EXAMPLE, "--jsn"])).code).toBe(2);
  });

  it("has --help and is listed by kanaria --help", async () => {
    const help = await cli(["replay", "--help"]);
    expect(help.code).toBe(0);
    expect(help.out.join("\n")).toContain("Usage: kanaria replay <recording.json> [--json]");
    const overview = await cli(["--help"]);
    expect(overview.out.some((l) => /^\s+replay\s+run an ANALYSIS stage in virtual time/.test(l))).toBe(true);
  });
});
