/** ECS requests the ECS tests share: a new revision of `web`, and a canary task set on `web-green`. */
import {
  type CreateTaskSetCommandInput,
  type ECSClient,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import type { SeededApp } from "../../sandbox/seed-app.js";

/** Registers `web` with image tag `version`; returns its ARN. */
export async function registerVersion(ecs: ECSClient, version: string): Promise<string> {
  const out = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "web",
      containerDefinitions: [
        { name: "web", image: `registry.example/web:${version}`, portMappings: [{ containerPort: 8080 }] },
      ],
    }),
  );
  return out.taskDefinition?.taskDefinitionArn ?? "";
}

/** A 20% canary task set of `app` on its canary target group, tagged with deployment dep-1. */
export function canaryInput(
  app: SeededApp,
  taskDefinition: string,
  extra: Partial<CreateTaskSetCommandInput> = {},
): CreateTaskSetCommandInput {
  return {
    cluster: app.clusterName,
    service: app.serviceName,
    taskDefinition,
    externalId: "dep-1:canary",
    scale: { unit: "PERCENT", value: 20 },
    loadBalancers: [
      { targetGroupArn: app.targetGroups.canary.arn, containerName: "web", containerPort: 8080 },
    ],
    tags: [{ key: "kanaria:deployment", value: "dep-1" }],
    ...extra,
  };
}
