import { describe, expect, test } from "vitest";
import { lognormalComponent, mixtureQuantile } from "../../sandbox/latency-model.js";
import { MetricStore } from "../../sandbox/metric-store.js";
import { parseQueryBody } from "../../sandbox/query-params.js";
import { parseSandboxConfig, parseSandboxConfigText } from "../../sandbox/sandbox-config.js";
import { SeededRandom } from "../../sandbox/seeded-random.js";
import { computedDesiredCount } from "../../sandbox/task-scheduler.js";
import { imageTag, resolveProfile } from "../../sandbox/version-profiles.js";
import { VirtualClock } from "../../sandbox/virtual-clock.js";
import { xmlElement } from "../../sandbox/xml-writer.js";

describe("SeededRandom", () => {
  test("is reproducible per seed and per fork label", () => {
    const a = new SeededRandom(5);
    const b = new SeededRandom(5);
    expect([a.next(), a.next(), a.hex(8)]).toEqual([b.next(), b.next(), b.hex(8)]);
    expect(new SeededRandom(5).fork("ids").next()).toBe(new SeededRandom(5).fork("ids").next());
    expect(new SeededRandom(5).fork("ids").next()).not.toBe(new SeededRandom(5).fork("traffic").next());
  });

  test("binomial, Poisson and multinomial draws have the right means in every regime", () => {
    const r = new SeededRandom(1);
    const mean = (draw: () => number) => Array.from({ length: 4000 }, draw).reduce((s, x) => s + x, 0) / 4000;
    expect(mean(() => r.binomial(20, 0.3))).toBeCloseTo(6, 0);
    expect(mean(() => r.binomial(3000, 0.002))).toBeCloseTo(6, 0);
    expect(mean(() => r.binomial(3000, 0.2))).toBeCloseTo(600, -1);
    expect(mean(() => r.binomial(100, 0.99))).toBeCloseTo(99, 0);
    expect(mean(() => r.poisson(4))).toBeCloseTo(4, 0);
    expect(mean(() => r.poisson(2500))).toBeCloseTo(2500, -1);
    const split = r.multinomial(10_000, [80, 0, 20]);
    expect(split.reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(split[1]).toBe(0);
    expect(Math.abs((split[2] ?? 0) - 2000)).toBeLessThan(200);
    expect(r.multinomial(5, [0, 0])).toEqual([0, 0]);
  });
});

describe("latency model", () => {
  test("a lognormal given by median and p99 has those quantiles; a mixture lies between its parts", () => {
    const fast = lognormalComponent({ medianMs: 40, p99Ms: 250 }, 1);
    expect(mixtureQuantile([fast], 0.5)).toBeCloseTo(40, 3);
    expect(mixtureQuantile([fast], 0.99)).toBeCloseTo(250, 1);
    const slow = lognormalComponent({ medianMs: 400, p99Ms: 2000 }, 1);
    const p50 = mixtureQuantile([fast, slow], 0.5);
    expect(p50).toBeGreaterThan(40);
    expect(p50).toBeLessThan(400);
    expect(mixtureQuantile([], 0.5)).toBeNaN();
  });
});

describe("Query protocol parameters", () => {
  test("nested members and 1-based lists become objects and arrays; an empty list stays empty", () => {
    const body =
      "Action=ModifyListener&Version=2015-12-01&ListenerArn=arn%3Ax" +
      "&DefaultActions.member.1.Type=forward" +
      "&DefaultActions.member.1.ForwardConfig.TargetGroups.member.2.TargetGroupArn=g2" +
      "&DefaultActions.member.1.ForwardConfig.TargetGroups.member.2.Weight=20" +
      "&DefaultActions.member.1.ForwardConfig.TargetGroups.member.1.TargetGroupArn=g1" +
      "&DefaultActions.member.1.ForwardConfig.TargetGroups.member.1.Weight=80" +
      "&Names=";
    expect(parseQueryBody(body)).toEqual({
      Action: "ModifyListener",
      Version: "2015-12-01",
      ListenerArn: "arn:x",
      DefaultActions: [
        {
          Type: "forward",
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: "g1", Weight: "80" },
              { TargetGroupArn: "g2", Weight: "20" },
            ],
          },
        },
      ],
      Names: "",
    });
  });

  test("XML: lists as <member>, dates ISO, text escaped, undefined left out", () => {
    expect(xmlElement("R", { A: [1, 2], B: new Date(0), C: "a<b&c", D: undefined, E: { F: true } })).toBe(
      "<R><A><member>1</member><member>2</member></A><B>1970-01-01T00:00:00.000Z</B><C>a&lt;b&amp;c</C><E><F>true</F></E></R>",
    );
  });
});

