import { describe, expect, it } from "vitest";
import { planStages } from "../../src/domain/planner.js";
import { toyAppConfig } from "../fixtures/toy-app.js";

const kinds = (stages: ReturnType<typeof planStages>) =>
  stages.map((s) => `${s.kind}${s.visible ? "" : " (hidden)"}`);

describe("planner", () => {
  it("quick-syncs an app without a pipeline, with a hidden rollback", () => {
    const plan = planStages({
      app: toyAppConfig({ pipeline: undefined }),
      lastSuccessful: { version: "v1" },
    });
    expect(kinds(plan)).toEqual(["ECS_SYNC", "ROLLBACK (hidden)"]);
    expect(plan[0]?.description).toMatch(/^Quick sync/);
  });

  it("quick-syncs the first deployment of an app that has a pipeline, and says why", () => {
    const plan = planStages({ app: toyAppConfig(), lastSuccessful: undefined });
    expect(kinds(plan)).toEqual(["ECS_SYNC", "ROLLBACK (hidden)"]);
    expect(plan[0]?.description).toMatch(/^First deployment/);
  });

  it("plans the configured stages in order once there is a primary, plus a hidden rollback", () => {
    const plan = planStages({ app: toyAppConfig(), lastSuccessful: { version: "v1" } });
    expect(kinds(plan)).toEqual([
      "ECS_CANARY_ROLLOUT",
      "ECS_TRAFFIC_ROUTING",
      "WAIT",
      "WAIT_APPROVAL",
      "ECS_PRIMARY_ROLLOUT",
      "ECS_TRAFFIC_ROUTING",
      "ECS_CANARY_CLEAN",
      "ROLLBACK (hidden)",
    ]);
    expect(plan[1]).toMatchObject({ stageId: "stage-1", options: { primary: 80, canary: 20, baseline: 0 } });
  });

  it("adds no rollback when auto-rollback is off", () => {
    const plan = planStages({
      app: toyAppConfig({ autoRollback: false }),
      lastSuccessful: { version: "v1" },
    });
    expect(plan.some((s) => s.kind === "ROLLBACK")).toBe(false);
    const first = planStages({ app: toyAppConfig({ autoRollback: false }), lastSuccessful: undefined });
    expect(kinds(first)).toEqual(["ECS_SYNC"]);
  });

  it("treats an empty pipeline like no pipeline", () => {
    const plan = planStages({ app: toyAppConfig({ pipeline: [] }), lastSuccessful: { version: "v1" } });
    expect(kinds(plan)).toEqual(["ECS_SYNC", "ROLLBACK (hidden)"]);
  });
});
