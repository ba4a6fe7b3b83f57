/** One executor per stage kind. Registering a kind twice is a wiring bug, so it throws. */
import { KanariaError } from "../domain/kanaria-error.js";
import type { StageKind } from "../domain/stage-kind.js";
import type { StageExecutor } from "./stage-executor.js";

export class ExecutorRegistry {
  private readonly executors = new Map<StageKind, StageExecutor>();

  register<K extends StageKind>(executor: StageExecutor<K>): this {
    if (this.executors.has(executor.kind)) {
      throw new KanariaError("DUPLICATE_EXECUTOR", `an executor for ${executor.kind} is already registered`);
    }
    this.executors.set(executor.kind, executor as unknown as StageExecutor);
    return this;
  }

  get(kind: StageKind): StageExecutor | undefined {
    return this.executors.get(kind);
  }

  /** Every registered executor, in registration order (for wiring variations in tests and benches). */
  all(): StageExecutor[] {
    return [...this.executors.values()];
  }

  /** Kinds among `kinds` that nothing can execute. */
  missing(kinds: readonly StageKind[]): StageKind[] {
    return [...new Set(kinds)].filter((k) => !this.executors.has(k));
  }
}
