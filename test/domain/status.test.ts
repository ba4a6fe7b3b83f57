import { describe, expect, it } from "vitest";
import {
  assertDeploymentTransition,
  canTransitionDeployment,
  canTransitionStage,
  DEPLOYMENT_STATUSES,
  type DeploymentStatus,
  isTerminalDeploymentStatus,
  STAGE_STATUSES,
  type StageStatus,
} from "../../src/domain/status.js";

// The expected rules, written out independently of the implementation's table: every pair is checked.
const DEPLOYMENT_ALLOWED = new Set([
  "PLANNED>RUNNING",
  "PLANNED>CANCELLED",
  "RUNNING>WAITING_APPROVAL",
  "RUNNING>ROLLING_BACK",
  "RUNNING>SUCCESS",
  "RUNNING>FAILURE",
  "RUNNING>CANCELLED",
  "WAITING_APPROVAL>RUNNING",
  "WAITING_APPROVAL>ROLLING_BACK",
  "WAITING_APPROVAL>FAILURE",
  "WAITING_APPROVAL>CANCELLED",
  "ROLLING_BACK>ROLLED_BACK",
  "ROLLING_BACK>CANCELLED",
]);

const STAGE_ALLOWED = new Set([
  "NOT_STARTED>RUNNING",
  "NOT_STARTED>SKIPPED",
  "NOT_STARTED>CANCELLED",
  "RUNNING>SUCCESS",
  "RUNNING>FAILURE",
  "RUNNING>SKIPPED",
  "RUNNING>CANCELLED",
]);

const pairs = <T extends string>(values: readonly T[]): Array<[T, T]> =>
  values.flatMap((from) => values.map((to): [T, T] => [from, to]));

describe("deployment transitions", () => {
  it.each(pairs<DeploymentStatus>(DEPLOYMENT_STATUSES))("%s → %s", (from, to) => {
    expect(canTransitionDeployment(from, to)).toBe(DEPLOYMENT_ALLOWED.has(`${from}>${to}`));
  });

  it("treats exactly the four outcomes as final", () => {
    expect(DEPLOYMENT_STATUSES.filter(isTerminalDeploymentStatus)).toEqual([
      "SUCCESS",
      "FAILURE",
      "ROLLED_BACK",
      "CANCELLED",
    ]);
  });

  it("throws a coded error on an illegal transition", () => {
    expect(() => assertDeploymentTransition("SUCCESS", "RUNNING")).toThrow(
      expect.objectContaining({
        code: "ILLEGAL_TRANSITION",
        message: "deployment cannot go from SUCCESS to RUNNING",
      }),
    );
  });
});

describe("stage transitions", () => {
  it.each(pairs<StageStatus>(STAGE_STATUSES))("%s → %s", (from, to) => {
    expect(canTransitionStage(from, to)).toBe(STAGE_ALLOWED.has(`${from}>${to}`));
  });
});
