/** loadConfig never throws on bad input: whatever the files hold, the answer is diagnostics. */
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { checkConfig } from "../../src/config/check-config.js";
import { loadConfig } from "../../src/config/load-config.js";
import { writeTree } from "./config-test-helpers.js";

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.map((c) => c()));
  cleanups = [];
});

const KANARIA =
  "cloudProviders: [{name: ecs, type: ECS, config: {region: us-east-1}}]\napps: [{dir: ./app}]\n";
const GOOD_APP = [
  "apiVersion: pipecd.dev/v1beta1",
  "kind: ECSApp",
  "spec:",
  "  name: app",
  "  input:",
  "    targetGroups:",
  "      primary: {targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/a/1', containerName: web, containerPort: 80}",
  "",
].join("\n");
const GOOD_SERVICE = "serviceName: app\ndeploymentController: {type: EXTERNAL}\n";
const GOOD_TASK =
  "family: app\ncontainerDefinitions: [{name: web, image: 'web:1', portMappings: [{containerPort: 80}]}]\n";

const withPipeline = (pipeline: string) => `${GOOD_APP}  pipeline: ${pipeline}\n`;

describe("loadConfig on garbage", () => {
  it.each<[string, Record<string, string>]>([
    ["kanaria.yaml holding a list", { "kanaria.yaml": "- a\n- b\n" }],
    ["kanaria.yaml holding a scalar", { "kanaria.yaml": "hello\n" }],
    ["apps that are not maps", { "kanaria.yaml": "apps: [1, null, [x]]\n" }],
    ["providers that are not maps", { "kanaria.yaml": "cloudProviders: [x]\nanalysisProviders: {a: 1}\n" }],
    [
      "an alias bomb",
      {
        "kanaria.yaml":
          "a: &a [x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n",
      },
    ],
    [
      "an empty app config",
      {
        "kanaria.yaml": KANARIA,
        "app/app.pipecd.yaml": "",
        "app/servicedef.yaml": GOOD_SERVICE,
        "app/taskdef.yaml": GOOD_TASK,
      },
    ],
    ["an app config that is a list", { "kanaria.yaml": KANARIA, "app/app.pipecd.yaml": "- 1\n" }],
    [
      "spec as a list",
      {
        "kanaria.yaml": KANARIA,
        "app/app.pipecd.yaml": "apiVersion: pipecd.dev/v1beta1\nkind: ECSApp\nspec: [1]\n",
      },
    ],
    ["stages as a map", { "kanaria.yaml": KANARIA, "app/app.pipecd.yaml": withPipeline("{stages: {a: 1}}") }],
    [
      "null stages",
      { "kanaria.yaml": KANARIA, "app/app.pipecd.yaml": withPipeline("{stages: [null, 3, [x]]}") },
    ],
    [
      "with as a string",
      {
        "kanaria.yaml": KANARIA,
        "app/app.pipecd.yaml": withPipeline("{stages: [{name: WAIT, with: soon}]}"),
      },
    ],
    [
      "metrics that are not maps",
      {
        "kanaria.yaml": KANARIA,
        "app/app.pipecd.yaml": withPipeline(
          "{stages: [{name: ANALYSIS, with: {duration: 1m, metrics: [null, x, {template: 3}]}}]}",
        ),
      },
    ],
    [
      "definitions that are not maps",
      {
        "kanaria.yaml": KANARIA,
        "app/app.pipecd.yaml": GOOD_APP,
        "app/servicedef.yaml": "[]\n",
        "app/taskdef.yaml": "x\n",
      },
    ],
    [
      "a task definition with broken containers",
      {
        "kanaria.yaml": KANARIA,
        "app/app.pipecd.yaml": GOOD_APP,
        "app/servicedef.yaml": GOOD_SERVICE,
        "app/taskdef.yaml": "containerDefinitions: [null, 1, {portMappings: x}, {name: 3}]\n",
      },
    ],
    [
      "JSON definitions with syntax errors",
      {
        "kanaria.yaml": KANARIA,
        "app/app.pipecd.yaml": GOOD_APP,
        "app/servicedef.yaml": '{"serviceName": ',
        "app/taskdef.yaml": "{,}",
      },
    ],
    [
      "a .pipe template that is garbage",
      {
        "kanaria.yaml": KANARIA,
        "app/app.pipecd.yaml": GOOD_APP,
        ".pipe/t.yaml": "kind: AnalysisTemplate\nspec: {metrics: [1]}\n",
      },
    ],
  ])("%s", async (_name, files) => {
    const { dir, cleanup } = await writeTree(files);
    cleanups.push(cleanup);
    const result = await loadConfig(path.join(dir, "kanaria.yaml"));
    expect(result.diagnostics.some((d) => d.severity === "error")).toBe(true);
    expect(result.apps.size).toBe(0);
    for (const d of result.diagnostics) {
      expect(d.line).toBeGreaterThanOrEqual(1);
      expect(d.col).toBeGreaterThanOrEqual(1);
      expect(d.message).not.toBe("");
    }
    const check = await checkConfig(path.join(dir, "kanaria.yaml"), { cwd: dir });
    expect(check.exitCode).toBe(1);
  });
});

describe("an empty kanaria.yaml", () => {
  it.each(["", "null\n", "# only a comment\n"])(
    "%j is a valid, empty configuration with a warning",
    async (text) => {
      const { dir, cleanup } = await writeTree({ "kanaria.yaml": text });
      cleanups.push(cleanup);
      const result = await loadConfig(path.join(dir, "kanaria.yaml"));
      expect(result.diagnostics.map((d) => [d.severity, d.message.split(";")[0]])).toEqual([
        ["warning", "no apps are configured"],
      ]);
      expect(result.config?.apps).toEqual([]);
      expect(result.config?.slack.port).toBe(3000);
    },
  );
});
