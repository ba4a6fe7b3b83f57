/**
 * Stage executors wrapped so that a test acts at an exact point of a run — just before a stage's first
 * step, or as a step returns — instead of polling the store in real time while steps make real HTTP
 * calls, where a fast stage can start and finish between two polls.
 *
 * Drive such a run with `Harness.settle`: it fires the next virtual timer only when one is pending — with
 * one deployment at a time, when its driver sleeps between steps or a step waits on the clock — and waits
 * in real time, with the clock standing still, while only real I/O is pending. A run against a real
 * adapter (sandbox, moto) then goes the same way every time. A hook runs inside the step, so one that
 * throws is a step error (retried, then the stage fails): record what it sees and assert after the run.
 */
import type { StageContext, StageExecutor, StepResult } from "../../src/engine/stage-executor.js";
import { defaultExecutors } from "../../src/stages/default-executors.js";

export interface StepHooks {
  /**
   * Once per stage of a deployment: the runner has just marked the stage RUNNING and its executor has
   * done nothing yet. A command submitted here is applied by the runner right after this first step.
   */
  beforeFirstStep?(ctx: StageContext): void | Promise<void>;
  /**
   * After every step, with what it returned, before the runner records it (so before a wait for
   * approval turns the deployment WAITING_APPROVAL). A command submitted here is applied next turn.
   */
  afterStep?(ctx: StageContext, result: StepResult): void | Promise<void>;
}

/** `executors` (by default the shipped ones) wrapped with `hooks`, for `HarnessOptions.replaceExecutors`. */
export function hookedExecutors(
  hooks: StepHooks,
  executors: StageExecutor[] = defaultExecutors().all(),
): StageExecutor[] {
  const started = new Set<string>();
  return executors.map(
    (executor): StageExecutor => ({
      kind: executor.kind,
      async step(ctx) {
        const key = `${ctx.deployment.id}#${ctx.stage.index}`;
        if (!started.has(key)) {
          started.add(key);
          // Act as Slack or the CLI would: after the runner yields, never inside its synchronous start.
          await Promise.resolve();
          await hooks.beforeFirstStep?.(ctx);
        }
        const result = await executor.step(ctx);
        await hooks.afterStep?.(ctx, result);
        return result;
      },
    }),
  );
}
