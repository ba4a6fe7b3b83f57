import {
  CreateTaskSetCommand,
  DeleteTaskSetCommand,
  DescribeTaskSetsCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type TaskSet,
  UpdateServiceCommand,
  UpdateTaskSetCommand,
} from "@aws-sdk/client-ecs";
import { DescribeTargetHealthCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { SeededApp } from "../../sandbox/seed-app.js";
import { type Harness, MINUTE, startHarness } from "./sandbox-harness.js";

const config = {
  tasks: { startDelayMs: 20_000, healthCheckDelayMs: 15_000, drainDelayMs: 10_000 },
  versions: { "v9-crash": { crashOnStart: true }, "*-slowstart": { startDelayMs: 120_000 } },
};

let h: Harness;
let app: SeededApp;

beforeEach(async () => {
  h = await startHarness({ config });
  app = h.cloud.seedApp({ app: "web", initialVersion: "v1", desiredCount: 4 });
});
afterEach(async () => h.close());

async function createCanary(version: string, scale: number): Promise<string> {
  const td = await h.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "web",
      containerDefinitions: [
        { name: "web", image: `registry.example/web:${version}`, portMappings: [{ containerPort: 8080 }] },
      ],
    }),
  );
  const out = await h.ecs.send(
    new CreateTaskSetCommand({
      cluster: "web",
      service: "web",
      taskDefinition: td.taskDefinition?.taskDefinitionArn ?? "",
      scale: { unit: "PERCENT", value: scale },
      loadBalancers: [
        { targetGroupArn: app.targetGroups.canary.arn, containerName: "web", containerPort: 8080 },
      ],
    }),
  );
  return out.taskSet?.taskSetArn ?? "";
}

async function taskSet(arn: string): Promise<TaskSet | undefined> {
  const out = await h.ecs.send(
    new DescribeTaskSetsCommand({ cluster: "web", service: "web", taskSets: [arn] }),
  );
  return out.taskSets?.[0];
}

async function canaryHealth(): Promise<Array<string | undefined>> {
  const out = await h.elb.send(
    new DescribeTargetHealthCommand({ TargetGroupArn: app.targetGroups.canary.arn }),
  );
  return (out.TargetHealthDescriptions ?? []).map((d) => d.TargetHealth?.State);
}

async function taskStatuses(startedBy: string): Promise<Array<string | undefined>> {
  const listed = await h.ecs.send(new ListTasksCommand({ cluster: "web", startedBy }));
  if (!listed.taskArns?.length) return [];
  const out = await h.ecs.send(new DescribeTasksCommand({ cluster: "web", tasks: listed.taskArns }));
  return (out.tasks ?? []).map((t) => t.lastStatus);
}

