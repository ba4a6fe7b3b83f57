import type { Database } from "better-sqlite3";

/**
 * The serve lease (DESIGN §3): only one `kanaria serve` may drive a database, or two runners would race
 * on the same deployments. The holder renews it with a heartbeat; an expired lease, or one whose holder
 * process is known to be dead, may be taken over.
 */
export interface Lease {
  holder: string;
  pid: number;
  host: string;
  acquiredAt: number;
  heartbeatAt: number;
  expiresAt: number;
}

export interface LeaseClaim {
  holder: string;
  pid: number;
  host: string;
}

export type LeaseAcquisition = { ok: true; tookOverFrom: Lease | undefined } | { ok: false; current: Lease };

interface LeaseRow {
  holder: string;
  pid: number;
  host: string;
  acquired_at: number;
  heartbeat_at: number;
  expires_at: number;
}

export class LeaseRepository {
  constructor(private readonly db: Database) {}

  current(): Lease | undefined {
    const row = this.db.prepare("SELECT * FROM lease WHERE id = 1").get() as LeaseRow | undefined;
    return row && fromRow(row);
  }

  /**
   * `isDead` tells whether the current holder is certainly gone (same host, process not running), so a
   * restart right after a crash does not have to wait for the lease to expire.
   */
  acquire(
    claim: LeaseClaim,
    now: number,
    ttlMs: number,
    isDead: (lease: Lease) => boolean,
  ): LeaseAcquisition {
    return this.db
      .transaction((): LeaseAcquisition => {
        const current = this.current();
        const free =
          current === undefined ||
          current.holder === claim.holder ||
          current.expiresAt <= now ||
          isDead(current);
        if (!free) return { ok: false, current };
        this.db
          .prepare(
            `INSERT INTO lease (id, holder, pid, host, acquired_at, heartbeat_at, expires_at)
             VALUES (1, @holder, @pid, @host, @now, @now, @expires)
             ON CONFLICT (id) DO UPDATE SET holder = @holder, pid = @pid, host = @host, acquired_at = @now,
               heartbeat_at = @now, expires_at = @expires`,
          )
          .run({ ...claim, now, expires: now + ttlMs });
        const tookOverFrom = current && current.holder !== claim.holder ? current : undefined;
        return { ok: true, tookOverFrom };
      })
      .immediate();
  }

  /** Extends the lease; false when another process has taken it (the caller must stop driving). */
  heartbeat(holder: string, now: number, ttlMs: number): boolean {
    const result = this.db
      .prepare("UPDATE lease SET heartbeat_at = ?, expires_at = ? WHERE id = 1 AND holder = ?")
      .run(now, now + ttlMs, holder);
    return result.changes === 1;
  }

  release(holder: string): void {
    this.db.prepare("DELETE FROM lease WHERE id = 1 AND holder = ?").run(holder);
  }
}

function fromRow(r: LeaseRow): Lease {
  return {
    holder: r.holder,
    pid: r.pid,
    host: r.host,
    acquiredAt: r.acquired_at,
    heartbeatAt: r.heartbeat_at,
    expiresAt: r.expires_at,
  };
}
