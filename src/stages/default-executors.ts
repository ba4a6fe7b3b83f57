/** The executors this build of Kanaria ships, registered once by the wiring in main.ts. */
import { ExecutorRegistry } from "../engine/executor-registry.js";
import { waitExecutor } from "./wait.js";
import { waitApprovalExecutor } from "./wait-approval.js";

export function defaultExecutors(): ExecutorRegistry {
  return new ExecutorRegistry().register(waitExecutor).register(waitApprovalExecutor);
}
