/** kanaria.yaml validation, case by case, in temporary folders. */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";
import { type Expected, mismatch } from "./config-test-helpers.js";
import { kanariaTree, lines, PROVIDERS } from "./kanaria-test-tree.js";

const load = kanariaTree();
const K = "kanaria.yaml";

describe("kanaria.yaml problems", () => {
  it.each<{ name: string; yaml: string; expected: Expected[]; configLoads: boolean; appLoads: boolean }>([
    {
      name: "unknown top-level key (a typo of store)",
      yaml: lines(PROVIDERS, "stores: {path: ./x.db}", "apps: [{dir: ./apps/web}]"),
      expected: [
        {
          file: K,
          line: 8,
          col: 1,
          severity: "error",
          path: "stores",
          words: [
            'unknown key "stores" (did you mean "store"?)',
            "allowed keys: slack, cloudProviders, analysisProviders, store",
          ],
        },
      ],
      configLoads: false,
      appLoads: true,
    },
    {
      name: "unknown key inside slack",
      yaml: lines("slack:", "  botTokn: {env: X}", PROVIDERS, "apps: [{dir: ./apps/web}]"),
      expected: [
        {
          file: K,
          line: 2,
          col: 3,
          severity: "error",
          path: "slack.botTokn",
          words: [
            'unknown key "botTokn" (did you mean "botToken"?)',
            "allowed keys: botToken, signingSecret, appToken, apiUrl, port",
          ],
        },
      ],
      configLoads: false,
      appLoads: true,
    },
    {
      name: "an analysis provider type Kanaria does not read",
      yaml: lines(
        PROVIDERS,
        "  - name: prom",
        "    type: STACKDRIVER",
        "    config: {address: http://prom:9090}",
        "apps: [{dir: ./apps/web}]",
      ),
      expected: [
        {
          file: K,
          line: 9,
          col: 11,
          severity: "error",
          path: "analysisProviders[1].type",
          words: [
            "Kanaria supports only DATADOG, CLOUDWATCH or PROMETHEUS analysis providers (got STACKDRIVER)",
          ],
        },
      ],
      configLoads: false,
      appLoads: true,
    },
    {
      name: "a Kubernetes cloud provider",
      yaml: lines("cloudProviders:", "  - name: k8s", "    type: KUBERNETES", "apps: []"),
      expected: [
        {
          file: K,
          line: 3,
          col: 11,
          severity: "error",
          path: "cloudProviders[0].type",
          words: ["Kanaria supports only ECS cloud providers (got KUBERNETES)"],
        },
        { file: K, line: 4, col: 1, severity: "warning", path: "apps", words: ["no apps are configured"] },
      ],
      configLoads: false,
      appLoads: false,
    },
    {
      name: "a secret written inline (its value is never echoed)",
      yaml: lines("slack:", "  botToken: xoxb-super-secret-value", PROVIDERS, "apps: [{dir: ./apps/web}]"),
      expected: [
        {
          file: K,
          line: 2,
          col: 13,
          severity: "error",
          path: "slack.botToken",
          words: ["write {file: <path>} or {env: <VARIABLE>}", "never written into kanaria.yaml"],
        },
      ],
      configLoads: false,
      appLoads: true,
    },
    {
      name: "a secret with both file and env",
      yaml: lines("slack:", "  signingSecret: {file: ./s, env: S}", PROVIDERS, "apps: [{dir: ./apps/web}]"),
      expected: [
        {
          file: K,
          line: 2,
          col: 18,
          severity: "error",
          path: "slack.signingSecret",
          words: ["exactly one of file or env"],
        },
      ],
      configLoads: false,
      appLoads: true,
    },
    {
      name: "PipeCD's platformProviders name",
      yaml: lines("platformProviders: []", PROVIDERS, "apps: [{dir: ./apps/web}]"),
      expected: [
        {
          file: K,
          line: 1,
          col: 1,
          severity: "error",
          path: "platformProviders",
          words: ["Kanaria calls it cloudProviders"],
        },
      ],
      configLoads: false,
      appLoads: true,
    },
    {
      name: "PipeCD's roleARN and apiKeyData",
      yaml: lines(
        "cloudProviders:",
        "  - name: ecs",
        "    type: ECS",
        "    config: {region: us-east-1, roleARN: 'arn:aws:iam::1:role/x'}",
        "analysisProviders:",
        "  - name: datadog",
        "    type: DATADOG",
        "    config: {apiKeyData: c2VjcmV0}",
        "apps: [{dir: ./apps/web}]",
      ),
      expected: [
        {
          file: K,
          line: 4,
          col: 33,
          severity: "error",
          path: "cloudProviders[0].config.roleARN",
          words: ["not supported by Kanaria"],
        },
        {
          file: K,
          line: 8,
          col: 14,
          severity: "error",
          path: "analysisProviders[0].config.apiKeyData",
          words: ["never takes secrets inline", "apiKeyFile"],
        },
      ],
      configLoads: false,
      appLoads: true,
    },
    {
      name: "duplicate provider names",
      yaml: lines(PROVIDERS, "  - name: datadog", "    type: DATADOG", "apps: [{dir: ./apps/web}]"),
      expected: [
        {
          file: K,
          line: 8,
          col: 11,
          severity: "error",
          path: "analysisProviders[1].name",
          words: ['duplicate analysis provider name "datadog"'],
        },
      ],
      configLoads: false,
      appLoads: true,
    },
    {
      name: "a negative Datadog lag",
      yaml: lines(PROVIDERS, "    config: {lag: -30s}", "apps: [{dir: ./apps/web}]"),
      expected: [
        {
          file: K,
          line: 8,
          col: 19,
          severity: "error",
          path: "analysisProviders[0].config.lag",
          words: ["must not be negative", "before now each query window ends", '(got "-30s")'],
        },
      ],
      configLoads: false,
      appLoads: true,
    },
    {
      name: "a Datadog lag over an hour, and one that is not a duration",
      yaml: lines(
        PROVIDERS,
        "    config: {lag: 61m}",
        "  - {name: dd2, type: DATADOG, config: {lag: 60}}",
        "apps: [{dir: ./apps/web}]",
      ),
      expected: [
        {
          file: K,
          line: 8,
          col: 19,
          severity: "error",
          path: "analysisProviders[0].config.lag",
          words: ["must be at most 1h", "stale data", '(got "61m")'],
        },
        {
          file: K,
          line: 9,
          col: 46,
          severity: "error",
          path: "analysisProviders[1].config.lag",
          words: ["a bare number is not a duration", '"60s"'],
        },
      ],
      configLoads: false,
      appLoads: true,
    },
    {
      name: "a port out of range",
      yaml: lines("slack: {port: 70000}", PROVIDERS, "apps: [{dir: ./apps/web}]"),
      expected: [
        {
          file: K,
          line: 1,
          col: 15,
          severity: "error",
          path: "slack.port",
          words: ["must be ≤ 65535 (got 70000)"],
        },
      ],
      configLoads: false,
      appLoads: true,
    },
    {
      name: "a typo in fourEyes (a safety setting must not be silently off)",
      yaml: lines(PROVIDERS, "apps:", "  - dir: ./apps/web", "    fourEys: true"),
      expected: [
        {
          file: K,
          line: 10,
          col: 5,
          severity: "error",
          path: "apps[0].fourEys",
          words: ['unknown key "fourEys" (did you mean "fourEyes"?)'],
        },
      ],
      configLoads: true,
      appLoads: false,
    },
    {
      name: "a channel name instead of an id, and an @handle as approver",
      yaml: lines(
        PROVIDERS,
        "apps:",
        "  - dir: ./apps/web",
        "    channels: ['#deploys']",
        "    approvers: ['@alice']",
      ),
      expected: [
        {
          file: K,
          line: 10,
          col: 16,
          severity: "error",
          path: "apps[0].channels[0]",
          words: ["must be a Slack channel id such as C0123ABCD"],
        },
        {
          file: K,
          line: 11,
          col: 17,
          severity: "error",
          path: "apps[0].approvers[0]",
          words: ["must be a Slack user id (U…/W…) or user group id (S…)"],
        },
      ],
      configLoads: true,
      appLoads: false,
    },
    {
      name: "several cloud providers and none named",
      yaml: lines(
        PROVIDERS,
        "  - name: ecs-2",
        "    type: ECS",
        "    config: {region: us-west-2}",
        "apps:",
        "  - dir: ./apps/web",
      ).replace(
        "analysisProviders:\n  - name: datadog\n    type: DATADOG\n  - name: ecs-2\n    type: ECS\n    config: {region: us-west-2}",
        "  - name: ecs-2\n    type: ECS\n    config: {region: us-west-2}\nanalysisProviders:\n  - name: datadog\n    type: DATADOG",
      ),
      expected: [
        {
          file: K,
          line: 12,
          col: 5,
          severity: "error",
          path: "apps[0]",
          words: ["several cloudProviders are defined (ecs, ecs-2)", "cloudProvider:"],
        },
      ],
      configLoads: true,
      appLoads: false,
    },
    {
      name: "an unknown cloud provider",
      yaml: lines(PROVIDERS, "apps:", "  - dir: ./apps/web", "    cloudProvider: ecs-prod"),
      expected: [
        {
          file: K,
          line: 10,
          col: 20,
          severity: "error",
          path: "apps[0].cloudProvider",
          words: ['cloud provider "ecs-prod" is not defined in cloudProviders (defined: ecs)'],
        },
      ],
      configLoads: true,
      appLoads: false,
    },
    {
      name: "an app folder that does not exist",
      yaml: lines(PROVIDERS, "apps:", "  - dir: ./apps/nope"),
      expected: [
        {
          file: K,
          line: 9,
          col: 10,
          severity: "error",
          path: "apps[0].dir",
          words: ["directory does not exist", "apps/nope"],
        },
      ],
      configLoads: true,
      appLoads: false,
    },
    {
      name: "two entries resolving to the same name",
      yaml: lines(PROVIDERS, "apps:", "  - dir: ./apps/web", "  - dir: ./apps/web"),
      expected: [
        {
          file: K,
          line: 10,
          col: 5,
          severity: "error",
          path: "apps[1]",
          words: ['duplicate app name "web" (also apps[0])', "set a distinct name: here"],
        },
      ],
      configLoads: true,
      appLoads: true,
    },
  ])("$name", async ({ yaml, expected, configLoads, appLoads }) => {
    const { dir, result } = await load(yaml);
    expect(mismatch(result.diagnostics, expected, dir)).toBeUndefined();
    expect(result.config !== undefined).toBe(configLoads);
    expect(result.apps.has("web")).toBe(appLoads);
  });

  it("still checks an app's own files when its kanaria.yaml entry has a mistake", async () => {
    const { dir, result } = await load(
      lines(PROVIDERS, "apps:", "  - dir: ./apps/web", "    channels: [deploys]"),
      {
        "apps/web/app.pipecd.yaml":
          "apiVersion: pipecd.dev/v1beta1\nkind: ECSApp\nspec:\n  name: web\n  nmae: typo\n",
      },
    );
    const got = result.diagnostics.map((d) => `${path.relative(dir, d.file)}:${d.line}:${d.col} ${d.path}`);
    expect(got).toEqual([
      "kanaria.yaml:10:16 apps[0].channels[0]",
      "apps/web/app.pipecd.yaml:3:1 spec.input.targetGroups.primary",
      "apps/web/app.pipecd.yaml:5:3 spec.nmae",
    ]);
  });

  it("never echoes a secret written inline", async () => {
    const { result } = await load(
      lines("slack:", "  botToken: xoxb-super-secret-value", PROVIDERS, "apps: []"),
    );
    expect(JSON.stringify(result.diagnostics)).not.toContain("xoxb");
  });

  it("reports an unreadable kanaria.yaml as a diagnostic", async () => {
    const result = await loadConfig("/definitely/not/here/kanaria.yaml");
    expect(result.config).toBeUndefined();
    expect(result.diagnostics).toEqual([
      {
        file: "/definitely/not/here/kanaria.yaml",
        line: 1,
        col: 1,
        severity: "error",
        path: "",
        message: "cannot read kanaria.yaml: file not found",
      },
    ]);
  });

  it("reports a YAML syntax error with its position and loads nothing", async () => {
    const { dir, result } = await load(lines("slack:", "  port: [3000", "apps: []"));
    expect(result.config).toBeUndefined();
    // Only the syntax error: the half-parsed data is not validated.
    expect(result.diagnostics).toHaveLength(1);
    const first = result.diagnostics[0];
    expect(first && path.relative(dir, first.file)).toBe(K);
    expect(first?.severity).toBe("error");
    expect(first?.line).toBe(3);
    expect(first?.message).toContain("Flow sequence");
  });
});
