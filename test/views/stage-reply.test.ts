import { describe, expect, it } from "vitest";
import type { Deployment, EventType, TimelineEvent } from "../../src/domain/deployment.js";
import { mentionsFor, stageReply } from "../../src/views/stage-reply.js";
import { toyAppConfig } from "../fixtures/toy-app.js";
import { allText, blockKitViolations } from "./block-limit-checker.js";
import {
  APPROVER,
  canaryStages,
  deploymentFixture,
  eventFixture,
  MIN,
  REQUESTER,
  snapshotFixture,
  T0,
} from "./snapshot-fixtures.js";

const stages = canaryStages([
  "SUCCESS",
  "SUCCESS",
  "FAILURE",
  "CANCELLED",
  "CANCELLED",
  "CANCELLED",
  "CANCELLED",
  "RUNNING",
]);

function reply(type: EventType, overrides: Partial<TimelineEvent> = {}, deployment = deploymentFixture()) {
  const snapshot = snapshotFixture({ deployment, stages, events: [eventFixture(type, overrides)] });
  return stageReply(snapshot, snapshot.events[0] as TimelineEvent);
}

describe("stageReply per event", () => {
  const cases: Array<{ type: EventType; event: Partial<TimelineEvent>; has: string[] }> = [
    {
      type: "STAGE_STARTED",
      event: { stageIndex: 1, data: { from: "NOT_STARTED" } },
      has: ["⏳", "ECS_TRAFFIC_ROUTING", "(2/7)", "primary 90% · canary 10%", "started"],
    },
    {
      type: "STAGE_SUCCEEDED",
      event: { stageIndex: 0, message: "canary task set steady" },
      has: ["✅", "ECS_CANARY_ROLLOUT", "done after 5m", "canary task set steady"],
    },
    {
      type: "STAGE_FAILED",
      event: { stageIndex: 2, message: "error ratio above 1: canary 52/10000" },
      has: ["❌", "ANALYSIS", "failed after 30m", "error ratio above 1"],
    },
    {
      type: "STAGE_SKIPPED",
      event: {
        stageIndex: 3,
        actor: APPROVER,
        message: `promoted by ${APPROVER}`,
        data: { from: "NOT_STARTED" },
      },
      has: ["⏭️", "WAIT_APPROVAL", `skipped by <@${APPROVER}>`],
    },
    {
      type: "STAGE_CANCELLED",
      event: { stageIndex: 2, message: "rollback requested", data: { from: "RUNNING" } },
      has: ["✖️", "ANALYSIS", "cancelled"],
    },
    { type: "STAGE_RESUMED", event: { stageIndex: 2 }, has: ["🔄", "resumed after a restart"] },
    {
      type: "DEPLOYMENT_WAITING_APPROVAL",
      event: { message: "Approve web v1.4.2? 0/1 approvals so far" },
      has: ["⏸️", "Approve web v1.4.2?"],
    },
    {
      type: "DEPLOYMENT_ROLLING_BACK",
      event: { message: "ANALYSIS failed: error ratio above 1" },
      has: ["Rolling back automatically", "ANALYSIS failed"],
    },
    {
      type: "DEPLOYMENT_ROLLING_BACK",
      event: { actor: APPROVER, message: `rollback requested by ${APPROVER}` },
      has: [`Rolling back* by <@${APPROVER}>`],
    },
    {
      type: "APPROVAL_RECORDED",
      event: { actor: APPROVER, stageIndex: 3, data: { approvals: 1, needed: 2 } },
      has: [`Approved* by <@${APPROVER}> (1/2)`],
    },
    {
      type: "COMMAND_REFUSED",
      event: {
        actor: REQUESTER,
        message: `APPROVE by ${REQUESTER}: four-eyes rule: the requester may not approve their own deployment`,
        data: { kind: "APPROVE" },
      },
      has: ["approve", "refused", "four-eyes rule", `<@${REQUESTER}>`],
    },
    {
      type: "COMMAND_IGNORED",
      event: {
        actor: APPROVER,
        message: `ROLLBACK by ${APPROVER}: a rollback is already running`,
        data: { kind: "ROLLBACK" },
      },
      has: ["a rollback is already running"],
    },
    {
      type: "DEPLOYMENT_RESUMED",
      event: { message: "provider recovered" },
      has: ["Resumed", "provider recovered"],
    },
    {
      type: "FREEZE_OVERRIDDEN",
      event: { actor: APPROVER, message: "year-end freeze overridden: hotfix" },
      has: [`Freeze overridden* by <@${APPROVER}>`, "hotfix"],
    },
  ];
  it.each(cases)("$type $event.message", ({ type, event, has }) => {
    const payload = reply(type, event);
    expect(payload).toBeDefined();
    const text = allText(payload as never);
    for (const part of has) expect(text).toContain(part);
    expect(blockKitViolations(payload as never, "message")).toEqual([]);
  });

  it.each<[EventType, Partial<TimelineEvent>]>([
    ["STAGE_PROGRESS", { stageIndex: 2, message: "error-rate: 3 checks" }],
    ["DEPLOYMENT_REQUESTED", {}],
    ["DEPLOYMENT_STARTED", {}],
    // Bookkeeping of a rollback: stages that never ran are cancelled, the unneeded ROLLBACK skipped.
    ["STAGE_CANCELLED", { stageIndex: 4, data: { from: "NOT_STARTED" } }],
    ["STAGE_SKIPPED", { stageIndex: 7, data: { from: "NOT_STARTED" }, message: "not needed" }],
  ])("%s %j only redraws the root", (type, event) => {
    expect(reply(type, event)).toBeUndefined();
  });
});

