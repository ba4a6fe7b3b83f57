/** The executors this build of Kanaria ships, registered once by the wiring in main.ts. */
import { ExecutorRegistry } from "../engine/executor-registry.js";
import { analysisExecutor } from "./analysis.js";
import { ecsBaselineRolloutExecutor } from "./ecs-baseline-rollout.js";
import { ecsCanaryRolloutExecutor } from "./ecs-canary-rollout.js";
import { ecsBaselineCleanExecutor, ecsCanaryCleanExecutor } from "./ecs-clean.js";
import { ecsPrimaryRolloutExecutor } from "./ecs-primary-rollout.js";
import { ecsSyncExecutor } from "./ecs-sync.js";
import { ecsTrafficRoutingExecutor } from "./ecs-traffic-routing.js";
import { rollbackExecutor } from "./rollback.js";
import { waitExecutor } from "./wait.js";
import { waitApprovalExecutor } from "./wait-approval.js";

export function defaultExecutors(): ExecutorRegistry {
  return new ExecutorRegistry()
    .register(waitExecutor)
    .register(waitApprovalExecutor)
    .register(ecsSyncExecutor)
    .register(ecsCanaryRolloutExecutor)
    .register(ecsBaselineRolloutExecutor)
    .register(ecsTrafficRoutingExecutor)
    .register(ecsPrimaryRolloutExecutor)
    .register(ecsCanaryCleanExecutor)
    .register(ecsBaselineCleanExecutor)
    .register(analysisExecutor())
    .register(rollbackExecutor);
}
