/**
 * Pipeline rules, one stage snippet at a time. Each case is an app.pipecd.yaml whose stages start at
 * line 11 (line 12 with an extra input line); the expected diagnostics give exact positions in it.
 */
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadAppConfig } from "../../src/config/load-app-config.js";
import { type Expected, mismatch, writeTree } from "./config-test-helpers.js";

const ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup";
const header = (extraInput = "") =>
  [
    "apiVersion: pipecd.dev/v1beta1",
    "kind: ECSApp",
    "spec:",
    "  name: rules",
    "  input:",
    ...(extraInput ? [`    ${extraInput}`] : []),
    "    targetGroups:",
    `      primary: {targetGroupArn: "${ARN}/blue/1", containerName: web, containerPort: 8080}`,
    `      canary: {targetGroupArn: "${ARN}/green/2", containerName: web, containerPort: 8080}`,
    "  pipeline:",
    "    stages:",
  ].join("\n");

const DEFINITIONS = {
  "servicedef.yaml": "serviceName: rules\ndeploymentController: {type: EXTERNAL}\n",
  "taskdef.yaml":
    "family: rules\ncontainerDefinitions:\n  - {name: web, image: 'web:1', portMappings: [{containerPort: 8080}]}\n",
};

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.map((c) => c()));
  cleanups = [];
});

async function loadStages(stages: string[], options: { extraInput?: string } = {}) {
  const text = `${header(options.extraInput)}\n${stages.join("\n")}\n`;
  const { dir, cleanup } = await writeTree({ "app.pipecd.yaml": text, ...DEFINITIONS });
  cleanups.push(cleanup);
  const result = await loadAppConfig(path.join(dir, "app.pipecd.yaml"), { providers: ["datadog"] });
  return { dir, result };
}

const F = "app.pipecd.yaml";
const s = (i: number, rest = "") => `spec.pipeline.stages[${i}]${rest}`;
const err = (line: number, col: number, p: string, ...words: string[]): Expected => ({
  file: F,
  line,
  col,
  severity: "error",
  path: p,
  words,
});
const warn = (line: number, col: number, p: string, ...words: string[]): Expected => ({
  ...err(line, col, p, ...words),
  severity: "warning",
});

const CANARY_UP = ["      - name: ECS_CANARY_ROLLOUT", "        with: {scale: 50}"];
const CANARY_DOWN = [
  "      - name: ECS_TRAFFIC_ROUTING",
  "        with: {primary: 100}",
  "      - name: ECS_CANARY_CLEAN",
];
const metric = (...lines: string[]) => [
  "      - name: ANALYSIS",
  "        with:",
  "          duration: 10m",
  "          metrics:",
  ...lines.map((l, i) => `${i === 0 ? "            - " : "              "}${l}`),
];

