import { describe, expect, it } from "vitest";
import { chooseInterval, type EvalSettings, evaluateQuery } from "../../sandbox/datadog-query-eval.js";
import { parseQuery } from "../../sandbox/datadog-query-parser.js";
import { minute, webStore } from "../providers/datadog/metric-fixture.js";

const store = webStore();

function settings(partial: Partial<EvalSettings> = {}): EvalSettings {
  return {
    fromMs: minute(0),
    toMs: minute(3),
    visibleUntilMs: minute(10),
    partialLastBucket: true,
    gapMinutes: new Set(),
    gapsAsNull: false,
    ...partial,
  };
}

type Compact = Record<string, Array<[number, number | null]>>;

/** `{tagSet joined (or "-"): [[minute index, value rounded to 1e-9]]}` for compact expectations. */
function run(query: string, partial: Partial<EvalSettings> = {}): Compact {
  const { series } = evaluateQuery(parseQuery(query), store, settings(partial));
  return rounded(
    Object.fromEntries(
      series.map((s) => [
        s.tagSet.join(",") || "-",
        s.points.map(([at, v]) => [(at - minute(0)) / 60_000, v]),
      ]),
    ),
  );
}

function rounded(compact: Compact): Compact {
  const round = (v: number | null): number | null => (v === null ? null : Math.round(v * 1e9) / 1e9);
  return Object.fromEntries(
    Object.entries(compact).map(([key, points]) => [
      key,
      points.map(([m, v]) => [m, round(v)] as [number, number | null]),
    ]),
  );
}

describe("evaluateQuery: aggregation, grouping, functions", () => {
  it.each<[string, Partial<EvalSettings>, Record<string, Array<[number, number | null]>>]>([
    [
      "sum:trace.http.request.hits{service:web}.as_count()",
      {},
      {
        "-": [
          [0, 1100],
          [1, 1100],
          [2, 1100],
        ],
      },
    ],
    [
      "sum:trace.http.request.hits{*} by {version}.as_count()",
      {},
      {
        "version:v1": [
          [0, 1000],
          [1, 1000],
          [2, 1000],
        ],
        "version:v2": [
          [0, 100],
          [1, 100],
          [2, 100],
        ],
      },
    ],
    [
      "avg:trace.http.request.hits{*}.as_count()",
      {},
      {
        "-": [
          [0, 550],
          [1, 550],
          [2, 550],
        ],
      },
    ],
    [
      "max:trace.http.request.hits{*}.as_count()",
      {},
      {
        "-": [
          [0, 1000],
          [1, 1000],
          [2, 1000],
        ],
      },
    ],
    [
      "min:trace.http.request.hits{*}.as_count()",
      {},
      {
        "-": [
          [0, 100],
          [1, 100],
          [2, 100],
        ],
      },
    ],
    [
      "sum:trace.http.request.hits{version:v2}.as_rate()",
      {},
      {
        "-": [
          [0, 100 / 60],
          [1, 100 / 60],
          [2, 100 / 60],
        ],
      },
    ],
    [
      "sum:trace.http.request.hits{version:v*}.as_count()",
      {},
      {
        "-": [
          [0, 1100],
          [1, 1100],
          [2, 1100],
        ],
      },
    ],
    [
      "sum:trace.http.request.hits{version:v2,env:prod}.as_count()",
      {},
      {
        "-": [
          [0, 100],
          [1, 100],
          [2, 100],
        ],
      },
    ],
    ["sum:trace.http.request.hits{version:v3}.as_count()", {}, {}],
    ["sum:no.such.metric{*}", {}, {}],
    [
      "sum:trace.http.request.errors{version:v2}.as_count().rollup(sum, 300)",
      { toMs: minute(10) },
      {
        "-": [
          [0, 5],
          [5, 9],
        ],
      },
    ],
    [
      "avg:trace.http.request.duration.by.service.99p{version:v2}.rollup(max, 180)",
      { toMs: minute(6) },
      {
        "-": [
          [0, 0.3],
          [3, 0.6],
        ],
      },
    ],
    [
      "avg:trace.http.request.duration.by.service.99p{version:v2}.rollup(avg, 120)",
      { toMs: minute(4) },
      {
        "-": [
          [0, 0.15],
          [2, 0.35],
        ],
      },
    ],
    [
      "sum:trace.http.request.hits{version:v2}.as_count().rollup(count, 120)",
      { toMs: minute(4) },
      {
        "-": [
          [0, 2],
          [2, 2],
        ],
      },
    ],
    [
      "avg:trace.http.request.duration.by.service.99p{*} by {version}",
      { toMs: minute(2) },
      {
        "version:v1": [
          [0, 0.2],
          [1, 0.2],
        ],
        "version:v2": [
          [0, 0.1],
          [1, 0.2],
        ],
      },
    ],
  ])("%s %j", (query, partial, expected) => {
    expect(run(query, partial)).toEqual(rounded(expected));
  });
});

