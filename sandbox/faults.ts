/**
 * Fault injection, settable while the sandbox runs, per service (`ecs` / `elbv2`) and optionally per
 * operation (`"CreateTaskSet"`, `"ModifyListener"`; omitted = every operation).
 *
 * Outage windows, by time on the world's clock (the virtual clock in tests and benchmarks):
 *
 *     const off = faults.window({ service: "elbv2", operation: "ModifyListener", kind: "hang",
 *                                 from: clock.now(), until: clock.now() + 120_000 });
 *     off();            // removes that window early; faults.clear() removes everything
 *
 * kinds `refuse` | `reset` | `hang` | `503` | `throttle`; what each does on the wire is in
 * fault-windows.ts. A window decides a call before any other fault (its latency and count-limited
 * faults are neither applied nor consumed). `listWindows()` shows each window with the calls it
 * decided (`hits`). A `hang` holds the call without a timer on the virtual clock, so `runUntilSettled`
 * waits for it in real time (up to its `idleRealMs`): tests give the SDK clients a short request
 * timeout, e.g. `createAwsClients(provider, { timeouts: { requestMs: 500 } })`, and the call fails
 * with a transient `AWS_TimeoutError` unless time is advanced past the window first.
 *
 * Count-limited and standing faults:
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
import { type FaultService, type FaultWindow, type FaultWindowState, FaultWindows } from "./fault-windows.js";
import type { SeededRandom } from "./seeded-random.js";

export type SandboxService = FaultService;

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

/** A fault on the connection rather than in the answer (from an outage window). */
export type ConnectionFault = { kind: "refuse" } | { kind: "reset" } | { kind: "hang"; until: number };

/**
 * What to do to one call: drop or hold its connection (`connection`), or wait `delayMs`, then fail with
 * `error` or run normally.
 */
export interface FaultPlan {
  delayMs: number;
  error: InjectedError | undefined;
  connection?: ConnectionFault;
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
  private readonly windows = new FaultWindows();

  constructor(private readonly random: SeededRandom) {}

  /** Opens an outage window (see the header and fault-windows.ts); returns a function that removes it. */
  window(window: FaultWindow): () => void {
    return this.windows.add(window);
  }

  /** The windows added and not removed (past ones included), with the calls each decided (`hits`). */
  listWindows(): FaultWindowState[] {
    return this.windows.list();
  }

  /** True when new connections to `service` are to be closed on arrival (a service-wide `refuse`). */
  refusesConnections(service: SandboxService, nowMs: number): boolean {
    return this.windows.refusesConnections(service, nowMs);
  }

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

  /** Removes every fault, outage window and eventual-consistency window; keeps the global API latency. */
  clear(): void {
    this.rules = [];
    this.hidden.clear();
    this.windows.clear();
  }

  /** How long `kind` resources stay hidden after creation (0 = not hidden). */
  hiddenFor(kind: HideableKind): number {
    return this.hidden.get(kind) ?? 0;
  }

  /**
   * Decides the fate of one call at world time `nowMs` (windows are ignored without it); count-limited
   * rules are consumed here.
   */
  plan(service: SandboxService, operation: string, nowMs?: number): FaultPlan {
    const window = nowMs === undefined ? undefined : this.windows.decide(service, operation, nowMs);
    if (window) return windowPlan(window);
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

function windowPlan(window: FaultWindow): FaultPlan {
  const none = { delayMs: 0, error: undefined };
  switch (window.kind) {
    case "refuse":
    case "reset":
      return { ...none, connection: { kind: window.kind } };
    case "hang":
      return { ...none, connection: { kind: "hang", until: window.until } };
    case "503":
      return { delayMs: 0, error: { kind: "server-error", status: 503 } };
    case "throttle":
      return { delayMs: 0, error: { kind: "throttle" } };
  }
}