describe("pipeline rules", () => {
  it.each<{ name: string; stages: string[]; extraInput?: string; expected: Expected[] }>([
    {
      name: "approvals that can never be collected",
      stages: [
        "      - name: WAIT_APPROVAL",
        "        with:",
        "          approvers: [U01AAAA, U02BBBB]",
        "          minApproverNum: 3",
      ],
      expected: [
        err(
          14,
          27,
          s(0, ".with.minApproverNum"),
          "3 approvals can never be collected from 2 listed approver(s)",
        ),
      ],
    },
    {
      name: "a PipeCD username as approver",
      stages: ["      - name: WAIT_APPROVAL", "        with:", "          approvers: [alice]"],
      expected: [
        err(13, 23, s(0, ".with.approvers[0]"), "Slack user id", "PipeCD usernames are not Slack users"),
      ],
    },
    {
      name: "a misspelt stage name",
      stages: ["      - name: ECS_CANARY_ROLLOT"],
      expected: [
        err(11, 15, s(0, ".name"), 'unknown stage "ECS_CANARY_ROLLOT" (did you mean ECS_CANARY_ROLLOUT?)'),
      ],
    },
    {
      name: "ROLLBACK listed by hand",
      stages: ["      - name: ROLLBACK"],
      expected: [err(11, 15, s(0, ".name"), "ROLLBACK is added by Kanaria itself")],
    },
    {
      name: "an unknown key in the stage envelope",
      stages: ["      - name: WAIT", "        timout: 10m", "        with: {duration: 1m}"],
      expected: [
        err(
          12,
          9,
          s(0, ".timout"),
          'unknown key "timout" (did you mean "timeout"?)',
          "allowed keys: id, name, desc, timeout, with",
        ),
      ],
    },
    {
      name: "duplicate stage ids",
      stages: [
        "      - {id: wait, name: WAIT, with: {duration: 1m}}",
        "      - {id: wait, name: WAIT, with: {duration: 2m}}",
      ],
      expected: [err(12, 14, s(1, ".id"), 'duplicate stage id "wait" (also stages[0])')],
    },
    {
      name: "options on a stage that takes none",
      stages: ["      - name: ECS_SYNC", "        with: {force: true}"],
      expected: [
        warn(12, 16, s(0, ".with.force"), 'unknown key "force" is ignored', "ECS_SYNC takes no options"),
      ],
    },
    {
      name: "two metrics with one name (their ticks would overwrite each other)",
      stages: [
        ...metric(
          "name: errors",
          "provider: datadog",
          "interval: 1m",
          "expected: {max: 1}",
          "query: avg:x{*}",
        ),
        "            - name: errors",
        "              provider: datadog",
        "              interval: 1m",
        "              expected: {max: 1}",
        "              query: avg:y{*}",
      ],
      expected: [err(20, 21, s(0, ".with.metrics[1].name"), 'two metrics of this stage are named "errors"')],
    },
    {
      name: "an ANALYSIS without metrics",
      stages: ["      - name: ANALYSIS", "        with: {duration: 10m}"],
      expected: [err(12, 9, s(0, ".with.metrics"), "needs at least one metric")],
    },
    {
      name: "a metric without interval, and THRESHOLD bounds the wrong way round",
      stages: metric("provider: datadog", "expected: {min: 5, max: 1}", "query: avg:x{*}"),
      expected: [
        err(15, 15, s(0, ".with.metrics[0].interval"), 'missing required key "interval"'),
        err(16, 25, s(0, ".with.metrics[0].expected"), "expected.min 5 is above expected.max 1"),
      ],
    },
    {
      name: "SEQUENTIAL given a query and deviation LOW",
      stages: [
        ...CANARY_UP,
        "      - name: ECS_TRAFFIC_ROUTING",
        "        with: {canary: 10}",
        ...metric(
          "strategy: SEQUENTIAL",
          "provider: datadog",
          "interval: 1m",
          "deviation: LOW",
          "query: avg:x{*}",
          "errors: sum:e{variant:{{ .Variant.Name }}}.as_count()",
          "total: sum:r{variant:{{ .Variant.Name }}}.as_count()",
        ),
        ...CANARY_DOWN,
      ],
      expected: [
        err(22, 26, s(2, ".with.metrics[0].deviation"), "deviation must be HIGH"),
        err(23, 22, s(2, ".with.metrics[0].query"), "SEQUENTIAL reads two count queries, errors and total"),
      ],
    },
    {
      name: "no-data limits out of range",
      stages: [
        ...metric("provider: datadog", "interval: 1m", "expected: {max: 0.5}", "query: avg:x{*}"),
        "          noDataLimit: 0",
        "          noDataShare: 150%",
      ],
      expected: [
        err(19, 24, s(0, ".with.noDataLimit"), "must be ≥ 1 (got 0)"),
        err(20, 24, s(0, ".with.noDataShare"), "must be between 0 and 100 (got 150)"),
      ],
    },
    {
      name: "stages longer than the deployment timeout (6h by default)",
      stages: [
        "      - name: WAIT",
        "        with: {duration: 7h}",
        "      - name: WAIT_APPROVAL",
        "        with: {timeout: 8h}",
        "      - name: WAIT_APPROVAL",
        ...metric("provider: datadog", "interval: 1m", "expected: {max: 0.5}", "query: avg:x{*}").map(
          (line) => line.replace("duration: 10m", "duration: 6h30m"),
        ),
        "      - name: ANALYSIS",
        "        with:",
        "          duration: 6h",
        "          metrics: [{provider: datadog, interval: 1m, expected: {max: 1}, query: 'avg:x{*}'}]",
      ],
      expected: [
        err(
          12,
          26,
          s(0, ".with.duration"),
          "the wait 7h is longer than the deployment timeout 6h (spec.timeout's default)",
        ),
        err(
          14,
          25,
          s(1, ".with.timeout"),
          "the approval timeout 8h is longer than the deployment timeout 6h",
        ),
        err(
          18,
          21,
          s(3, ".with.duration"),
          "the analysis duration 6h30m is longer than the deployment timeout 6h",
          "raise spec.timeout",
        ),
      ],
    },
    {
      name: "an interval longer than the stage",
      stages: metric("provider: datadog", "interval: 15m", "expected: {max: 0.5}", "query: avg:x{*}"),
      expected: [
        warn(16, 25, s(0, ".with.metrics[0].interval"), "interval 15m is longer than the stage duration 10m"),
      ],
    },
    {
      name: "a variant variable in a THRESHOLD query",
      stages: metric(
        "provider: datadog",
        "interval: 1m",
        "expected: {max: 0.5}",
        "query: avg:x{variant:{{ .Variant.Name }}}",
      ),
      expected: [err(18, 36, s(0, ".with.metrics[0].query"), "a THRESHOLD query is not per variant")],
    },
    {
      name: "a comparison whose query is the same for canary and primary",
      stages: [
        ...CANARY_UP,
        "      - name: ECS_TRAFFIC_ROUTING",
        "        with: {canary: 10}",
        ...metric(
          "strategy: CANARY_PRIMARY",
          "provider: datadog",
          "interval: 5m",
          "canaryArgs: {region: us}",
          "primaryArgs: {region: us}",
          "query: avg:latency{region:{{ .VariantCustomArgs.region }}}",
        ),
        ...CANARY_DOWN,
      ],
      expected: [
        warn(
          24,
          22,
          s(2, ".with.metrics[0].query"),
          "compares canary with primary",
          "reads the same series for both",
        ),
      ],
    },
    {
      name: "traffic to a canary that was never started, and a canary deleted while serving",
      stages: [
        "      - name: ECS_TRAFFIC_ROUTING",
        "        with: {canary: 20}",
        ...CANARY_UP,
        "      - name: ECS_CANARY_CLEAN",
        "      - name: ECS_TRAFFIC_ROUTING",
        "        with: {primary: 100}",
      ],
      expected: [
        err(
          11,
          15,
          s(0, ".name"),
          "routes 20% of traffic to the canary, but no ECS_CANARY_ROLLOUT before it",
        ),
        err(15, 15, s(2, ".name"), "deletes the canary while it still serves 20% of traffic"),
      ],
    },
    {
      name: "a pipeline that ends with traffic on the canary",
      stages: [...CANARY_UP, "      - name: ECS_TRAFFIC_ROUTING", "        with: {canary: 30}"],
      expected: [warn(13, 15, s(1, ".name"), "ends with traffic at primary 70% / canary 30% / baseline 0%")],
    },
    {
      name: "a baseline stage without a baseline target group",
      stages: [
        "      - name: ECS_BASELINE_ROLLOUT",
        "        with: {scale: 10}",
        "      - name: ECS_BASELINE_CLEAN",
      ],
      expected: [
        err(
          6,
          5,
          "spec.input.targetGroups.baseline",
          "missing input.targetGroups.baseline",
          "ECS_BASELINE_ROLLOUT at line 11",
        ),
      ],
    },
    {
      name: "canary stages with service discovery",
      stages: [...CANARY_UP, "      - name: ECS_CANARY_CLEAN"],
      extraInput: "accessType: SERVICE_DISCOVERY",
      expected: [
        err(
          12,
          15,
          s(0, ".name"),
          "ECS_CANARY_ROLLOUT needs ALB target groups",
          "SERVICE_DISCOVERY Kanaria can only quick-sync",
        ),
      ],
    },
  ])("$name", async ({ stages, extraInput, expected }) => {
    const { dir, result } = await loadStages(stages, extraInput === undefined ? {} : { extraInput });
    expect(mismatch(result.diagnostics, expected, dir)).toBeUndefined();
    expect(result.app === undefined).toBe(expected.some((e) => e.severity === "error"));
  });
});
