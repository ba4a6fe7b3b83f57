import {
  CreateServiceCommand,
  CreateTaskSetCommand,
  DeleteTaskSetCommand,
  DescribeServicesCommand,
  DescribeTaskSetsCommand,
  UpdateServiceCommand,
  UpdateServicePrimaryTaskSetCommand,
  UpdateTaskSetCommand,
} from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { SeededApp } from "../../sandbox/seed-app.js";
import { canaryInput, registerVersion } from "./ecs-fixtures.js";
import { expectAwsError, type Harness, MINUTE, startHarness } from "./sandbox-harness.js";

let h: Harness;
let app: SeededApp;

beforeEach(async () => {
  h = await startHarness({
    config: { tasks: { startDelayMs: 10_000, healthCheckDelayMs: 10_000, drainDelayMs: 5_000 } },
  });
  app = h.cloud.seedApp({ app: "web", initialVersion: "v1", desiredCount: 4 });
});
afterEach(async () => h.close());

async function describeService() {
  const out = await h.ecs.send(
    new DescribeServicesCommand({ cluster: "web", services: ["web"], include: ["TAGS"] }),
  );
  const service = out.services?.[0];
  if (!service) throw new Error("service missing");
  return service;
}

describe("task sets", () => {
  test("CreateTaskSet returns the task set as ECS does; computedDesiredCount rounds up", async () => {
    const td = await registerVersion(h.ecs, "v2");
    const out = await h.ecs.send(new CreateTaskSetCommand(canaryInput(app, td)));
    const taskSet = out.taskSet;
    expect(taskSet?.id).toMatch(/^ecs-svc\/\d{19}$/);
    expect(taskSet?.taskSetArn).toBe(`arn:aws:ecs:us-east-1:123456789012:task-set/web/web/${taskSet?.id}`);
    expect(taskSet).toMatchObject({
      status: "ACTIVE",
      externalId: "dep-1:canary",
      taskDefinition: td,
      scale: { unit: "PERCENT", value: 20 },
      computedDesiredCount: 1,
      runningCount: 0,
      pendingCount: 1,
      stabilityStatus: "STABILIZING",
      loadBalancers: [
        { targetGroupArn: app.targetGroups.canary.arn, containerName: "web", containerPort: 8080 },
      ],
      tags: [{ key: "kanaria:deployment", value: "dep-1" }],
    });
    expect(taskSet?.createdAt).toEqual(new Date(h.clock.now()));

    await h.ecs.send(new UpdateServiceCommand({ cluster: "web", service: "web", desiredCount: 10 }));
    const sets = await h.ecs.send(new DescribeTaskSetsCommand({ cluster: "web", service: "web" }));
    const canary = sets.taskSets?.find((t) => t.id === taskSet?.id);
    expect(canary?.computedDesiredCount).toBe(2);
    await h.ecs.send(
      new UpdateTaskSetCommand({
        cluster: "web",
        service: "web",
        taskSet: taskSet?.id ?? "",
        scale: { unit: "PERCENT", value: 30 },
      }),
    );
    const rescaled = await h.ecs.send(
      new DescribeTaskSetsCommand({ cluster: "web", service: "web", taskSets: [taskSet?.taskSetArn ?? ""] }),
    );
    expect(rescaled.taskSets?.[0]?.computedDesiredCount).toBe(3);
    expect(rescaled.taskSets?.[0]?.scale?.value).toBe(30);
  });

  test("clientToken: the same token and parameters give the same task set; other parameters are refused", async () => {
    const td = await registerVersion(h.ecs, "v2");
    const first = await h.ecs.send(
      new CreateTaskSetCommand(canaryInput(app, td, { clientToken: "dep-1-canary" })),
    );
    const retried = await h.ecs.send(
      new CreateTaskSetCommand(canaryInput(app, td, { clientToken: "dep-1-canary" })),
    );
    expect(retried.taskSet?.taskSetArn).toBe(first.taskSet?.taskSetArn);
    const service = await describeService();
    expect(service.taskSets).toHaveLength(2);

    await expectAwsError(
      h.ecs.send(
        new CreateTaskSetCommand(
          canaryInput(app, td, { clientToken: "dep-1-canary", scale: { unit: "PERCENT", value: 50 } }),
        ),
      ),
      "InvalidParameterException",
    );
    const other = await h.ecs.send(
      new CreateTaskSetCommand(canaryInput(app, td, { clientToken: "dep-2-canary" })),
    );
    expect(other.taskSet?.taskSetArn).not.toBe(first.taskSet?.taskSetArn);
  });

  test("UpdateServicePrimaryTaskSet takes an id or a full ARN; the old primary becomes ACTIVE", async () => {
    const td = await registerVersion(h.ecs, "v2");
    const created = await h.ecs.send(new CreateTaskSetCommand(canaryInput(app, td)));
    const arn = created.taskSet?.taskSetArn ?? "";
    const byArn = await h.ecs.send(
      new UpdateServicePrimaryTaskSetCommand({ cluster: "web", service: "web", primaryTaskSet: arn }),
    );
    expect(byArn.taskSet?.status).toBe("PRIMARY");
    let service = await describeService();
    expect(service.taskDefinition).toBe(td);
    expect(service.taskSets?.find((t) => t.taskSetArn === app.primaryTaskSetArn)?.status).toBe("ACTIVE");

    const oldId = app.primaryTaskSetArn?.split("/web/web/")[1] ?? "";
    await h.ecs.send(
      new UpdateServicePrimaryTaskSetCommand({ cluster: "web", service: "web", primaryTaskSet: oldId }),
    );
    service = await describeService();
    expect(service.taskSets?.find((t) => t.taskSetArn === app.primaryTaskSetArn)?.status).toBe("PRIMARY");
    expect(service.taskSets?.find((t) => t.taskSetArn === arn)?.status).toBe("ACTIVE");
  });

  test("DeleteTaskSet refuses the PRIMARY while others exist unless forced; deleted sets drain, then vanish", async () => {
    const td = await registerVersion(h.ecs, "v2");
    const canary =
      (await h.ecs.send(new CreateTaskSetCommand(canaryInput(app, td)))).taskSet?.taskSetArn ?? "";
    const primary = app.primaryTaskSetArn ?? "";

    const refused = await expectAwsError(
      h.ecs.send(new DeleteTaskSetCommand({ cluster: "web", service: "web", taskSet: primary })),
      "InvalidParameterException",
    );
    expect(refused.message).toBe("Primary TaskSet cannot be deleted");

    const deleted = await h.ecs.send(
      new DeleteTaskSetCommand({ cluster: "web", service: "web", taskSet: canary }),
    );
    expect(deleted.taskSet?.status).toBe("DRAINING");
    await expectAwsError(
      h.ecs.send(new DeleteTaskSetCommand({ cluster: "web", service: "web", taskSet: canary })),
      "TaskSetNotFoundException",
    );
    await h.clock.advance(MINUTE);
    expect((await describeService()).taskSets?.map((t) => t.taskSetArn)).toEqual([primary]);

    // The only task set left may go without force.
    const last = await h.ecs.send(
      new DeleteTaskSetCommand({ cluster: "web", service: "web", taskSet: primary }),
    );
    expect(last.taskSet?.status).toBe("DRAINING");
  });

  test("a PRIMARY task set is deleted with force even while others exist", async () => {
    const td = await registerVersion(h.ecs, "v2");
    await h.ecs.send(new CreateTaskSetCommand(canaryInput(app, td)));
    const out = await h.ecs.send(
      new DeleteTaskSetCommand({
        cluster: "web",
        service: "web",
        taskSet: app.primaryTaskSetArn ?? "",
        force: true,
      }),
    );
    expect(out.taskSet?.status).toBe("DRAINING");
    expect((await describeService()).taskDefinition).toBeUndefined();
  });

  test("task set calls on a service without the EXTERNAL controller are refused with AWS's message", async () => {
    await h.ecs.send(
      new CreateServiceCommand({
        cluster: "web",
        serviceName: "rolling",
        desiredCount: 1,
        taskDefinition: "web:1",
      }),
    );
    const error = await expectAwsError(
      h.ecs.send(new CreateTaskSetCommand({ ...canaryInput(app, "web:1"), service: "rolling" })),
      "InvalidParameterException",
    );
    expect(error.message).toBe(
      "Amazon ECS only supports task set management on services configured to use external deployment controllers.",
    );
    await expectAwsError(
      h.ecs.send(new DescribeTaskSetsCommand({ cluster: "web", service: "rolling" })),
      "InvalidParameterException",
    );
  });

  test("a target group no listener forwards to cannot take a task set; a container port must exist", async () => {
    const td = await registerVersion(h.ecs, "v2");
    const unattached = await expectAwsError(
      h.ecs.send(
        new CreateTaskSetCommand(
          canaryInput(app, td, {
            loadBalancers: [
              { targetGroupArn: app.targetGroups.baseline.arn, containerName: "web", containerPort: 8080 },
            ],
          }),
        ),
      ),
      "InvalidParameterException",
    );
    expect(unattached.message).toContain("does not have an associated load balancer");
    await expectAwsError(
      h.ecs.send(
        new CreateTaskSetCommand(
          canaryInput(app, td, {
            loadBalancers: [
              { targetGroupArn: app.targetGroups.canary.arn, containerName: "web", containerPort: 9999 },
            ],
          }),
        ),
      ),
      "InvalidParameterException",
    );
  });

  test("unknown resources surface the modelled exception names", async () => {
    const td = await registerVersion(h.ecs, "v2");
    await expectAwsError(
      h.ecs.send(new DescribeServicesCommand({ cluster: "nowhere", services: ["web"] })),
      "ClusterNotFoundException",
    );
    await expectAwsError(
      h.ecs.send(new CreateTaskSetCommand({ ...canaryInput(app, td), service: "ghost" })),
      "ServiceNotFoundException",
    );
    const missing = `arn:aws:ecs:us-east-1:123456789012:task-set/web/web/ecs-svc/1234567890123456789`;
    await expectAwsError(
      h.ecs.send(new DeleteTaskSetCommand({ cluster: "web", service: "web", taskSet: missing })),
      "TaskSetNotFoundException",
    );
    await expectAwsError(
      h.ecs.send(
        new UpdateServicePrimaryTaskSetCommand({
          cluster: "web",
          service: "web",
          primaryTaskSet: "ecs-svc/1",
        }),
      ),
      "TaskSetNotFoundException",
    );
    const described = await h.ecs.send(
      new DescribeTaskSetsCommand({ cluster: "web", service: "web", taskSets: [missing] }),
    );
    expect(described.taskSets).toEqual([]);
    expect(described.failures).toEqual([{ arn: missing, reason: "MISSING" }]);
  });

  test("a request missing a required member is a ValidationException naming it", async () => {
    const error = await expectAwsError(
      h.ecs.send(new DeleteTaskSetCommand({ cluster: "web", service: "web" } as never)),
      "ValidationException",
    );
    expect(error.message).toBe(
      "1 validation error detected: Value null at 'taskSet' failed to satisfy constraint: Member must not be null",
    );
  });
});
