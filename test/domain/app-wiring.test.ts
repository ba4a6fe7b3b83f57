/**
 * The rules `check-config --online` applies to an app's live wiring (pure): each problem one line that
 * says what to fix. The wire-level reads are tested in test/providers/aws/read-app-wiring.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { AppConfig } from "../../src/domain/app-config.js";
import { type AppWiring, type TargetGroupFacts, wiringFindings } from "../../src/domain/app-wiring.js";
import { toyAppConfig } from "../fixtures/toy-app.js";

const PRIMARY = "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web-blue/1";
const CANARY = "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web-green/2";
const LB = "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/web/3";

const app: AppConfig = toyAppConfig({
  name: "web",
  input: {
    serviceDefinitionFile: "servicedef.yaml",
    taskDefinitionFile: "taskdef.yaml",
    targetGroups: {
      primary: { targetGroupArn: PRIMARY, containerName: "web", containerPort: 80 },
      canary: { targetGroupArn: CANARY, containerName: "web", containerPort: 80 },
    },
    accessType: "ELB",
  },
  serviceDefinition: { cluster: "prod", serviceName: "web" },
  taskDefinition: { family: "web", networkMode: "awsvpc" },
});

const group = (facts: Partial<TargetGroupFacts> = {}): TargetGroupFacts => ({
  vpcId: "vpc-1",
  targetType: "ip",
  loadBalancerArns: [LB],
  ...facts,
});

function wiring(changes: Partial<AppWiring> = {}): AppWiring {
  return {
    cluster: "prod",
    service: "web",
    clusterStatus: "ACTIVE",
    serviceFacts: { status: "ACTIVE", deploymentController: "EXTERNAL" },
    targetGroups: new Map([
      [PRIMARY, group()],
      [CANARY, group()],
    ]),
    taskFamilyExists: true,
    forwardRuleCount: 1,
    ...changes,
  };
}

const messages = (w: AppWiring) => wiringFindings(app, w).map((f) => `${f.severity}: ${f.message}`);

describe("wiringFindings", () => {
  it("has nothing to say about an app Kanaria can manage", () => {
    expect(messages(wiring())).toEqual([]);
  });

  it("refuses target groups in two VPCs", () => {
    const w = wiring({
      targetGroups: new Map([
        [PRIMARY, group()],
        [CANARY, group({ vpcId: "vpc-2" })],
      ]),
    });
    expect(messages(w)).toEqual([
      "error: the target groups are in different VPCs (primary vpc-1, canary vpc-2): the canary and baseline tasks run in the service's subnets, so every target group must be in its VPC",
    ]);
  });

  it("refuses instance targets for awsvpc tasks", () => {
    const w = wiring({
      targetGroups: new Map([
        [PRIMARY, group()],
        [CANARY, group({ targetType: "instance" })],
      ]),
    });
    expect(messages(w)).toEqual([
      "error: the canary target group has target type instance; tasks with networkMode awsvpc register by IP: create it with target type ip",
    ]);
  });

  it("does not look for the forward action when a target group is missing, and says which one", () => {
    const w = wiring({
      targetGroups: new Map([
        [PRIMARY, group()],
        [CANARY, undefined],
      ]),
      forwardRuleCount: undefined,
    });
    expect(messages(w)).toEqual([
      `error: the canary target group ${CANARY} does not exist: fix targetGroups.canary in ${app.file}`,
    ]);
  });

  it("says an INACTIVE cluster is not usable and skips the service", () => {
    expect(messages(wiring({ clusterStatus: "INACTIVE", serviceFacts: undefined }))).toEqual([
      'error: ECS cluster "prod" is INACTIVE, not ACTIVE',
    ]);
  });
});
