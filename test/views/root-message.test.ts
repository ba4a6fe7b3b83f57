import { describe, expect, it } from "vitest";
import type { DeploymentStatus } from "../../src/domain/status.js";
import { ACTION_IDS, decodeActionValue } from "../../src/views/action-ids.js";
import { progressBar, rootMessage, trafficBar } from "../../src/views/root-message.js";
import { allText, blockKitViolations, buttons } from "./block-limit-checker.js";
import {
  APPROVER,
  canaryStages,
  deploymentFixture,
  eventFixture,
  MIN,
  REQUESTER,
  sequentialTick,
  snapshotFixture,
  T0,
  waitingApproval,
} from "./snapshot-fixtures.js";

const NOW = T0 + 22 * MIN;

function actionIds(payload: { blocks: unknown[] }): string[] {
  return buttons(payload).map((b) => String(b.action_id));
}

describe("rootMessage buttons per status", () => {
  const cases: Array<{ status: DeploymentStatus; waiting: boolean; expected: string[] }> = [
    { status: "PLANNED", waiting: false, expected: [ACTION_IDS.rollback] },
    { status: "RUNNING", waiting: false, expected: [ACTION_IDS.rollback] },
    { status: "WAITING_APPROVAL", waiting: true, expected: [ACTION_IDS.approve, ACTION_IDS.rollback] },
    { status: "ROLLING_BACK", waiting: false, expected: [] },
    { status: "SUCCESS", waiting: false, expected: [] },
    { status: "FAILURE", waiting: false, expected: [] },
    { status: "ROLLED_BACK", waiting: false, expected: [] },
    { status: "CANCELLED", waiting: false, expected: [] },
    // An approval request left in a stage's state does not bring Approve back once rolling back.
    { status: "ROLLING_BACK", waiting: true, expected: [] },
  ];
  it.each(cases)("$status (approval stored: $waiting) → $expected", ({ status, waiting, expected }) => {
    const stages = canaryStages(["SUCCESS", "SUCCESS", "SUCCESS", "RUNNING"]);
    if (waiting) stages[3] = waitingApproval(stages[3] as never);
    const payload = rootMessage(snapshotFixture({ deployment: deploymentFixture({ status }), stages }), NOW);
    expect(actionIds(payload)).toEqual(expected);
    expect(blockKitViolations(payload, "message")).toEqual([]);
  });

  it("Approve on a paused analysis carries the stage index; both buttons confirm", () => {
    const stages = canaryStages(["SUCCESS", "SUCCESS", "RUNNING"]);
    stages[2] = waitingApproval(
      stages[2] as never,
      "The analysis of web v1.4.2 cannot decide: 4 provider errors in a row.",
    );
    const payload = rootMessage(
      snapshotFixture({ deployment: deploymentFixture({ status: "WAITING_APPROVAL" }), stages }),
      NOW,
    );
    const [approve, rollback] = buttons(payload);
    expect(approve?.style).toBe("primary");
    expect(rollback?.style).toBe("danger");
    expect(decodeActionValue(approve?.value)).toEqual({ deploymentId: "web-0a1b2c3d", stageIndex: 2 });
    expect(decodeActionValue(rollback?.value)).toEqual({
      deploymentId: "web-0a1b2c3d",
      stageIndex: undefined,
    });
    expect(approve?.confirm).toBeDefined();
    expect(rollback?.confirm).toBeDefined();
    expect(allText(payload)).toContain("4 provider errors in a row");
  });

  it("shows the approvals count when several people must approve", () => {
    const stages = canaryStages(["SUCCESS", "SUCCESS", "SUCCESS", "RUNNING"]);
    stages[3] = waitingApproval(stages[3] as never, "Approve?", [{ actor: APPROVER, at: T0 }], 2);
    const payload = rootMessage(
      snapshotFixture({ deployment: deploymentFixture({ status: "WAITING_APPROVAL" }), stages }),
      NOW,
    );
    expect(buttons(payload)[0]?.text).toMatchObject({ text: "Approve (1/2)" });
  });
});