describe("evaluateQuery: arithmetic", () => {
  it.each<[string, Record<string, Array<[number, number | null]>>]>([
    [
      "sum:trace.http.request.errors{*} by {version}.as_count() / sum:trace.http.request.hits{*} by {version}.as_count()",
      {
        "version:v1": [
          [0, 0.002],
          [1, 0.002],
          [2, 0.002],
        ],
        "version:v2": [
          [0, 0.01],
          [1, 0.01],
          [2, 0.01],
        ],
      },
    ],
    [
      "(sum:trace.http.request.errors{version:v2}.as_count() + sum:trace.http.request.errors{version:v1}.as_count()) * 100",
      {
        "-": [
          [0, 300],
          [1, 300],
          [2, 300],
        ],
      },
    ],
    [
      "100 * sum:trace.http.request.errors{*} by {version}.as_count() / sum:trace.http.request.hits{*}.as_count()",
      {
        "version:v1": [
          [0, 200 / 1100],
          [1, 200 / 1100],
          [2, 200 / 1100],
        ],
        "version:v2": [
          [0, 100 / 1100],
          [1, 100 / 1100],
          [2, 100 / 1100],
        ],
      },
    ],
    [
      "sum:custom.sparse{*}.as_count() - 4",
      {
        "-": [
          [0, 6],
          [1, 6],
        ],
      },
    ],
    [
      "-sum:custom.sparse{*}.as_count()",
      {
        "-": [
          [0, -10],
          [1, -10],
        ],
      },
    ],
    [
      "sum:custom.sparse{*}.as_count() / sum:trace.http.request.hits{version:v2}.as_count()",
      {
        "-": [
          [0, 0.1],
          [1, 0.1],
          [2, null],
        ],
      },
    ],
    [
      "sum:trace.http.request.hits{version:v2}.as_count() / (sum:custom.sparse{*}.as_count() - 10)",
      {
        "-": [
          [0, null],
          [1, null],
          [2, null],
        ],
      },
    ],
    [
      "sum:trace.http.request.hits{*} by {version}.as_count() - sum:trace.http.request.hits{*} by {env}.as_count()",
      {},
    ],
  ])("%s", (query, expected) => {
    expect(run(query)).toEqual(rounded(expected));
  });

  it("leaves out groups that only one side has", () => {
    const query =
      "sum:no.such.metric{*} by {version}.as_count() / sum:trace.http.request.hits{*} by {version}.as_count()";
    expect(evaluateQuery(parseQuery(query), store, settings()).series).toEqual([]);
  });

  it("names an arithmetic series by its expression, with the group's scope", () => {
    const query = "sum:trace.http.request.errors{service:web} by {version}.as_count() * 100";
    const [one] = evaluateQuery(parseQuery(query), store, settings()).series;
    expect(one?.expression).toBe("sum:trace.http.request.errors{service:web,version:v1}.as_count() * 100");
    expect(one?.scope).toBe("service:web,version:v1");
    expect(one?.tagSet).toEqual(["version:v1"]);
  });
});

describe("evaluateQuery: ingestion lag, partial bucket, gaps", () => {
  const hits = "sum:trace.http.request.hits{version:v2}.as_count()";

  it.each<[string, Partial<EvalSettings>, Array<[number, number | null]> | undefined]>([
    [
      "minutes newer than now − lag are absent",
      { toMs: minute(10), visibleUntilMs: minute(3) },
      [
        [0, 100],
        [1, 100],
        [2, 100],
      ],
    ],
    [
      "the minute straddling now − lag is partial",
      { toMs: minute(10), visibleUntilMs: minute(2) + 15_000 },
      [
        [0, 100],
        [1, 100],
        [2, 25],
      ],
    ],
    [
      "the minute straddling `to` is partial",
      { toMs: minute(2) + 45_000 },
      [
        [0, 100],
        [1, 100],
        [2, 75],
      ],
    ],
    [
      "no partial minute when turned off",
      { toMs: minute(2) + 45_000, partialLastBucket: false },
      [
        [0, 100],
        [1, 100],
      ],
    ],
    [
      "gap minutes are left out",
      { gapMinutes: new Set([minute(1)]) },
      [
        [0, 100],
        [2, 100],
      ],
    ],
    [
      "gap minutes as null",
      { gapMinutes: new Set([minute(1)]), gapsAsNull: true },
      [
        [0, 100],
        [1, null],
        [2, 100],
      ],
    ],
    ["a window before any data", { fromMs: minute(-10), toMs: minute(-5) }, undefined],
  ])("%s", (_name, partial, expected) => {
    expect(run(hits, partial)["-"]).toEqual(expected && rounded({ "-": expected })["-"]);
  });

  it("a gauge's partial minute keeps its value (only counts arrive gradually)", () => {
    const p99 = "avg:trace.http.request.duration.by.service.99p{version:v2}";
    expect(run(p99, { toMs: minute(2) + 30_000 })["-"]).toEqual([
      [0, 0.1],
      [1, 0.2],
      [2, 0.3],
    ]);
  });
});

describe("chooseInterval", () => {
  it.each<[string, number, number]>([
    ["sum:m{*}", 5 * 60_000, 60],
    ["sum:m{*}", 5 * 3_600_000, 60],
    ["sum:m{*}", 6 * 3_600_000, 120],
    ["sum:m{*}", 24 * 3_600_000, 300],
    ["sum:m{*}.rollup(sum, 300)", 5 * 60_000, 300],
    ["sum:m{*}.rollup(sum, 90)", 5 * 60_000, 120],
    ["sum:m{*}.rollup(sum, 10)", 5 * 60_000, 60],
    ["sum:m{*}.rollup(sum, 120) / sum:n{*}.rollup(sum, 600)", 5 * 60_000, 600],
  ])("%s over %i ms → %i s", (query, windowMs, expected) => {
    expect(chooseInterval(parseQuery(query), { fromMs: 0, toMs: windowMs })).toBe(expected);
  });
});
