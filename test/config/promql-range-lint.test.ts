/**
 * PromQL range selectors against the Prometheus provider's step (config/promql-range-lint.ts): the step
 * rule agrees with the provider's evaluation plan, ranges are found past quotes and templates, and
 * `check-config` reports a range that double-counts (SEQUENTIAL) or correlates points (comparisons) at
 * the line and column of the range, saying what to write instead.
 */
import { describe, expect, it } from "vitest";
import { checkConfig } from "../../src/config/check-config.js";
import {
  formatPromDuration,
  parsePromDuration,
  promqlRangeProblems,
  promqlStepMs,
  rangeSelectors,
} from "../../src/config/promql-range-lint.js";
import { evaluationPlan } from "../../src/providers/prometheus/evaluation-plan.js";
import { DEFAULT_SECRETS_ENV } from "./config-test-helpers.js";
import { APP_FILES, ecsAppHead, kanariaTree, lines } from "./kanaria-test-tree.js";

const load = kanariaTree();
const SEC = 1000;
const MIN = 60 * SEC;

describe("the step a range selector must equal", () => {
  it.each([30 * SEC, MIN, 90 * SEC, 100 * SEC, 150 * SEC, 5 * MIN, 61 * SEC, 10 * MIN])(
    "interval %i ms: the provider's plan",
    (intervalMs) => {
      const plan = evaluationPlan(10 * MIN, 10 * MIN + intervalMs, 60 * MIN, 0);
      expect(promqlStepMs(intervalMs)).toBe(plan.stepMs);
    },
  );

  it("formats steps the way PromQL reads them", () => {
    expect([MIN, 45 * SEC, 30.5 * SEC, 50 * SEC, 500].map(formatPromDuration)).toEqual([
      "1m",
      "45s",
      "30s500ms",
      "50s",
      "500ms",
    ]);
    expect(["1m", "45s", "1h30m", "500ms", "1d", "5", "1.5m", "", "5m+1m"].map(parsePromDuration)).toEqual([
      MIN,
      45 * SEC,
      90 * MIN,
      500,
      24 * 60 * MIN,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe("rangeSelectors", () => {
  it("finds ranges and subquery ranges, with the function around them, past quotes, templates and comments", () => {
    const query =
      'sum by (code) (increase(http_requests_total{code=~"[45]..",app="{{ .App.Name }}"}[5m])) # [9m]\n' +
      "+ max_over_time(rate(x{l='a]b'}[1m])[30m:1m]) + y[{{ .VariantCustomArgs.w }}]";
    const found = rangeSelectors(query);
    expect(found.map(({ text, func }) => ({ text, func }))).toEqual([
      { text: "5m", func: "increase" },
      { text: "1m", func: "rate" },
      { text: "30m", func: "max_over_time" },
      { text: "{{ .VariantCustomArgs.w }}", func: undefined },
    ]);
    expect(found.map((s) => query.slice(s.offset, s.offset + s.text.length))).toEqual(
      found.map((s) => s.text),
    );
  });
});

describe("promqlRangeProblems", () => {
  const known = (text: string) => [text];
  const check = (
    query: string,
    intervalMs: number,
    strategy: Parameters<typeof promqlRangeProblems>[0]["strategy"],
  ) =>
    promqlRangeProblems({ query, intervalMs, strategy, renderRange: known }).map((p) => ({
      severity: p.severity,
      at: query.slice(p.offset, p.offset + 2),
      message: p.message,
    }));

  it("accepts [1m] for whole minutes, and the split step for shorter or uneven intervals", () => {
    for (const strategy of ["SEQUENTIAL", "CANARY_PRIMARY", "PREVIOUS", "THRESHOLD"] as const) {
      expect(check("sum(increase(x[1m]))", MIN, strategy)).toEqual([]);
      expect(check("sum(increase(x[1m]))", 5 * MIN, strategy)).toEqual([]);
      expect(check("sum(increase(x[45s]))", 90 * SEC, strategy)).toEqual([]);
      expect(check("sum(increase(x[30s]))", 30 * SEC, strategy)).toEqual([]);
    }
  });

  it("SEQUENTIAL: a longer range is an error that counts the repeats and names the range to write", () => {
    const [five] = check("sum(increase(x[5m]))", 5 * MIN, "SEQUENTIAL");
    expect(five?.severity).toBe("error");
    expect(five?.at).toBe("5m");
    expect(five?.message).toContain("every request is counted 5 times");
    expect(five?.message).toContain("the test sees 5× the traffic");
    expect(five?.message).toMatch(/write \[1m\]$/);
    expect(check("sum(increase(x[1m]))", 30 * SEC, "SEQUENTIAL")[0]?.message).toMatch(
      /counted 2 times .*write \[30s\]$/,
    );
    expect(check("sum(increase(x[1m]))", 90 * SEC, "SEQUENTIAL")[0]?.message).toMatch(
      /2 steps of 45s.*counted about 1\.3 times .*write \[45s\]$/,
    );
  });

  it("SEQUENTIAL: a shorter range and a per-second rate are warnings", () => {
    expect(check("sum(increase(x[30s]))", MIN, "SEQUENTIAL")).toEqual([
      {
        severity: "warning",
        at: "30",
        message: expect.stringMatching(
          /shorter than the step.*decides on 50% of the traffic\); write \[1m\]$/,
        ),
      },
    ]);
    expect(check("sum(rate(x[1m]))", MIN, "SEQUENTIAL")).toEqual([
      {
        severity: "warning",
        at: "1m",
        message: expect.stringMatching(/rate\(\) gives requests per second.*write increase\(…\[1m\]\)$/),
      },
    ]);
    expect(check("sum(rate(x[1m])) * 60", MIN, "SEQUENTIAL")).toEqual([]);
    expect(check("sum(rate(x[5m])) * 60", MIN, "SEQUENTIAL")).toEqual([
      {
        severity: "warning",
        at: "5m",
        message: expect.stringMatching(/rate\(\) averages over 5 steps .*write \[1m\]$/),
      },
    ]);
  });

  it("comparisons warn about overlapping points only; THRESHOLD's smoothing is left alone", () => {
    for (const strategy of ["PREVIOUS", "CANARY_BASELINE", "CANARY_PRIMARY"] as const) {
      expect(check("sum(rate(x[5m]))", MIN, strategy)).toEqual([
        {
          severity: "warning",
          at: "5m",
          message: expect.stringMatching(
            new RegExp(`${strategy}'s Mann-Whitney p-values too small.*write \\[1m\\]$`),
          ),
        },
      ]);
      expect(check("sum(rate(x[30s]))", MIN, strategy)).toEqual([]);
    }
    expect(check("sum(rate(x[5m]))", MIN, "THRESHOLD")).toEqual([]);
  });

  it("judges a templated range on its rendered values, and skips it when they are not known", () => {
    const query = "sum(increase(x[{{ .VariantCustomArgs.w }}]))";
    const perVariant = promqlRangeProblems({
      query,
      intervalMs: MIN,
      strategy: "SEQUENTIAL",
      renderRange: () => ["1m", "2m"],
    });
    expect(perVariant.map((p) => p.message)).toEqual([
      expect.stringMatching(
        /^range \[\{\{ \.VariantCustomArgs\.w \}\}\] \(rendered: \[1m\], \[2m\]\) .*counted 2 times/,
      ),
    ]);
    expect(perVariant[0]?.offset).toBe(query.indexOf("{{"));
    const unknown = promqlRangeProblems({
      query,
      intervalMs: MIN,
      strategy: "SEQUENTIAL",
      renderRange: () => undefined,
    });
    expect(unknown).toEqual([]);
  });
});

const KANARIA = lines(
  "cloudProviders:",
  "  - name: ecs",
  "    type: ECS",
  "    config: {region: us-east-1}",
  "analysisProviders:",
  "  - name: prom",
  "    type: PROMETHEUS",
  "    config: {address: 'http://127.0.0.1:9090'}",
  "apps: [{dir: ./apps/web}]",
);

/** app.pipecd.yaml with primary and canary target groups; its ANALYSIS metrics start at line 20. */
function app(...metrics: string[]): Record<string, string> {
  return {
    "apps/web/app.pipecd.yaml": lines(
      ...ecsAppHead(["primary", "canary"]),
      "  pipeline:",
      "    stages:",
      "      - name: ECS_CANARY_ROLLOUT",
      "        with: {scale: 10}",
      "      - name: ECS_TRAFFIC_ROUTING",
      "        with: {canary: 10}",
      "      - name: ANALYSIS",
      "        with:",
      "          duration: 10m",
      "          metrics:",
      ...metrics,
      "      - name: ECS_TRAFFIC_ROUTING",
      "        with: {primary: 100}",
      "      - name: ECS_CANARY_CLEAN",
    ),
  };
}

const COUNT = (code: string, range: string) =>
  `sum(increase(http_requests_total{app="{{ .App.Name }}",version="{{ .Variant.Name }}"${code}}[${range}]))`;

describe("check-config on a PROMETHEUS provider's queries", () => {
  it("prints each range that does not fit the step at its file:line:col, with what to write", async () => {
    const { dir } = await load(KANARIA, {
      ...APP_FILES,
      ...app(
        "            - name: counted-five-times", // 19
        "              strategy: SEQUENTIAL",
        "              provider: prom",
        "              interval: 5m",
        `              errors: '${COUNT(',code=~"5.."', "5m")}'`, // 23
        `              total: '${COUNT("", "1m")}'`,
        "            - name: half-minute", // 25
        "              strategy: SEQUENTIAL",
        "              provider: prom",
        "              interval: 30s",
        `              errors: '${COUNT(',code=~"5.."', "30s")}'`,
        `              total: '${COUNT("", "1m")}'`, // 30
        "            - name: latency", // 31
        "              strategy: CANARY_PRIMARY",
        "              provider: prom",
        "              interval: 5m",
        "              query: 'sum(rate(latency_sum{version=\"{{ .Variant.Name }}\"}[{{ .VariantCustomArgs.w }}]))'", // 35
        "              canaryArgs: {w: 5m}",
        "              primaryArgs: {w: 5m}",
        "            - name: smoothed-guardrail", // 38
        "              strategy: THRESHOLD",
        "              provider: prom",
        "              interval: 1m",
        "              expected: {max: 5}",
        "              query: 'sum(rate(errors_total[5m]))'",
        "            - name: per-minute", // 44
        "              strategy: SEQUENTIAL",
        "              provider: prom",
        "              interval: 1m",
        `              errors: '${COUNT(',code=~"5.."', "1m")}'`,
        `              total: '${COUNT("", "1m")}'`,
      ),
    });
    const check = await checkConfig("kanaria.yaml", { cwd: dir, env: DEFAULT_SECRETS_ENV });
    expect(check.exitCode).toBe(1);
    const errorsCol = `              errors: '${COUNT(',code=~"5.."', "")}`.length;
    const totalCol = `              total: '${COUNT("", "")}`.length;
    const latencyCol =
      '              query: \'sum(rate(latency_sum{version="{{ .Variant.Name }}"}['.length + 1;
    expect(check.lines).toEqual([
      `apps/web/app.pipecd.yaml:23:${errorsCol - 2}: error: spec.pipeline.stages[2].with.metrics[0].errors: range [5m] is longer than the step: Kanaria evaluates it at the end of each 1m step of the 5m interval (5 steps of 1m), and SEQUENTIAL adds up the counts of consecutive steps, so every request is counted 5 times (the test sees 5× the traffic and its false-alarm guarantee no longer holds); write [1m]`,
      `apps/web/app.pipecd.yaml:30:${totalCol - 2}: error: spec.pipeline.stages[2].with.metrics[1].total: range [1m] is longer than the step: Kanaria evaluates it once per 30s interval (one step of 30s), and SEQUENTIAL adds up the counts of consecutive steps, so every request is counted 2 times (the test sees 2× the traffic and its false-alarm guarantee no longer holds); write [30s]`,
      `apps/web/app.pipecd.yaml:35:${latencyCol}: warning: spec.pipeline.stages[2].with.metrics[2].query: range [{{ .VariantCustomArgs.w }}] (rendered: [5m], [5m]) is longer than the step: Kanaria evaluates it at the end of each 1m step of the 5m interval (5 steps of 1m), so consecutive points share data and are not independent, which makes CANARY_PRIMARY's Mann-Whitney p-values too small (a healthy canary fails more often than 5%); write [1m]`,
      "2 errors, 1 warning in 1 app",
    ]);
  });

  it("leaves queries on other providers alone", async () => {
    const { result } = await load(KANARIA.replace("apps:", "  - {name: dd, type: DATADOG}\napps:"), {
      ...APP_FILES,
      ...app(
        "            - name: sequential",
        "              strategy: SEQUENTIAL",
        "              provider: dd",
        "              interval: 1m",
        "              errors: 'sum:errors{version:{{ .Variant.Name }},x:[5m]}.as_count()'",
        "              total: 'sum:requests{version:{{ .Variant.Name }}}.as_count()'",
      ),
    });
    expect(result.diagnostics).toEqual([]);
  });
});
