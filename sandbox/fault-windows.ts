/**
 * Outage windows: a fault that is active from one time to another on the world's clock, for a service
 * and optionally one operation — what AWS outages look like (DESIGN §10: refused, reset, hang, 503,
 * throttling; 30 s to 10 min). The sandbox servers (api-server.ts) and the test proxy in front of moto
 * (test/providers/aws/fault-proxy.ts) both ask this table what to do with a call.
 *
 * Kinds, as a client sees them:
 * - `refuse`: the connection is closed before any byte of an answer. A window without an operation
 *   closes new connections as they are accepted, before anything is read; one with an operation (known
 *   only once the request is read) closes the connection without answering. The operation never runs.
 *   Not a TCP-level ECONNREFUSED (the port stays open, so other operations and the window's end need no
 *   re-listening): the SDK sees ECONNRESET / "socket hang up", which it and Kanaria classify exactly as
 *   they classify ECONNREFUSED — transient, never applied. ECONNREFUSED itself is tested against a
 *   closed port.
 * - `reset`: the request is read, then the connection is reset (TCP RST); the operation never runs.
 * - `hang`: the request is read and never answered while the window lasts; when it ends, the held
 *   request is run and answered (a very slow answer). A client that gives up first just closes it.
 * - `503`: HTTP 503 in the protocol's shape (ECS `ServiceUnavailableException`, ELBv2
 *   `ServiceUnavailable`).
 * - `throttle`: HTTP 400 ECS `ThrottlingException` / ELBv2 `Throttling`.
 *
 * When windows overlap, the one added first wins. Times are the world's clock (epoch ms; a virtual
 * clock in tests and benchmarks), `from` inclusive, `until` exclusive.
 */

export type FaultService = "ecs" | "elbv2" | "cloudwatch";

export type FaultWindowKind = "refuse" | "reset" | "hang" | "503" | "throttle";

export const FAULT_WINDOW_KINDS: readonly FaultWindowKind[] = ["refuse", "reset", "hang", "503", "throttle"];

export interface FaultWindow {
  service: FaultService;
  /** Only this operation (e.g. "ModifyListener"); every operation of the service when absent. */
  operation?: string | undefined;
  kind: FaultWindowKind;
  /** World time the window opens (inclusive). */
  from: number;
  /** World time it closes (exclusive); `Infinity` = until removed. */
  until: number;
}

/** A window as listed: with how many calls it decided so far. */
export interface FaultWindowState extends FaultWindow {
  hits: number;
}

export class FaultWindows {
  private windows: FaultWindowState[] = [];

  /** Adds a window; returns a function that removes it. */
  add(window: FaultWindow): () => void {
    if (!(window.until > window.from)) {
      throw new Error(`a fault window must end after it starts (from ${window.from}, until ${window.until})`);
    }
    const added = { ...window, hits: 0 };
    this.windows.push(added);
    return () => {
      this.windows = this.windows.filter((w) => w !== added);
    };
  }

  /** The window that decides a call to `operation` at `now`, if any (counted as one of its hits). */
  decide(service: FaultService, operation: string, now: number): FaultWindow | undefined {
    const found = this.windows.find(
      (w) =>
        w.service === service &&
        (w.operation === undefined || w.operation === operation) &&
        w.from <= now &&
        now < w.until,
    );
    if (found) found.hits++;
    return found;
  }

  /** True when a service-wide `refuse` window is open: new connections are closed on arrival. */
  refusesConnections(service: FaultService, now: number): boolean {
    return this.windows.some(
      (w) =>
        w.service === service &&
        w.operation === undefined &&
        w.kind === "refuse" &&
        w.from <= now &&
        now < w.until,
    );
  }

  list(): FaultWindowState[] {
    return this.windows.map((w) => ({ ...w }));
  }

  clear(): void {
    this.windows = [];
  }
}