describe("MetricStore", () => {
  test("series sums matching tag sets per minute; tag filters match exactly or with *", () => {
    const store = new MetricStore();
    store.add("m", { tg: "a", app: "web" }, 0, 3);
    store.add("m", { tg: "a", app: "web" }, 0, 2);
    store.add("m", { tg: "b", app: "web" }, 0, 10);
    store.add("m", { tg: "b", app: "web" }, 60_000, 1);
    store.add("m", { tg: "c", app: "api" }, 60_000, 100);
    expect(store.series("m", { app: "web" }, 0, 120_000)).toEqual([
      [0, 15],
      [60_000, 1],
    ]);
    expect(store.series("m", { tg: "a" }, 0, 120_000)).toEqual([[0, 5]]);
    expect(store.series("m", { tg: "*" }, 60_000, 120_000)).toEqual([[60_000, 101]]);
    expect(store.series("m", { app: "w*b", tg: "*" }, 0, 60_000)).toEqual([[0, 15]]);
    expect(store.series("m", { app: "w.b" }, 0, 60_000)).toEqual([]);
    expect(store.series("m", { app: "web" }, 0, 60_000)).toEqual([[0, 15]]);
    expect(store.series("m", { app: "nope" }, 0, 120_000)).toEqual([]);
    expect(store.seriesByTagSet("m", { app: "web" }, 0, 120_000).map((s) => s.tags.tg)).toEqual(["a", "b"]);
    expect(store.tagSets("m")).toHaveLength(3);
  });
});

describe("sandbox config and version profiles", () => {
  test("defaults fill an empty config; YAML text is accepted", () => {
    const config = parseSandboxConfig({});
    expect(config).toMatchObject({ seed: 1, region: "us-east-1", accountId: "123456789012", apps: [] });
    expect(config.tasks).toEqual({
      startDelayMs: 20_000,
      healthCheckDelayMs: 15_000,
      drainDelayMs: 10_000,
      stoppedRetentionMs: 3_600_000,
    });
    const fromYaml = parseSandboxConfigText("seed: 3\napps:\n  - name: web\n    requestsPerSecond: 20\n");
    expect(fromYaml.apps[0]).toMatchObject({
      name: "web",
      requestsPerSecond: 20,
      desiredCount: 4,
      containerPort: 8080,
    });
  });

  test("invalid configs are refused with every bad field named", () => {
    expect(() =>
      parseSandboxConfig({
        seed: "x",
        apps: [{ name: "Web!" }],
        versions: { v1: { errorRate: 2 } },
        extra: 1,
      }),
    ).toThrow(/seed[\s\S]*apps\.0\.name[\s\S]*versions\.v1\.errorRate/);
    expect(() => parseSandboxConfig({ apps: [{ name: "web" }, { name: "web" }] })).toThrow(/listed twice/);
    expect(() => parseSandboxConfig({ apiLatencyMs: { min: 100, max: 10 } })).toThrow(
      /max must be at least min/,
    );
  });

  test("profiles: exact name, then the first matching pattern, then the default; unset fields inherit", () => {
    const config = parseSandboxConfig({
      defaultProfile: { errorRate: 0.001 },
      versions: {
        "v3-bad": { errorRate: 0.05 },
        "*-bad": { errorRate: 0.2 },
        "*-slow": { latency: { medianMs: 300, p99Ms: 900 } },
      },
    });
    expect(resolveProfile(config, "v3-bad").errorRate).toBe(0.05);
    expect(resolveProfile(config, "v4-bad").errorRate).toBe(0.2);
    expect(resolveProfile(config, "v4-slow")).toMatchObject({ errorRate: 0.001, latency: { medianMs: 300 } });
    expect(resolveProfile(config, "v5")).toMatchObject({
      errorRate: 0.001,
      latency: { medianMs: 40, p99Ms: 250 },
      crashOnStart: false,
      startDelayMs: 20_000,
    });
    expect(imageTag("123.dkr.ecr.ap-northeast-1.amazonaws.com/web:v1.4.2")).toBe("v1.4.2");
    expect(imageTag("localhost:5000/web")).toBe("latest");
    expect(imageTag("web@sha256:abc")).toBe("latest");
  });

  test("computedDesiredCount rounds up without floating-point surprises", () => {
    expect(computedDesiredCount(4, 20)).toBe(1);
    expect(computedDesiredCount(10, 30)).toBe(3);
    expect(computedDesiredCount(10, 31)).toBe(4);
    expect(computedDesiredCount(3, 0)).toBe(0);
  });
});

describe("VirtualClock", () => {
  test("advance fires sleeps in order and ticks at every minute boundary", async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1, 0, 0, 30));
    const ticks: number[] = [];
    clock.onTick((now) => ticks.push(now));
    const woke: string[] = [];
    void clock.sleep(90_000).then(() => woke.push(`b@${clock.now()}`));
    void clock.sleep(10_000).then(() => woke.push(`a@${clock.now()}`));
    await clock.advance(150_000);
    const start = Date.UTC(2026, 0, 1, 0, 0, 30);
    expect(woke).toEqual([`a@${start + 10_000}`, `b@${start + 90_000}`]);
    expect(ticks).toContain(Date.UTC(2026, 0, 1, 0, 1, 0));
    expect(ticks).toContain(Date.UTC(2026, 0, 1, 0, 2, 0));
    expect(clock.now()).toBe(start + 150_000);
  });

  test("runUntilSettled drives code that sleeps; an aborted sleep resolves at once", async () => {
    const clock = new VirtualClock();
    const start = clock.now();
    const work = (async () => {
      for (let i = 0; i < 5; i++) await clock.sleep(60_000);
      return clock.now();
    })();
    await clock.runUntilSettled(work);
    expect(await work).toBe(start + 300_000);

    const controller = new AbortController();
    const sleeping = clock.sleep(1_000_000, controller.signal);
    controller.abort();
    await sleeping;
    expect(clock.pendingTimers()).toBe(0);
  });
});
