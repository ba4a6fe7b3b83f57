/** What one crash-test run does besides crashing; shared by the test and its child process. */
export interface CrashScenario {
  /** `approve`: someone approves v2; `timeout`: nobody does; `rollback` / `cancel`: someone asks. */
  kind: "approve" | "timeout" | "rollback" | "cancel";
  waitMs: number;
  approvalTimeoutMs: number;
  /** Each cloud call takes up to this long. */
  opDelayMs: number;
}
