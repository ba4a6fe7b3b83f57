import {
  CreateClusterCommand,
  CreateServiceCommand,
  CreateTaskSetCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTagsForResourceCommand,
  ListTasksCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { SeededApp } from "../../sandbox/seed-app.js";
import { canaryInput, registerVersion } from "./ecs-fixtures.js";
import { expectAwsError, type Harness, startHarness } from "./sandbox-harness.js";

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

describe("clusters and task definitions", () => {
  test("CreateCluster is idempotent; DescribeClusters reports unknown clusters as MISSING failures", async () => {
    const first = await h.ecs.send(
      new CreateClusterCommand({ clusterName: "staging", tags: [{ key: "team", value: "sre" }] }),
    );
    const again = await h.ecs.send(new CreateClusterCommand({ clusterName: "staging" }));
    expect(again.cluster?.clusterArn).toBe(first.cluster?.clusterArn);
    expect(first.cluster?.clusterArn).toBe("arn:aws:ecs:us-east-1:123456789012:cluster/staging");

    const described = await h.ecs.send(
      new DescribeClustersCommand({ clusters: ["staging", "web", "nope"], include: ["TAGS"] }),
    );
    expect(described.clusters?.map((c) => c.clusterName)).toEqual(["staging", "web"]);
    expect(described.clusters?.[0]?.tags).toEqual([{ key: "team", value: "sre" }]);
    expect(described.clusters?.[1]?.runningTasksCount).toBe(4);
    expect(described.failures).toEqual([
      { arn: "arn:aws:ecs:us-east-1:123456789012:cluster/nope", reason: "MISSING" },
    ]);
  });

  test("revisions count up per family; a deregistered one stays describable but cannot start a task set", async () => {
    const v2 = await registerVersion(h.ecs, "v2");
    expect(v2).toBe("arn:aws:ecs:us-east-1:123456789012:task-definition/web:2");

    const latest = await h.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "web" }));
    expect(latest.taskDefinition?.revision).toBe(2);
    expect(latest.taskDefinition?.containerDefinitions?.[0]?.image).toBe("registry.example/web:v2");
    expect(latest.taskDefinition?.registeredAt).toBeInstanceOf(Date);

    const gone = await h.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "web:2" }));
    expect(gone.taskDefinition?.status).toBe("INACTIVE");
    const byArn = await h.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: v2 }));
    expect(byArn.taskDefinition?.status).toBe("INACTIVE");
    const fallback = await h.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "web" }));
    expect(fallback.taskDefinition?.revision).toBe(1);

    const refused = await expectAwsError(
      h.ecs.send(new CreateTaskSetCommand(canaryInput(app, v2))),
      "ClientException",
    );
    expect(refused.message).toBe("TaskDefinition is inactive");
    await expectAwsError(
      h.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "web:9" })),
      "ClientException",
    );
  });
});

describe("services", () => {
  test("create, update, describe with the primary task set's fields, delete only when scaled to 0 or forced", async () => {
    const created = await h.ecs.send(
      new CreateServiceCommand({
        cluster: "web",
        serviceName: "api",
        desiredCount: 2,
        deploymentController: { type: "EXTERNAL" },
        tags: [{ key: "app", value: "api" }],
      }),
    );
    expect(created.service?.serviceArn).toBe("arn:aws:ecs:us-east-1:123456789012:service/web/api");
    expect(created.service?.deploymentController?.type).toBe("EXTERNAL");
    await expectAwsError(
      h.ecs.send(new CreateServiceCommand({ cluster: "web", serviceName: "api", desiredCount: 3 })),
      "InvalidParameterException",
    );

    const updated = await h.ecs.send(
      new UpdateServiceCommand({ cluster: "web", service: "api", desiredCount: 6 }),
    );
    expect(updated.service?.desiredCount).toBe(6);

    const web = await describeService();
    expect(web.taskDefinition).toBe(app.taskDefinitionArn);
    expect(web.launchType).toBe("FARGATE");
    expect(web.runningCount).toBe(4);
    expect(web.taskSets?.map((t) => t.status)).toEqual(["PRIMARY"]);
    expect(web.tags).toEqual([{ key: "kanaria:sandbox", value: "seed" }]);

    const refused = await expectAwsError(
      h.ecs.send(new DeleteServiceCommand({ cluster: "web", service: "api" })),
      "InvalidParameterException",
    );
    expect(refused.message).toBe("The service cannot be stopped while it is scaled above 0.");
    const deleted = await h.ecs.send(
      new DeleteServiceCommand({ cluster: "web", service: "api", force: true }),
    );
    expect(["DRAINING", "INACTIVE"]).toContain(deleted.service?.status);
    const after = await h.ecs.send(
      new DescribeServicesCommand({ cluster: "web", services: ["api", "ghost"] }),
    );
    expect(after.services?.[0]?.status).toBe("INACTIVE");
    expect(after.failures?.[0]?.reason).toBe("MISSING");
    await expectAwsError(
      h.ecs.send(new UpdateServiceCommand({ cluster: "web", service: "api", desiredCount: 1 })),
      "ServiceNotActiveException",
    );
  });

  test("an EXTERNAL service cannot change its task definition through UpdateService", async () => {
    const v2 = await registerVersion(h.ecs, "v2");
    await expectAwsError(
      h.ecs.send(new UpdateServiceCommand({ cluster: "web", service: "web", taskDefinition: v2 })),
      "InvalidParameterException",
    );
  });
});

describe("tasks and tags", () => {
  test("ListTasks by task set (startedBy) and DescribeTasks show each task's state and IP", async () => {
    const td = await registerVersion(h.ecs, "v2");
    const canary = (await h.ecs.send(new CreateTaskSetCommand(canaryInput(app, td)))).taskSet;
    const all = await h.ecs.send(new ListTasksCommand({ cluster: "web", serviceName: "web" }));
    expect(all.taskArns).toHaveLength(5);
    const mine = await h.ecs.send(new ListTasksCommand({ cluster: "web", startedBy: canary?.id ?? "" }));
    expect(mine.taskArns).toHaveLength(1);

    const described = await h.ecs.send(
      new DescribeTasksCommand({ cluster: "web", tasks: mine.taskArns ?? [] }),
    );
    const task = described.tasks?.[0];
    expect(task).toMatchObject({
      lastStatus: "PROVISIONING",
      desiredStatus: "RUNNING",
      startedBy: canary?.id,
      group: "service:web",
      taskDefinitionArn: td,
    });
    expect(task?.attachments?.[0]?.details?.[0]).toMatchObject({ name: "privateIPv4Address" });
    expect(task?.taskArn).toMatch(/^arn:aws:ecs:us-east-1:123456789012:task\/web\/[0-9a-f]{32}$/);
  });

  test("TagResource, ListTagsForResource and UntagResource on a task set; unknown ARNs are not found", async () => {
    const td = await registerVersion(h.ecs, "v2");
    const arn = (await h.ecs.send(new CreateTaskSetCommand(canaryInput(app, td)))).taskSet?.taskSetArn ?? "";
    await h.ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: "role", value: "canary" }] }));
    let tags = await h.ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    expect(tags.tags).toEqual([
      { key: "kanaria:deployment", value: "dep-1" },
      { key: "role", value: "canary" },
    ]);
    await h.ecs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ["kanaria:deployment"] }));
    tags = await h.ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    expect(tags.tags).toEqual([{ key: "role", value: "canary" }]);
    await expectAwsError(
      h.ecs.send(new ListTagsForResourceCommand({ resourceArn: `${arn}0` })),
      "ResourceNotFoundException",
    );
  });
});
