/**
 * Holds the serve lease for as long as this process drives the database: acquired at start (or a clear
 * refusal naming the other process), renewed by a heartbeat, released on a clean stop. A process killed
 * with SIGKILL leaves its lease behind; the next start on the same host takes it over at once when that
 * process is gone, and any host may take it after it expires.
 */
import { hostname } from "node:os";
import { KanariaError } from "../domain/kanaria-error.js";
import type { Clock } from "../ports.js";
import type { Lease } from "../store/lease-repository.js";
import type { Store } from "../store/store.js";

export interface LeaseOptions {
  ttlMs?: number;
  heartbeatMs?: number;
  /** Called when the heartbeat finds the lease taken by someone else: stop driving at once. */
  onLost: () => void;
  /** Whether a process with this pid runs on this host (an effect, passed in for tests). */
  isProcessAlive?: (pid: number) => boolean;
  pid?: number;
  host?: string;
}

export interface HeldLease {
  readonly holder: string;
  /** The lease this one replaced after its holder died or let it expire. */
  readonly tookOverFrom: Lease | undefined;
  release(): void;
}

export function acquireServeLease(store: Store, clock: Clock, options: LeaseOptions): HeldLease {
  const ttlMs = options.ttlMs ?? 30_000;
  const heartbeatMs = options.heartbeatMs ?? 10_000;
  const pid = options.pid ?? process.pid;
  const host = options.host ?? hostname();
  const alive = options.isProcessAlive ?? processIsAlive;
  const holder = `${host}:${pid}:${clock.now().toString(36)}`;
  const result = store.lease.acquire(
    { holder, pid, host },
    clock.now(),
    ttlMs,
    (current) => current.host === host && current.pid !== pid && !alive(current.pid),
  );
  if (!result.ok) {
    const { current } = result;
    const ago = Math.round((clock.now() - current.heartbeatAt) / 1000);
    throw new KanariaError(
      "LEASE_HELD",
      `another kanaria serve (pid ${current.pid} on ${current.host}, since ${new Date(current.acquiredAt).toISOString()}, ` +
        `last heartbeat ${ago}s ago) is driving this database; only one may. Stop it first, or wait ` +
        `${Math.max(0, Math.ceil((current.expiresAt - clock.now()) / 1000))}s for its lease to expire if it is gone.`,
    );
  }
  const timer = setInterval(() => {
    if (!store.lease.heartbeat(holder, clock.now(), ttlMs)) {
      clearInterval(timer);
      options.onLost();
    }
  }, heartbeatMs);
  timer.unref();
  return {
    holder,
    tookOverFrom: result.tookOverFrom,
    release() {
      clearInterval(timer);
      store.lease.release(holder);
    },
  };
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
