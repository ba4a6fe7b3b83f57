/**
 * `kanaria sandbox [--config sandbox.yaml]`: the simulated ECS + ALB on loopback, seeded with the
 * configured apps (or one app, `web`, at v1), with what to put in kanaria.yaml and app.pipecd.yaml to
 * point Kanaria at it. Runs until SIGINT/SIGTERM.
 */
import { readFile } from "node:fs/promises";
import type { CliIo } from "../../src/cli/cli-io.js";
import { parseSandboxConfig, parseSandboxConfigText, type SandboxConfig } from "../sandbox-config.js";
import type { SeededApp } from "../seed-app.js";
import { startSandboxCloud } from "../start-sandbox-cloud.js";

const DEFAULT_APPS = { apps: [{ name: "web", initialVersion: "v1" }] };

export async function runSandbox(configFile: string | undefined, io: CliIo): Promise<number> {
  let config: SandboxConfig;
  try {
    config = configFile
      ? parseSandboxConfigText(await readFile(configFile, "utf8"))
      : parseSandboxConfig(DEFAULT_APPS);
  } catch (error) {
    io.err(
      `kanaria sandbox: ${configFile ?? "the default config"}: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 1;
  }
  if (config.apps.length === 0) config = { ...config, apps: parseSandboxConfig(DEFAULT_APPS).apps };
  const cloud = await startSandboxCloud({ config, seedConfiguredApps: true });
  for (const line of describeSandbox(
    cloud.ecsEndpoint,
    cloud.elbv2Endpoint,
    cloud.region,
    cloud.seededApps(),
  )) {
    io.out(line);
  }
  await io.stopSignal();
  await cloud.close();
  io.out("kanaria sandbox: stopped.");
  return 0;
}

export function describeSandbox(
  ecs: string,
  elbv2: string,
  region: string,
  apps: readonly SeededApp[],
): string[] {
  const lines = [
    `kanaria sandbox: ECS at ${ecs}, ELBv2 at ${elbv2} (region ${region}). Any AWS credentials are accepted,`,
    "e.g. AWS_ACCESS_KEY_ID=sandbox AWS_SECRET_ACCESS_KEY=sandbox. Stop with Ctrl-C.",
    "",
    "# kanaria.yaml",
    "cloudProviders:",
    "  - name: sandbox",
    "    type: ECS",
    "    config:",
    `      region: ${region}`,
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
