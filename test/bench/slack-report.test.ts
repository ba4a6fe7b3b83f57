/**
 * bench:slack's pure parts: the percentiles it reports, the command mix of an ack round, and the
 * verdicts of its target table (a smoke run must never read as the real measurement).
 */
import { describe, expect, it } from "vitest";
import type { AckResult } from "../../bench/slack/ack-latency.js";
import { commandMix, deploysPerRound } from "../../bench/slack/ack-latency.js";
import type { LoadResult } from "../../bench/slack/concurrent-deployments.js";
import { renderTable, targetRows } from "../../bench/slack/report.js";
import { countBy, percentile, summarize } from "../../bench/slack/stats.js";
import { SANDBOX_OTHER_CHANNEL, SANDBOX_PEOPLE } from "../../sandbox/cli/sandbox-bot.js";

describe("percentile", () => {
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);

  it("is the nearest-rank percentile: always a measured sample", () => {
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile([3, 1, 2], 50)).toBe(2);
    expect(percentile([7], 1)).toBe(7);
    expect(
      percentile(
        Array.from({ length: 10 }, (_, i) => i),
        99,
      ),
    ).toBe(9);
  });

  it("is NaN without samples and refuses percentiles outside (0, 100]", () => {
    expect(percentile([], 99)).toBeNaN();
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });

  it("summarizes and counts", () => {
    expect(summarize([5, 1, 3])).toEqual({ count: 3, p50: 3, p95: 5, p99: 5, max: 5 });
    expect(countBy(["b", "a", "b", "c", "a", "b"])).toEqual([
      ["b", 3],
      ["a", 2],
      ["c", 1],
    ]);
  });
});

describe("commandMix", () => {
  it("sends four deployments, two status, one history and three refusals per ten commands", () => {
    const mix = commandMix(0, 50);
    expect(mix).toHaveLength(50);
    expect(countBy(mix.map((c) => c.kind))).toEqual([
      ["deploy", 20],
      ["refused", 15],
      ["status", 10],
      ["history", 5],
    ]);
    expect(deploysPerRound(50)).toBe(20);
    expect(deploysPerRound(7)).toBe(4);
    expect(deploysPerRound(12)).toBe(6);
  });

  it("deploys apps no earlier round deployed, each once", () => {
    const apps = [0, 1, 2].flatMap((round) =>
      commandMix(round, 50)
        .filter((c) => c.kind === "deploy")
        .map((c) => c.text.split(" ")[0]),
    );
    expect(new Set(apps).size).toBe(apps.length);
    expect(apps).toHaveLength(60);
  });

  it("makes each refusal one the bot must refuse", () => {
    const refused = commandMix(0, 50).filter((c) => c.kind === "refused");
    expect(refused.some((c) => c.userId === SANDBOX_PEOPLE.mallory)).toBe(true);
    expect(refused.some((c) => c.channelId === SANDBOX_OTHER_CHANNEL)).toBe(true);
    expect(refused.some((c) => c.text.startsWith("wbe "))).toBe(true);
    expect(refused.some((c) => / -v1$/.test(c.text))).toBe(true);
  });
});

const ack = (overrides: Partial<AckResult> = {}): AckResult => ({
  rounds: 5,
  concurrency: 50,
  ackMs: Array.from({ length: 250 }, (_, i) => 1 + (i % 50)),
  answerMs: Array.from({ length: 250 }, (_, i) => 60 + (i % 50)),
  ackReadAfterAnswerMs: [],
  problems: [],
  mix: [],
  deploysSent: 100,
  deploymentsCreated: 100,
  ...overrides,
});

const load = (peakCount: number, peakRssMb: number, loopP99: number): LoadResult => ({
  apps: peakCount,
  rssBeforeStartBytes: 100 * 2 ** 20,
  rssAfterStartBytes: 120 * 2 ** 20,
  resources: {
    samples: 10,
    startRssBytes: 120 * 2 ** 20,
    peakRssBytes: peakRssMb * 2 ** 20,
    peakHeapUsedBytes: 80 * 2 ** 20,
    peakHeapTotalBytes: 90 * 2 ** 20,
    peakCount,
    loopDelayMs: { p50: 1, p99: loopP99, max: loopP99 * 2 },
  },
  phases: [],
});

const verdicts = (rows: ReturnType<typeof targetRows>) =>
  Object.fromEntries(
    rows.filter((r) => r.verdict !== "").map((r) => [r.figure.replace(/ \(.*\)$/, ""), r.verdict]),
  );

describe("targetRows", () => {
  it("meets the ack and capacity targets under their own conditions", () => {
    expect(verdicts(targetRows(ack(), load(100, 250, 20)))).toEqual({
      "concurrent slash commands per round": "met",
      "Slack ack latency p99": "met",
      "commands answered on their response URL": "met",
      "deployments active at once": "met",
      "peak RSS": "met",
      "event-loop delay p99": "met",
    });
  });

  it("reads NOT MET for a smoke run's concurrency, whatever its latencies", () => {
    const rows = verdicts(targetRows(ack({ concurrency: 20 }), load(20, 150, 5)));
    expect(rows["concurrent slash commands per round"]).toBe("NOT MET");
    expect(rows["deployments active at once"]).toBe("NOT MET");
  });

  it("reads NOT MET past a target, and for a command never answered", () => {
    const slow = ack({
      ackMs: [...Array(98).fill(5), 150, 150],
      answerMs: Array(99).fill(60),
      ackReadAfterAnswerMs: [2],
    });
    const rows = verdicts(targetRows(slow, load(100, 310, 60)));
    expect(rows["Slack ack latency p99"]).toBe("NOT MET");
    expect(rows["commands answered on their response URL"]).toBe("NOT MET");
    expect(rows["peak RSS"]).toBe("NOT MET");
    expect(rows["event-loop delay p99"]).toBe("NOT MET");
  });

  it("renders an aligned table", () => {
    const lines = renderTable(targetRows(ack(), undefined));
    expect(lines[0]).toMatch(/^\| figure +\| +measured \| +target \| +\|$/);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
  });
});
