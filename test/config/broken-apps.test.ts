/**
 * Each folder under test/fixtures/config/broken/apps holds an app with one kind of mistake. The table
 * lists exactly what check-config must say about it: file, line, column, field path and key words.
 */
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";
import type { LoadResult } from "../../src/config/types.js";
import { type Expected, fixtures, mismatch } from "./config-test-helpers.js";

const root = path.join(fixtures, "broken");
const app = (name: string) => `apps/${name}/app.pipecd.yaml`;
const stage0 = "spec.pipeline.stages[0]";

const CASES: Array<{ name: string; loads: boolean; expected: Expected[] }> = [
  {
    name: "duplicate-key",
    loads: false,
    expected: [
      {
        file: app("duplicate-key"),
        line: 22,
        col: 11,
        severity: "error",
        path: `${stage0}.with.duration`,
        words: ['duplicate key "duration"', "first defined at line 21"],
      },
    ],
  },
  {
    name: "unknown-spec-key",
    loads: false,
    expected: [
      {
        file: app("unknown-spec-key"),
        line: 17,
        col: 3,
        severity: "error",
        path: "spec.descripton",
        words: [
          'unknown key "descripton"',
          'did you mean "description"?',
          "allowed keys: name, labels, description, input, pipeline",
        ],
      },
    ],
  },
  {
    name: "bad-duration",
    loads: false,
    expected: [
      {
        file: app("bad-duration"),
        line: 21,
        col: 21,
        severity: "error",
        path: `${stage0}.with.duration`,
        words: ["a bare number is not a duration", '"30s"'],
      },
    ],
  },
  {
    name: "bad-percentage",
    loads: false,
    expected: [
      {
        file: app("bad-percentage"),
        line: 21,
        col: 18,
        severity: "error",
        path: `${stage0}.with.scale`,
        words: ["between 0 and 100 (got 120)"],
      },
      {
        file: app("bad-percentage"),
        line: 24,
        col: 18,
        severity: "error",
        path: "spec.pipeline.stages[1].with.scale",
        words: ['a percentage such as 20, "20" or "20%"'],
      },
    ],
  },
  {
    name: "traffic-over-100",
    loads: false,
    expected: [
      {
        file: app("traffic-over-100"),
        line: 22,
        col: 9,
        severity: "error",
        path: "spec.pipeline.stages[1].with",
        words: ["add up to 110% (primary 50 + canary 60)", "must not exceed 100"],
      },
    ],
  },
  {
    name: "missing-provider",
    loads: false,
    expected: [
      {
        file: app("missing-provider"),
        line: 24,
        col: 25,
        severity: "error",
        path: `${stage0}.with.metrics[0].provider`,
        words: ['analysis provider "datadog-provider" is not defined', "(defined: datadog)"],
      },
    ],
  },
  {
    name: "missing-template",
    loads: false,
    expected: [
      {
        file: app("missing-template"),
        line: 24,
        col: 23,
        severity: "error",
        path: `${stage0}.with.metrics[0].template.name`,
        words: ['analysis template "eror-ratio" not found', "defined: error-ratio, latency-by-service"],
      },
    ],
  },
  {
    name: "unknown-variable",
    loads: false,
    expected: [
      {
        file: app("unknown-variable"),
        line: 26,
        col: 62,
        severity: "error",
        path: `${stage0}.with.metrics[0].query`,
        words: ["{{ .K8s.Namespace }} is Kubernetes-only", "no namespace"],
      },
    ],
  },
  {
    name: "missing-app-arg",
    loads: false,
    expected: [
      {
        file: app("missing-app-arg"),
        line: 27,
        col: 15,
        severity: "error",
        path: "spec.pipeline.stages[2].with.metrics[0].template",
        words: [
          'template "latency-by-service" query',
          '"service" is missing from template.appArgs (none given)',
        ],
      },
    ],
  },
  {
    name: "missing-variant-arg",
    loads: false,
    expected: [
      {
        file: app("missing-variant-arg"),
        line: 31,
        col: 86,
        severity: "error",
        path: "spec.pipeline.stages[2].with.metrics[0].query",
        words: [
          '"tg" is missing from primaryArgs',
          "CANARY_PRIMARY renders this query for canary and primary",
        ],
      },
    ],
  },
  {
    name: "wrong-kind",
    loads: false,
    expected: [
      {
        file: app("wrong-kind"),
        line: 2,
        col: 7,
        severity: "error",
        path: "kind",
        words: ["Kanaria deploys only ECS apps (kind: ECSApp); got KubernetesApp"],
      },
    ],
  },
  {
    name: "not-external",
    loads: false,
    expected: [
      {
        file: "apps/not-external/servicedef.yaml",
        line: 4,
        col: 9,
        severity: "error",
        path: "deploymentController.type",
        words: ["must be EXTERNAL, not ECS", "task sets"],
      },
    ],
  },
  {
    name: "container-mismatch",
    loads: false,
    expected: [
      {
        file: app("container-mismatch"),
        line: 11,
        col: 24,
        severity: "error",
        path: "spec.input.targetGroups.primary.containerName",
        words: ['container "app" is not defined in', "_shared/taskdef.yaml (containers: web)"],
      },
      {
        file: app("container-mismatch"),
        line: 16,
        col: 24,
        severity: "error",
        path: "spec.input.targetGroups.canary.containerPort",
        words: ['container "web" does not expose port 9090', "(exposed: 8080)"],
      },
    ],
  },
  {
    name: "untagged-image",
    loads: false,
    expected: [
      {
        file: "apps/untagged-image/taskdef.yaml",
        line: 4,
        col: 12,
        severity: "error",
        path: "containerDefinitions[0].image",
        words: ['image "nginx" has no tag', "{{ .Version }}"],
      },
    ],
  },
  {
    name: "missing-canary-group",
    loads: false,
    expected: [
      {
        file: app("missing-canary-group"),
        line: 8,
        col: 5,
        severity: "error",
        path: "spec.input.targetGroups.canary",
        words: ["missing input.targetGroups.canary", "ECS_CANARY_ROLLOUT at line 15 and 1 more stage"],
      },
    ],
  },
  {
    name: "threshold-without-expected",
    loads: false,
    expected: [
      {
        file: app("threshold-without-expected"),
        line: 23,
        col: 15,
        severity: "error",
        path: `${stage0}.with.metrics[0].expected`,
        words: ["THRESHOLD needs expected.min and/or expected.max"],
      },
    ],
  },
  {
    name: "logs-analysis",
    loads: false,
    expected: [
      {
        file: app("logs-analysis"),
        line: 22,
        col: 11,
        severity: "error",
        path: `${stage0}.with.logs`,
        words: ["logs analysis is not supported by Kanaria"],
      },
    ],
  },
  {
    name: "kubernetes-stage",
    loads: false,
    expected: [
      {
        file: app("kubernetes-stage"),
        line: 19,
        col: 15,
        severity: "error",
        path: `${stage0}.name`,
        words: ["K8S_CANARY_ROLLOUT is a Kubernetes stage", "ECS_CANARY_ROLLOUT"],
      },
    ],
  },
  {
    name: "too-few-points",
    loads: true,
    expected: [
      {
        file: app("too-few-points"),
        line: 29,
        col: 25,
        severity: "warning",
        path: "spec.pipeline.stages[2].with.metrics[0].interval",
        words: [
          "2 points per side",
          "one point per 60 s",
          "AWS ALB metrics arrive once a minute",
          "can never fail",
        ],
      },
    ],
  },
  {
    name: "warnings-only",
    loads: true,
    expected: [
      {
        file: app("warnings-only"),
        line: 6,
        col: 5,
        severity: "warning",
        path: "spec.input.autoRollback",
        words: ["deprecated", "spec.planner.autoRollback"],
      },
      {
        file: app("warnings-only"),
        line: 18,
        col: 3,
        severity: "warning",
        path: "spec.trigger",
        words: ["ignored", "/deploy"],
      },
      {
        file: app("warnings-only"),
        line: 26,
        col: 11,
        severity: "warning",
        path: `${stage0}.with.skipOn`,
        words: ["ignored", "skipOn"],
      },
      {
        file: app("warnings-only"),
        line: 28,
        col: 11,
        severity: "warning",
        path: `${stage0}.with.replicas`,
        words: ['unknown key "replicas" is ignored', "known options of WAIT: duration, skipOn"],
      },
    ],
  },
];

describe("broken app fixtures", () => {
  let result: LoadResult;
  beforeAll(async () => {
    result = await loadConfig(path.join(root, "kanaria.yaml"));
  });

  it("covers every fixture folder and reports nothing outside them", () => {
    const folders = new Set(CASES.map((c) => c.name));
    const outside = result.diagnostics.filter(
      (d) => !folders.has(path.relative(root, d.file).split(path.sep)[1] ?? ""),
    );
    expect(outside).toEqual([]);
    expect(result.config?.apps.map((a) => a.name).sort()).toEqual([...folders].sort());
  });

  it.each(CASES)("$name", ({ name, loads, expected }) => {
    const own = result.diagnostics.filter((d) => path.relative(root, d.file).startsWith(`apps/${name}/`));
    expect(mismatch(own, expected, root)).toBeUndefined();
    expect(result.apps.has(name)).toBe(loads);
  });
});
