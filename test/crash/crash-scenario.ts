import type { AppConfig } from "../../src/domain/app-config.js";

/** What one crash-test run does besides crashing; shared by the test and its child process. */
export interface CrashScenario {
  /** `approve`: someone approves v2; `timeout`: nobody does; `rollback` / `cancel`: someone asks. */
  kind: "approve" | "timeout" | "rollback" | "cancel";
  waitMs: number;
  approvalTimeoutMs: number;
  /** Each cloud call takes up to this long. */
  opDelayMs: number;
  /**
   * Leave what a crashed or hand-ended run leaves before v2 (a canary task set nobody owns, traffic at
   * 80/20), so that kills land in v2's clean start repairing it.
   */
  leftovers?: boolean;
  /** v2's rollback cannot move traffic (AWS 503) while the file `alb-outage` exists beside the database. */
  blockRollback?: boolean;
  /** Drive the real AWS adapters against these endpoints (a sandbox cloud the test owns) instead of FakeCloud. */
  aws?: { ecs: string; elbv2: string; region: string; app: AppConfig };
}
