import { describe, expect, it } from "vitest";
import type { FieldPath } from "../../src/config/field-path.js";
import { canonicalKey, normaliseDefinition } from "../../src/config/normalise-ecs-definition.js";

function run(raw: unknown, kind: "task" | "service") {
  const reports: Array<{ severity: string; path: FieldPath; message: string }> = [];
  const result = normaliseDefinition(raw, kind, {
    warning: (path, message) => reports.push({ severity: "warning", path, message }),
    error: (path, message) => reports.push({ severity: "error", path, message }),
  });
  return { result, reports };
}

describe("canonicalKey", () => {
  it.each([
    ["ContainerDefinitions", "containerDefinitions"],
    ["containerDefinitions", "containerDefinitions"],
    ["CPU", "cpu"],
    ["EnableEcsManagedTags", "enableECSManagedTags"],
    ["AssignPublicIP", "assignPublicIp"],
    ["PortMappings", "portMappings"],
  ])("%s → %s", (key, canonical) => {
    expect(canonicalKey(key)).toBe(canonical);
  });
});

describe("normaliseDefinition", () => {
  it("normalises a PascalCase task definition without touching user-data map keys", () => {
    const { result, reports } = run(
      {
        Family: "web",
        Cpu: 256,
        Memory: 512,
        PidMode: "",
        ContainerDefinitions: [
          {
            Name: "web",
            Image: "web:1",
            Command: null,
            Memory: "128",
            PortMappings: [{ ContainerPort: "8080" }],
            DockerLabels: { "com.example.Team": "sre", Empty: "" },
            LogConfiguration: { LogDriver: "awslogs", Options: { "awslogs-group": "/ecs/web" } },
            Environment: [{ Name: "MODE", Value: "Production" }],
          },
        ],
        Volumes: [
          { Name: "v", DockerVolumeConfiguration: { Labels: { Owner: "me" }, DriverOpts: { Type: "nfs" } } },
        ],
      },
      "task",
    );
    expect(reports).toEqual([]);
    expect(result?.value).toEqual({
      family: "web",
      cpu: "256",
      memory: "512",
      containerDefinitions: [
        {
          name: "web",
          image: "web:1",
          memory: 128,
          portMappings: [{ containerPort: 8080 }],
          dockerLabels: { "com.example.Team": "sre", Empty: "" },
          logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/ecs/web" } },
          environment: [{ name: "MODE", value: "Production" }],
        },
      ],
      volumes: [
        { name: "v", dockerVolumeConfiguration: { labels: { Owner: "me" }, driverOpts: { Type: "nfs" } } },
      ],
    });
  });

  it("drops read-only describe-task-definition fields with one warning naming them", () => {
    const { result, reports } = run(
      {
        family: "web",
        revision: 7,
        status: "ACTIVE",
        compatibilities: ["FARGATE"],
        containerDefinitions: [],
      },
      "task",
    );
    expect(result?.value).toEqual({ family: "web", containerDefinitions: [] });
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ severity: "warning", path: ["revision"] });
    expect(reports[0]?.message).toContain("dropped read-only fields revision, status, compatibilities");
  });

  it("unwraps describe-task-definition output and maps positions through the wrapper", () => {
    const { result, reports } = run(
      { taskDefinition: { family: "web", containerDefinitions: [{ name: "a" }] } },
      "task",
    );
    expect(result?.value).toEqual({ family: "web", containerDefinitions: [{ name: "a" }] });
    expect(reports[0]?.message).toContain("`aws ecs describe-task-definition` output");
    expect(result?.sourcePath(["containerDefinitions", 0, "image"])).toEqual([
      "taskDefinition",
      "containerDefinitions",
      0,
      "image",
    ]);
  });

  it("maps normalised paths back to the keys as written", () => {
    const { result } = run(
      { ContainerDefinitions: [{ Name: "web", PortMappings: [{ ContainerPort: 80 }] }] },
      "task",
    );
    expect(result?.sourcePath(["containerDefinitions", 0, "portMappings", 0, "containerPort"])).toEqual([
      "ContainerDefinitions",
      0,
      "PortMappings",
      0,
      "ContainerPort",
    ]);
  });

  it("accepts clusterArn and roleArn as aliases of cluster and role in a service definition", () => {
    const { result, reports } = run(
      { clusterArn: "arn:aws:ecs:x:1:cluster/c", roleArn: "arn:aws:iam::1:role/r", serviceName: "web" },
      "service",
    );
    expect(reports).toEqual([]);
    expect(result?.value).toEqual({
      cluster: "arn:aws:ecs:x:1:cluster/c",
      role: "arn:aws:iam::1:role/r",
      serviceName: "web",
    });
  });

  it.each([
    [
      "service",
      { cluster: "a", ClusterArn: "b" },
      "ClusterArn",
      '"ClusterArn" and "cluster" both set cluster',
    ],
    ["task", { containerDefinitions: [{ name: "a", Name: "b" }] }, "Name", '"Name" and "name" both set name'],
  ] as const)("refuses two spellings of one field in a %s definition: %j", (kind, raw, key, words) => {
    const { reports } = run(raw, kind);
    expect(reports).toHaveLength(1);
    expect(reports[0]?.severity).toBe("error");
    expect(reports[0]?.path.at(-1)).toBe(key);
    expect(reports[0]?.message).toContain(words);
  });

  it("drops service fields Kanaria supplies itself, with a warning", () => {
    const { result, reports } = run(
      { serviceName: "web", taskDefinition: "web:3", loadBalancers: [{}] },
      "service",
    );
    expect(result?.value).toEqual({ serviceName: "web" });
    expect(reports.map((r) => r.message)).toEqual([
      "ignored: Kanaria registers the task definition from input.taskDefinitionFile",
      "ignored: Kanaria attaches target groups to task sets from input.targetGroups",
    ]);
  });

  it("refuses a definition that is not a map", () => {
    const { result, reports } = run(["not", "a", "map"], "service");
    expect(result).toBeUndefined();
    expect(reports[0]?.message).toContain("must be a map of CreateService fields");
  });
});