describe("rootMessage decided lines", () => {
  it("after an approval: who and when, Approve gone, Roll back still there", () => {
    const at = Date.UTC(2025, 4, 1, 14, 5, 0);
    const payload = rootMessage(
      snapshotFixture({
        stages: canaryStages(["SUCCESS", "SUCCESS", "SUCCESS", "SUCCESS", "RUNNING"]),
        events: [
          eventFixture("APPROVAL_RECORDED", {
            at,
            actor: APPROVER,
            stageIndex: 3,
            data: { approvals: 1, needed: 1 },
          }),
        ],
      }),
      NOW,
    );
    expect(allText(payload)).toContain(`Approved by <@${APPROVER}> at <!date^${at / 1000}^{time}|14:05 UTC>`);
    expect(actionIds(payload)).toEqual([ACTION_IDS.rollback]);
  });

  it("after a person rolled back", () => {
    const payload = rootMessage(
      snapshotFixture({
        deployment: deploymentFixture({ status: "ROLLED_BACK", rollbackCause: "COMMAND", finishedAt: NOW }),
        events: [
          eventFixture("DEPLOYMENT_ROLLING_BACK", {
            actor: APPROVER,
            message: `rollback requested by ${APPROVER}`,
          }),
        ],
      }),
      NOW,
    );
    expect(allText(payload)).toContain(`Rolled back by <@${APPROVER}>`);
    expect(actionIds(payload)).toEqual([]);
  });

  it("after an automatic rollback: the reason", () => {
    const payload = rootMessage(
      snapshotFixture({
        deployment: deploymentFixture({ status: "ROLLING_BACK", rollbackCause: "STAGE_FAILURE" }),
        events: [
          eventFixture("DEPLOYMENT_ROLLING_BACK", { message: "ANALYSIS failed: error ratio above 1" }),
        ],
      }),
      NOW,
    );
    expect(allText(payload)).toMatch(
      /Rolled back automatically at <!date\^\d+\^\{time\}\|14:00 UTC>: ANALYSIS failed: error ratio above 1/,
    );
  });

  it("after a cancel", () => {
    const payload = rootMessage(
      snapshotFixture({
        deployment: deploymentFixture({ status: "CANCELLED", rollbackCause: "CANCEL", finishedAt: NOW }),
        events: [
          eventFixture("DEPLOYMENT_ROLLING_BACK", { actor: REQUESTER, message: `cancelled by ${REQUESTER}` }),
        ],
      }),
      NOW,
    );
    expect(allText(payload)).toContain(`Cancelled by <@${REQUESTER}>`);
  });
});