describe("task lifecycle in virtual time", () => {
  test("tasks go PROVISIONING → PENDING → RUNNING, register, turn healthy, and the set reaches STEADY_STATE", async () => {
    const arn = await createCanary("v2", 50);
    const id = (await taskSet(arn))?.id ?? "";
    expect(await taskSet(arn)).toMatchObject({ computedDesiredCount: 2, pendingCount: 2, runningCount: 0 });
    expect(await taskStatuses(id)).toEqual(["PROVISIONING", "PROVISIONING"]);

    await h.clock.advance(8_000);
    expect(await taskStatuses(id)).toEqual(["PENDING", "PENDING"]);
    expect(await canaryHealth()).toEqual([]);

    await h.clock.advance(12_000);
    expect(await taskStatuses(id)).toEqual(["RUNNING", "RUNNING"]);
    expect(await taskSet(arn)).toMatchObject({
      runningCount: 2,
      pendingCount: 0,
      stabilityStatus: "STABILIZING",
    });
    expect(await canaryHealth()).toEqual(["initial", "initial"]);

    const steadySince = h.clock.now() + 15_000;
    await h.clock.advance(15_000);
    expect(await canaryHealth()).toEqual(["healthy", "healthy"]);
    const steady = await taskSet(arn);
    expect(steady?.stabilityStatus).toBe("STEADY_STATE");
    expect(steady?.stabilityStatusAt).toEqual(new Date(steadySince));
  });

  test("a version that crashes on start never gets healthy and never reaches STEADY_STATE", async () => {
    const arn = await createCanary("v9-crash", 25);
    await h.clock.advance(10 * MINUTE);
    expect(await canaryHealth()).toEqual(["unhealthy"]);
    expect(await taskSet(arn)).toMatchObject({ runningCount: 1, stabilityStatus: "STABILIZING" });
  });

  test("per-version timings: a slow starter stays PENDING past the default start delay", async () => {
    const arn = await createCanary("v2-slowstart", 25);
    await h.clock.advance(MINUTE);
    expect(await taskSet(arn)).toMatchObject({ pendingCount: 1, runningCount: 0 });
    await h.clock.advance(MINUTE);
    expect(await taskSet(arn)).toMatchObject({ pendingCount: 0, runningCount: 1 });
  });

  test("scaling the service or the task set starts and stops tasks; stopped ones drain first", async () => {
    const arn = await createCanary("v2", 25);
    await h.clock.advance(MINUTE);
    expect(await taskSet(arn)).toMatchObject({
      computedDesiredCount: 1,
      runningCount: 1,
      stabilityStatus: "STEADY_STATE",
    });

    await h.ecs.send(new UpdateServiceCommand({ cluster: "web", service: "web", desiredCount: 8 }));
    expect(await taskSet(arn)).toMatchObject({ computedDesiredCount: 2, runningCount: 1, pendingCount: 1 });
    await h.clock.advance(MINUTE);
    expect(await taskSet(arn)).toMatchObject({ runningCount: 2, stabilityStatus: "STEADY_STATE" });

    await h.ecs.send(
      new UpdateTaskSetCommand({
        cluster: "web",
        service: "web",
        taskSet: arn,
        scale: { unit: "PERCENT", value: 0 },
      }),
    );
    expect(await canaryHealth()).toEqual(["draining", "draining"]);
    expect(await taskSet(arn)).toMatchObject({
      computedDesiredCount: 0,
      runningCount: 0,
      stabilityStatus: "STABILIZING",
    });
    await h.clock.advance(10_000);
    expect(await canaryHealth()).toEqual([]);
    expect(await taskSet(arn)).toMatchObject({ stabilityStatus: "STEADY_STATE" });
  });

  test("a deleted task set drains its targets, stops its tasks, then disappears", async () => {
    const arn = await createCanary("v2", 50);
    const id = (await taskSet(arn))?.id ?? "";
    await h.clock.advance(MINUTE);
    await h.ecs.send(new DeleteTaskSetCommand({ cluster: "web", service: "web", taskSet: arn }));
    expect(await canaryHealth()).toEqual(["draining", "draining"]);
    expect(await taskSet(arn)).toMatchObject({ status: "DRAINING", computedDesiredCount: 0 });
    expect(await taskStatuses(id)).toEqual([]);

    await h.clock.advance(10_000);
    expect(await canaryHealth()).toEqual([]);
    expect(await taskSet(arn)).toBeUndefined();
    const stopped = await h.ecs.send(
      new ListTasksCommand({ cluster: "web", startedBy: id, desiredStatus: "STOPPED" }),
    );
    const described = await h.ecs.send(
      new DescribeTasksCommand({ cluster: "web", tasks: stopped.taskArns ?? [] }),
    );
    expect(described.tasks?.map((t) => t.lastStatus)).toEqual(["STOPPED", "STOPPED"]);
  });

  test("the seeded primary is RUNNING and healthy from the start", async () => {
    const primary = await taskSet(app.primaryTaskSetArn ?? "");
    expect(primary).toMatchObject({ status: "PRIMARY", runningCount: 4, stabilityStatus: "STEADY_STATE" });
    const out = await h.elb.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: app.targetGroups.primary.arn }),
    );
    expect(out.TargetHealthDescriptions?.map((d) => d.TargetHealth?.State)).toEqual([
      "healthy",
      "healthy",
      "healthy",
      "healthy",
    ]);
  });
});
