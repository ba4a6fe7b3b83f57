import { describe, expect, it } from "vitest";
import { acquireServeLease } from "../../src/engine/serve-lease.js";
import { openStore } from "../../src/store/store.js";
import { FakeClock } from "../fakes/fake-clock.js";

const noop = (): void => undefined;

describe("serve lease", () => {
  it("refuses a second server while the first is alive, naming it", () => {
    const { store } = openStore(":memory:");
    const clock = new FakeClock();
    acquireServeLease(store, clock, { onLost: noop, pid: 100, host: "box", isProcessAlive: () => true });
    expect(() =>
      acquireServeLease(store, clock, { onLost: noop, pid: 200, host: "box", isProcessAlive: () => true }),
    ).toThrow(
      expect.objectContaining({
        code: "LEASE_HELD",
        message: expect.stringMatching(
          /another kanaria serve \(pid 100 on box, since .*\) is driving this database/,
        ),
      }),
    );
  });

  it("takes over at once from a dead process on the same host", () => {
    const { store } = openStore(":memory:");
    const clock = new FakeClock();
    acquireServeLease(store, clock, { onLost: noop, pid: 100, host: "box" });
    const second = acquireServeLease(store, clock, {
      onLost: noop,
      pid: 200,
      host: "box",
      isProcessAlive: () => false,
    });
    expect(second.tookOverFrom?.pid).toBe(100);
    expect(store.lease.current()?.pid).toBe(200);
  });

  it("never judges a process on another host dead, but takes an expired lease", async () => {
    const { store } = openStore(":memory:");
    const clock = new FakeClock();
    acquireServeLease(store, clock, { onLost: noop, pid: 100, host: "a", ttlMs: 30_000 });
    const other = { onLost: noop, pid: 200, host: "b", isProcessAlive: () => false };
    expect(() => acquireServeLease(store, clock, other)).toThrow(/driving this database/);
    // The heartbeat timer of the first holder is not running in virtual time: its lease just expires.
    await clock.advance(31_000);
    expect(acquireServeLease(store, clock, other).tookOverFrom?.host).toBe("a");
  });

  it("tells the holder when its lease was taken, and frees it on release", async () => {
    const { store } = openStore(":memory:");
    const clock = new FakeClock();
    let lost = false;
    const held = acquireServeLease(store, clock, {
      onLost: () => {
        lost = true;
      },
      pid: 100,
      host: "box",
      heartbeatMs: 5,
    });
    store.lease.release(held.holder);
    acquireServeLease(store, clock, { onLost: noop, pid: 200, host: "box", isProcessAlive: () => true });
    for (let i = 0; i < 100 && !lost; i++) await new Promise((r) => setTimeout(r, 5));
    expect(lost).toBe(true);
  });
});