describe("rootMessage content", () => {
  it("header, requester, reason and checklist", () => {
    const payload = rootMessage(snapshotFixture(), NOW);
    const header = payload.blocks[0] as { type: string; text: { text: string } };
    expect(header.type).toBe("header");
    expect(header.text.text).toBe("🚀 web v1.4.1 → v1.4.2");
    const text = allText(payload);
    expect(text).toContain(`<@${REQUESTER}>`);
    expect(text).toContain("fix checkout timeout");
    expect(text).toMatch(/✅ \*ECS_CANARY_ROLLOUT\* · scale 10%/);
    expect(text).toMatch(/⏳ \*ANALYSIS\* · 30m, 1 metric/);
    expect(text).toMatch(/▫️ \*WAIT_APPROVAL\*/);
    // The hidden ROLLBACK stage did not run: not listed.
    expect(text).not.toContain("ROLLBACK*");
    expect(payload.text).toContain("web v1.4.1 → v1.4.2");
  });

  it("lists the hidden ROLLBACK stage once it ran, and the split is back to 100% primary", () => {
    const stages = canaryStages([
      "SUCCESS",
      "SUCCESS",
      "FAILURE",
      "CANCELLED",
      "CANCELLED",
      "CANCELLED",
      "CANCELLED",
      "SUCCESS",
    ]);
    const payload = rootMessage(
      snapshotFixture({ deployment: deploymentFixture({ status: "ROLLED_BACK", finishedAt: NOW }), stages }),
      NOW,
    );
    const text = allText(payload);
    expect(text).toMatch(/✅ \*ROLLBACK\*/);
    expect(text).toContain("primary ▇▇▇▇▇▇▇▇▇▇ 100%");
    expect(text).not.toContain("canary ▇");
  });

  it("waiting stage shows ⏸️ and the question", () => {
    const stages = canaryStages(["SUCCESS", "SUCCESS", "SUCCESS", "RUNNING"]);
    stages[3] = waitingApproval(stages[3] as never);
    const payload = rootMessage(
      snapshotFixture({ deployment: deploymentFixture({ status: "WAITING_APPROVAL" }), stages }),
      NOW,
    );
    expect(allText(payload)).toMatch(/⏸️ \*WAIT_APPROVAL\*/);
    expect(allText(payload)).toContain("Approve web v1.4.2? 0/1 approvals so far");
  });

  it("traffic bar from the latest routing stage that ran", () => {
    expect(allText(rootMessage(snapshotFixture(), NOW))).toContain("primary ▇▇▇▇▇▇▇▇▇ 90% · canary ▇ 10%");
    const before = rootMessage(snapshotFixture({ stages: canaryStages(["RUNNING"]) }), NOW);
    expect(allText(before)).not.toContain("▇");
  });

  it("analysis progress: elapsed / total with a bar and the latest figures per metric", () => {
    const payload = rootMessage(
      snapshotFixture({
        measurements: [
          sequentialTick(T0 + 11 * MIN, {
            reason: "canary 1/1000 vs primary 9/9000; ratio 1 (0.1–7), evidence 0.2/100",
          }),
        ],
      }),
      NOW,
    );
    const text = allText(payload);
    // The analysis started at T0 + 10 min; now is T0 + 22 min: 12 of 30 minutes.
    expect(text).toContain("▰▰▰▰▱▱▱▱▱▱ 40% · 12m / 30m");
    expect(text).toContain("*error-rate* ✅ 1 check — canary 1/1000 vs primary 9/9000");
  });

  it("escapes user text", () => {
    const payload = rootMessage(
      snapshotFixture({ deployment: deploymentFixture({ reason: "<!channel> fix & <http://evil|click>" }) }),
      NOW,
    );
    const text = allText(payload);
    expect(text).toContain("&lt;!channel&gt; fix &amp; &lt;http://evil|click&gt;");
    expect(text).not.toContain("<!channel>");
  });
});

describe("bars", () => {
  it.each([
    [{ primary: 90, canary: 10, baseline: 0 }, "primary ▇▇▇▇▇▇▇▇▇ 90% · canary ▇ 10%"],
    [{ primary: 80, canary: 10, baseline: 10 }, "primary ▇▇▇▇▇▇▇▇ 80% · canary ▇ 10% · baseline ▇ 10%"],
    [{ primary: 99, canary: 1, baseline: 0 }, "primary ▇▇▇▇▇▇▇▇▇▇ 99% · canary ▇ 1%"],
    [{ primary: 0, canary: 100, baseline: 0 }, "canary ▇▇▇▇▇▇▇▇▇▇ 100%"],
  ])("traffic %j", (split, expected) => {
    expect(trafficBar(split)).toBe(expected);
  });

  it.each([
    [0, "▱▱▱▱▱▱▱▱▱▱ 0%"],
    [0.5, "▰▰▰▰▰▱▱▱▱▱ 50%"],
    [1, "▰▰▰▰▰▰▰▰▰▰ 100%"],
    [7, "▰▰▰▰▰▰▰▰▰▰ 100%"],
    [Number.NaN, "▱▱▱▱▱▱▱▱▱▱ 0%"],
  ])("progress %s", (fraction, expected) => {
    expect(progressBar(fraction)).toBe(expected);
  });
});
