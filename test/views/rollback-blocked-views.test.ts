/**
 * How a blocked rollback shows in Slack: the root says what blocks it and offers Retry now and Fixed by
 * hand (with a confirm); the replies say it was blocked, name the people it needs, and that it goes again.
 */
import { describe, expect, it } from "vitest";
import type { Stage } from "../../src/domain/deployment.js";
import type { RollbackBlock } from "../../src/domain/rollback-block.js";
import { ACTION_IDS, decodeActionValue } from "../../src/views/action-ids.js";
import { rootMessage } from "../../src/views/root-message.js";
import { stageReply } from "../../src/views/stage-reply.js";
import { allText, blockKitViolations, buttons } from "./block-limit-checker.js";
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

const NOW = T0 + 40 * MIN;
const ROLLBACK_INDEX = 7;

function rollingBack(block: RollbackBlock | undefined) {
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
  const rollback = stages[ROLLBACK_INDEX] as Stage;
  rollback.startedAt = T0 + 30 * MIN;
  if (block) rollback.state = { rollbackBlock: block };
  return snapshotFixture({
    deployment: deploymentFixture({
      status: "ROLLING_BACK",
      rollbackCause: "STAGE_FAILURE",
      access: { approvers: [APPROVER], fourEyes: true },
    }),
    stages,
  });
}

const BLOCK = {
  since: T0 + 30 * MIN,
  attempts: 42,
  error: "ModifyListener failed: ServiceUnavailable: try later",
  transient: true,
  retryAt: NOW + 15_000,
  escalatedAt: T0 + 35 * MIN,
};

describe("a blocked rollback in Slack", () => {
  it("the root shows what blocks it, with Retry now and a confirmed Fixed by hand", () => {
    const payload = rootMessage(rollingBack(BLOCK), NOW);
    expect(blockKitViolations(payload, "message")).toEqual([]);
    expect(allText(payload)).toContain(
      "🚧 *Rollback blocked* for 10m (42 failed attempts, next in 15s): ModifyListener failed: ServiceUnavailable: try later",
    );
    const [retry, fixed] = buttons(payload);
    expect(buttons(payload).map((b) => b.action_id)).toEqual([
      ACTION_IDS.retryRollback,
      ACTION_IDS.markFixed,
    ]);
    expect(decodeActionValue(retry?.value)).toEqual({
      deploymentId: "web-0a1b2c3d",
      stageIndex: ROLLBACK_INDEX,
    });
    expect(fixed?.confirm).toBeDefined();
  });

  it("a rollback that is not blocked offers no button", () => {
    const payload = rootMessage(rollingBack(undefined), NOW);
    expect(buttons(payload)).toEqual([]);
    expect(allText(payload)).not.toContain("Rollback blocked");
  });

  it("replies: blocked, the people it needs by name, going again", () => {
    const snapshot = rollingBack(BLOCK);
    const blocked = stageReply(
      snapshot,
      eventFixture("ROLLBACK_BLOCKED", {
        stageIndex: ROLLBACK_INDEX,
        message:
          "rollback blocked: ModifyListener failed: ServiceUnavailable: try later; retrying every 15s at most; traffic as last set: primary 90% / canary 10%",
      }),
    );
    expect(blocked?.text).toMatch(
      /^🚧 \*Rollback blocked\*: ModifyListener failed: ServiceUnavailable: try later; retrying every 15s at most; traffic as last set: primary 90% \/ canary 10%/,
    );
    const asked = stageReply(
      snapshot,
      eventFixture("ROLLBACK_ESCALATED", {
        stageIndex: ROLLBACK_INDEX,
        message: "rollback needs people: waiting will not fix this: AccessDenied",
      }),
    );
    expect(asked?.text).toMatch(
      new RegExp(
        `^🆘 <@${REQUESTER}> <@${APPROVER}> \\*the rollback needs you\\*: waiting will not fix this: AccessDenied`,
      ),
    );
    const again = stageReply(
      snapshot,
      eventFixture("ROLLBACK_UNBLOCKED", {
        stageIndex: ROLLBACK_INDEX,
        message: "rollback going again after 10m",
      }),
    );
    expect(again?.text).toBe("🟢 *Rollback going again*: rollback going again after 10m");
  });
});
