/**
 * `kanaria sandbox [--config sandbox.yaml] [--port 4580]`: the simulated ECS + ALB on loopback, seeded
 * with the configured apps (or one app, `web`, at v1), with what to put in kanaria.yaml and
 * app.pipecd.yaml to point Kanaria at it. Runs until SIGINT/SIGTERM.
 *
 * Ports are fixed (ECS on `--port`, ELBv2 on the next one) and the ARNs come from the config's seed, so a
 * restarted sandbox matches the config written for the last one. `--config` takes a sandbox config (see
 * sandbox-config.ts, and the README's "The sandbox" section), or a kanaria.yaml, whose apps are seeded by
 * name with the sandbox's defaults.
 */
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import type { CliIo } from "../../src/cli/cli-io.js";
import { parseSandboxConfig, type SandboxConfig } from "../sandbox-config.js";
import type { SeededApp } from "../seed-app.js";
import { startSandboxCloud } from "../start-sandbox-cloud.js";

const DEFAULT_APPS = { apps: [{ name: "web", initialVersion: "v1" }] };

/** ECS listens here and ELBv2 on the next port, unless `--port` says otherwise. */
export const DEFAULT_SANDBOX_PORT = 4580;

/** Top-level keys only a kanaria.yaml has; a sandbox config has none of them. */
const KANARIA_YAML_KEYS = [
  "slack",
  "cloudProviders",
  "analysisProviders",
  "store",
  "freezes",
  "analysisTemplateFiles",
];

export async function runSandbox(
  configFile: string | undefined,
  io: CliIo,
  port: number = DEFAULT_SANDBOX_PORT,
): Promise<number> {
  let config: SandboxConfig;
  try {
    if (configFile) {
      const parsed = parseYaml(await readFile(configFile, "utf8")) as unknown;
      const fromKanaria = sandboxConfigOfKanariaYaml(parsed);
      if (fromKanaria) io.out(`kanaria sandbox: ${configFile} is a kanaria.yaml: seeding its apps by name.`);
      config = parseSandboxConfig(fromKanaria ?? parsed);
    } else config = parseSandboxConfig(DEFAULT_APPS);
  } catch (error) {
    io.err(
      `kanaria sandbox: ${configFile ?? "the default config"}: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 1;
  }
  if (config.apps.length === 0) config = { ...config, apps: parseSandboxConfig(DEFAULT_APPS).apps };
  let cloud: Awaited<ReturnType<typeof startSandboxCloud>>;
  try {
    cloud = await startSandboxCloud({
      config,
      seedConfiguredApps: true,
      ports: { ecs: port, elbv2: port + 1 },
    });
  } catch (error) {
    if ((error as { code?: unknown }).code !== "EADDRINUSE") throw error;
    io.err(
      `kanaria sandbox: port ${port}, ${port + 1} or ${port + 2} is in use (another sandbox?): stop it, or start this one with --port <another>`,
    );
    return 1;
  }
  for (const line of describeSandbox(cloud, cloud.seededApps())) {
    io.out(line);
  }
  await io.stopSignal();
  await cloud.close();
  io.out("kanaria sandbox: stopped.");
  return 0;
}

/**
 * The sandbox config for a kanaria.yaml: one sandbox app per `apps[].name`, at v1, everything else
 * default. Undefined when `parsed` is not a kanaria.yaml.
 */
export function sandboxConfigOfKanariaYaml(
  parsed: unknown,
): { apps: Array<{ name: unknown; initialVersion: string }> } | undefined {
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
  const record = parsed as Record<string, unknown>;
  const apps = Array.isArray(record.apps) ? record.apps : [];
  const looksLikeEntry = (app: unknown) => typeof app === "object" && app !== null && "dir" in app;
  if (!KANARIA_YAML_KEYS.some((key) => key in record) && !apps.some(looksLikeEntry)) return undefined;
  return {
    apps: apps.map((app) => ({
      name: typeof app === "object" && app !== null ? (app as { name?: unknown }).name : app,
      initialVersion: "v1",
    })),
  };
}

export function describeSandbox(
  endpoints: { ecsEndpoint: string; elbv2Endpoint: string; cloudwatchEndpoint: string; region: string },
  apps: readonly SeededApp[],
): string[] {
  const { ecsEndpoint: ecs, elbv2Endpoint: elbv2, cloudwatchEndpoint: cloudwatch, region } = endpoints;
  const lines = [
    `kanaria sandbox: ECS at ${ecs}, ELBv2 at ${elbv2}, CloudWatch at ${cloudwatch} (region ${region}).`,
    "Any AWS credentials are accepted, e.g. AWS_ACCESS_KEY_ID=sandbox AWS_SECRET_ACCESS_KEY=sandbox. Stop with",
    "Ctrl-C. The ports and ARNs stay the same when it is restarted with the same config, so the lines below",
    "need to be written only once.",
    "",
    "# kanaria.yaml",
    "cloudProviders:",
    "  - name: sandbox",
    "    type: ECS",
    "    config:",
    `      region: ${region}`,
    "      # endpoints: where the ECS and ELBv2 APIs are, instead of AWS's (see the README's kanaria.yaml reference)",
    "      endpoints:",
    `        ecs: ${ecs}`,
    `        elbv2: ${elbv2}`,
  ];
  for (const app of apps) {
    lines.push(
      "",
      `# ${app.app}: app.pipecd.yaml (spec.input) and servicedef.yaml`,
      "input:",
      "  targetGroups:",
      "    primary:",
      `      targetGroupArn: ${app.targetGroups.primary.arn}`,
      `      containerName: ${app.containerName}`,
      `      containerPort: ${app.containerPort}`,
      "    canary:",
      `      targetGroupArn: ${app.targetGroups.canary.arn}`,
      `      containerName: ${app.containerName}`,
      `      containerPort: ${app.containerPort}`,
      `# servicedef.yaml: cluster: ${app.clusterName}, serviceName: ${app.serviceName}, deploymentController: {type: EXTERNAL}`,
      `# listener ${app.listenerArn} (port ${app.listenerPort}) forwards to ${app.targetGroups.primary.name}=100 / ${app.targetGroups.canary.name}=0`,
    );
  }
  return lines;
}
