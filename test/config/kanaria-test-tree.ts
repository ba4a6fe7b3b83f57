/** A small kanaria.yaml + one app ("web") in a temporary folder, for kanaria.yaml tests. */
import * as path from "node:path";
import { afterEach } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";
import { writeTree } from "./config-test-helpers.js";

const TARGET_GROUP_ARN = "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup";

/**
 * The first lines of app "web"'s app.pipecd.yaml, down to its `input.targetGroups` (one line per group
 * asked for, in the order primary, canary, baseline), for tests that write the rest themselves.
 */
export function ecsAppHead(groups: ReadonlyArray<"primary" | "canary" | "baseline">): string[] {
  const names = { primary: "web/1", canary: "web-canary/2", baseline: "web-baseline/3" };
  return [
    "apiVersion: pipecd.dev/v1beta1",
    "kind: ECSApp",
    "spec:",
    "  name: web",
    "  input:",
    "    targetGroups:",
    ...(["primary", "canary", "baseline"] as const)
      .filter((g) => groups.includes(g))
      .map(
        (g) =>
          `      ${g}: {targetGroupArn: '${TARGET_GROUP_ARN}/${names[g]}', containerName: web, containerPort: 80}`,
      ),
  ];
}

export const APP_FILES = {
  "apps/web/app.pipecd.yaml": [...ecsAppHead(["primary"]), ""].join("\n"),
  "apps/web/servicedef.yaml": "serviceName: web\ndeploymentController: {type: EXTERNAL}\n",
  "apps/web/taskdef.yaml":
    "family: web\ncontainerDefinitions:\n  - {name: web, image: 'nginx:1', portMappings: [{containerPort: 80}]}\n",
};

/** Lines 1–7 of most test files: one ECS and one Datadog provider. */
export const PROVIDERS = [
  "cloudProviders:",
  "  - name: ecs",
  "    type: ECS",
  "    config: {region: us-east-1}",
  "analysisProviders:",
  "  - name: datadog",
  "    type: DATADOG",
].join("\n");

export const lines = (...l: string[]) => `${l.join("\n")}\n`;

/** Registers cleanup with the calling test file; returns a loader writing kanaria.yaml + the web app. */
export function kanariaTree() {
  let cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(cleanups.map((c) => c()));
    cleanups = [];
  });
  return async function load(kanaria: string, extra: Record<string, string> = {}) {
    const { dir, cleanup } = await writeTree({ "kanaria.yaml": kanaria, ...APP_FILES, ...extra });
    cleanups.push(cleanup);
    const result = await loadConfig(path.join(dir, "kanaria.yaml"));
    return { dir, result };
  };
}
