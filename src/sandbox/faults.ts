/**
 * Fault injection, settable while the sandbox runs, per service (`ecs` / `elbv2`) and optionally per
 * operation (`"CreateTaskSet"`, `"ModifyListener"`; omitted = every operation):
 *
 * - `throttle`: HTTP 400 with ECS `ThrottlingException` / ELBv2 `Throttling` ("Rate exceeded"), both of
 *   which the SDK classifies as throttling and retries.
 * - `serverError`: HTTP 500 (ECS `ServerException`, ELBv2 `InternalFailure`) or 503 (ECS
 *   `ServiceUnavailableException`, ELBv2 `ServiceUnavailable`); the SDK retries both status codes.
 * - `latency`: extra delay before the call is answered.
 * - `hideAfterCreate`: eventual consistency; Describe* calls omit (or, when asked by ARN, report as not
 *   found) resources of a kind created less than `ms` ago, measured on the world's clock.
 * - `setApiLatency`: uniform [min, max] ms added to every call (the rollback benchmark's realism).
 *
 * Count-limited faults (`times`) apply to the next `times` matching calls, then expire. Latencies are
 * real time even under a virtual clock: they model the network, not the world. Random draws use their
 * own seeded stream.
 */
import type { SeededRandom } from "./seeded-random.js";

export type SandboxService = "ecs" | "elbv2";

/** Resources that eventual consistency can hide. */
export type HideableKind =
  | "ecs:service"
  | "ecs:taskSet"
  | "elbv2:listener"
  | "elbv2:rule"
  | "elbv2:targetGroup";

export interface FaultOptions {
  /** Only this operation (default: all of the service's operations). */
  operation?: string;
  /** Apply to the next `times` matching calls only (default: until cleared). */
  times?: number;
  /** Apply to each matching call with this probability (default 1). */
  probability?: number;
}

export type InjectedError = { kind: "throttle" } | { kind: "server-error"; status: 500 | 503 };

/** What to do to one call: wait `delayMs`, then fail with `error` or run normally. */
export interface FaultPlan {
  delayMs: number;
  error: InjectedError | undefined;
}

interface Rule {
  service: SandboxService;
  operation: string | undefined;
  remaining: number | undefined;
  probability: number;
  effect: InjectedError | { kind: "latency"; ms: number };
}

export class Faults {
  private rules: Rule[] = [];
  private readonly hidden = new Map<HideableKind, number>();
  private apiLatency = { min: 0, max: 0 };

  constructor(private readonly random: SeededRandom) {}

  throttle(service: SandboxService, options: FaultOptions = {}): void {
    this.add(service, options, { kind: "throttle" });
  }

  serverError(service: SandboxService, status: 500 | 503, options: FaultOptions = {}): void {
    this.add(service, options, { kind: "server-error", status });
  }

  latency(service: SandboxService, ms: number, options: FaultOptions = {}): void {
    this.add(service, options, { kind: "latency", ms });
  }

  /** Describe* hides `kind` resources younger than `ms` (0 turns it off). */
  hideAfterCreate(kind: HideableKind, ms: number): void {
    if (ms > 0) this.hidden.set(kind, ms);
    else this.hidden.delete(kind);
  }

  setApiLatency(range: { min: number; max: number }): void {
    this.apiLatency = { min: Math.max(0, range.min), max: Math.max(range.min, range.max) };
  }

  /** Removes every fault and the eventual-consistency windows; keeps the global API latency. */
  clear(): void {
    this.rules = [];
    this.hidden.clear();
  }

  /** How long `kind` resources stay hidden after creation (0 = not hidden). */
  hiddenFor(kind: HideableKind): number {
    return this.hidden.get(kind) ?? 0;
  }

  /** Decides the fate of one call; count-limited rules are consumed here. */
  plan(service: SandboxService, operation: string): FaultPlan {
    const { min, max } = this.apiLatency;
    let delayMs = max > min ? min + this.random.next() * (max - min) : min;
    let error: InjectedError | undefined;
    for (const rule of this.rules) {
      if (rule.service !== service || (rule.operation !== undefined && rule.operation !== operation))
        continue;
      if (rule.remaining !== undefined && rule.remaining <= 0) continue;
      if (rule.effect.kind !== "latency" && error) continue;
      if (rule.probability < 1 && this.random.next() >= rule.probability) continue;
      if (rule.remaining !== undefined) rule.remaining--;
      if (rule.effect.kind === "latency") delayMs += rule.effect.ms;
      else error = rule.effect;
    }
    this.rules = this.rules.filter((r) => r.remaining === undefined || r.remaining > 0);
    return { delayMs, error };
  }

  private add(service: SandboxService, options: FaultOptions, effect: Rule["effect"]): void {
    this.rules.push({
      service,
      operation: options.operation,
      remaining: options.times,
      probability: options.probability ?? 1,
      effect,
    });
  }
}