describe("final replies mention the requester", () => {
  it.each<[EventType, Partial<Deployment>, string]>([
    [
      "DEPLOYMENT_SUCCEEDED",
      { status: "SUCCESS", finishedAt: T0 + 40 * MIN },
      `<@${REQUESTER}> web v1.4.2 is live (v1.4.1 → v1.4.2). Took 40m.`,
    ],
    ["DEPLOYMENT_FAILED", { status: "FAILURE" }, `<@${REQUESTER}> web v1.4.2 failed`],
    [
      "DEPLOYMENT_ROLLED_BACK",
      { status: "ROLLED_BACK" },
      `<@${REQUESTER}> web v1.4.2 was rolled back automatically: ANALYSIS failed: error ratio above 1`,
    ],
    [
      "DEPLOYMENT_CANCELLED",
      { status: "CANCELLED" },
      `<@${REQUESTER}> web v1.4.2 was cancelled by <@${APPROVER}>`,
    ],
  ])("%s", (type, overrides, expected) => {
    const deployment = deploymentFixture({
      ...overrides,
      rollbackCause: type === "DEPLOYMENT_CANCELLED" ? "CANCEL" : "STAGE_FAILURE",
    });
    const events = [
      type === "DEPLOYMENT_CANCELLED"
        ? eventFixture("DEPLOYMENT_ROLLING_BACK", { actor: APPROVER, message: `cancelled by ${APPROVER}` })
        : eventFixture("DEPLOYMENT_ROLLING_BACK", { message: "ANALYSIS failed: error ratio above 1" }),
      eventFixture(type, { message: "rolled back to v1.4.1" }),
    ];
    const snapshot = snapshotFixture({ deployment, stages, events });
    const payload = stageReply(snapshot, events[1] as TimelineEvent);
    expect(allText(payload as never)).toContain(expected);
    expect(payload?.text).toContain(`<@${REQUESTER}>`);
  });
});

describe("mentions", () => {
  const mentions = [
    { event: "DEPLOYMENT_FAILED", slack: ["U0ONCALL01"] },
    { event: "DEPLOYMENT_WAIT_APPROVAL", slack: ["S0APPROVERS", "U0ONCALL01"] },
    { event: "EVENT_DEPLOYMENT_SUCCEEDED", slack: ["U0PRODUCT1"] },
    { event: "*", slack: ["U0WATCHER1"] },
  ];
  it.each<[EventType, string[]]>([
    ["DEPLOYMENT_ROLLED_BACK", ["U0ONCALL01", "U0WATCHER1"]],
    ["DEPLOYMENT_FAILED", ["U0ONCALL01", "U0WATCHER1"]],
    ["DEPLOYMENT_WAITING_APPROVAL", ["S0APPROVERS", "U0ONCALL01", "U0WATCHER1"]],
    ["DEPLOYMENT_SUCCEEDED", ["U0PRODUCT1", "U0WATCHER1"]],
    ["DEPLOYMENT_ROLLING_BACK", ["U0WATCHER1"]],
    ["STAGE_STARTED", []],
  ])("%s → %j", (type, expected) => {
    expect(mentionsFor(mentions, type)).toEqual(expected);
  });

  it("are returned and written into the reply (user groups as subteam mentions)", () => {
    const deployment = deploymentFixture({
      status: "WAITING_APPROVAL",
      appConfig: toyAppConfig({ mentions }),
    });
    const snapshot = snapshotFixture({
      deployment,
      stages,
      events: [eventFixture("DEPLOYMENT_WAITING_APPROVAL", { message: "Approve?" })],
    });
    const payload = stageReply(snapshot, snapshot.events[0] as TimelineEvent);
    expect(payload?.mentions).toEqual(["S0APPROVERS", "U0ONCALL01", "U0WATCHER1"]);
    expect(payload?.text).toContain("<!subteam^S0APPROVERS> <@U0ONCALL01> <@U0WATCHER1>");
  });
});
