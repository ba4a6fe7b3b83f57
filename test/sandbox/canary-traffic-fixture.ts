/**
 * A seeded sandbox cloud with a canary under way, stepped in short irregular stretches: `web` (20 req/s)
 * sends 80% to v1 on its primary target group and 20% to `v3-bad` (5% errors) on its canary group, and
 * `quiet` (0.05 req/s) has many stretches without a request. For tests that need the traffic model's
 * exact draws: the same seed and steps give the same numbers.
 */
import { CreateTaskSetCommand, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { ModifyListenerCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { SeededApp } from "../../sandbox/seed-app.js";
import { type Harness, MINUTE, startHarness } from "./sandbox-harness.js";

export const CANARY_SEED = 20261206;

export interface CanaryRun {
  h: Harness;
  web: SeededApp;
  /** The first whole minute with the 80/20 split in place. */
  start: number;
  /** `targetgroup/<name>/<id>`, the ALB metrics' `targetgroup` tag. */
  tag(group: "primary" | "canary"): string;
}

/** Runs `minutes` whole minutes from `start` in steps of `stepMs` (the world catches up at each). */
export async function canaryRun(minutes: number, stepMs = 7_000): Promise<CanaryRun> {
  const h = await startHarness({
    config: {
      seed: CANARY_SEED,
      apps: [{ name: "web", requestsPerSecond: 20, desiredCount: 2, env: "prd" }],
      versions: { "v3-bad": { errorRate: 0.05 } },
    },
  });
  const web = h.cloud.seedApp({ app: "web", initialVersion: "v1" });
  h.cloud.seedApp({ app: "quiet", initialVersion: "v1", requestsPerSecond: 0.05, env: "prd" });
  await routeToCanary(h, web, "v3-bad", [80, 20]);
  const start = Math.ceil(h.clock.now() / MINUTE) * MINUTE;
  await h.clock.advance(start - h.clock.now());
  for (let t = start; t < start + minutes * MINUTE; t += stepMs) {
    await h.clock.advance(Math.min(stepMs, start + minutes * MINUTE - t));
  }
  return { h, web, start, tag: (group) => targetGroupTag(web, group) };
}

/**
 * Starts a 100% task set of `version` on `app`'s canary target group, lets it become healthy (a
 * minute), then sends `weights` (primary, canary) of the listener's traffic to the two groups;
 * without a version, only sets the weights.
 */
export async function routeToCanary(
  h: Harness,
  app: SeededApp,
  version: string | undefined,
  weights: [number, number],
): Promise<void> {
  if (version) {
    const td = await h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: app.app,
        containerDefinitions: [
          { name: "web", image: `registry.example/web:${version}`, portMappings: [{ containerPort: 8080 }] },
        ],
      }),
    );
    await h.ecs.send(
      new CreateTaskSetCommand({
        cluster: app.clusterName,
        service: app.serviceName,
        taskDefinition: td.taskDefinition?.taskDefinitionArn ?? "",
        scale: { unit: "PERCENT", value: 100 },
        loadBalancers: [
          { targetGroupArn: app.targetGroups.canary.arn, containerName: "web", containerPort: 8080 },
        ],
      }),
    );
    await h.clock.advance(MINUTE);
  }
  await h.elb.send(
    new ModifyListenerCommand({
      ListenerArn: app.listenerArn,
      DefaultActions: [
        {
          Type: "forward",
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: app.targetGroups.primary.arn, Weight: weights[0] },
              { TargetGroupArn: app.targetGroups.canary.arn, Weight: weights[1] },
            ],
          },
        },
      ],
    }),
  );
}

/** `targetgroup/<name>/<id>`: the ALB metrics' `targetgroup` tag of one of `app`'s groups. */
export function targetGroupTag(app: SeededApp, group: "primary" | "canary"): string {
  const arn = app.targetGroups[group].arn;
  return `targetgroup/${app.targetGroups[group].name}/${arn.split("/").pop()}`;
}
