/**
 * A bounded graceful stop: runs the stop steps in order, and gives up when they have not all finished
 * within the budget, saying which step was still running. The timer is passed in, so the deadline's
 * logic is tested without waiting (test/cli/serve-stop-within.test.ts); `serve` passes real timers.
 */

export interface StopTimers {
  setTimeout(fire: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface StopStep {
  /** Named in the message when the deadline passes during it ("the engine's steps in flight"). */
  name: string;
  run(): Promise<void>;
}

export type StopOutcome = { ok: true } | { ok: false; pending: string };

export const realTimers: StopTimers = {
  setTimeout: (fire, ms) => setTimeout(fire, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** `onError`: a step that threw (it still counts as finished: the next ones must run). */
export function stopWithin(
  steps: readonly StopStep[],
  budgetMs: number,
  timers: StopTimers,
  onError: (step: string, error: unknown) => void = () => {},
): Promise<StopOutcome> {
  let current = "starting to stop";
  let settled = false;
  return new Promise<StopOutcome>((resolve) => {
    const handle = timers.setTimeout(() => {
      if (settled) return;
      settled = true;
      resolve({ ok: false, pending: current });
    }, budgetMs);
    const finish = (outcome: StopOutcome) => {
      if (settled) return;
      settled = true;
      timers.clearTimeout(handle);
      resolve(outcome);
    };
    void (async () => {
      for (const step of steps) {
        current = step.name;
        try {
          await step.run();
        } catch (error) {
          // The next steps (the lease, the database) must run all the same.
          onError(step.name, error);
        }
        if (settled) return;
      }
      finish({ ok: true });
    })();
  });
}
