import { describe, expect, it } from "vitest";
import { DELIVERY_MEMORY_MS, DeliveryLog } from "../../src/slack/delivery-log.js";
import { openStore } from "../../src/store/store.js";

describe("DeliveryLog", () => {
  it("takes a delivery once for as long as a replay of it could pass the signature check", () => {
    const { store } = openStore(":memory:");
    let now = 1_000_000;
    const log = new DeliveryLog(store.slackDeliveries, () => now);
    expect(DELIVERY_MEMORY_MS).toBe(10 * 60_000);
    expect(log.first("command:t1")).toBe(true);
    expect(log.first("action:t2:1.2")).toBe(true);
    now += DELIVERY_MEMORY_MS;
    expect(log.first("command:t1")).toBe(false);
    expect(log.first("action:t2:1.2")).toBe(false);
    // Past the memory no signed copy can pass any more, so the key is forgotten.
    now += 1;
    expect(log.first("event:Ev3")).toBe(true);
    expect(store.slackDeliveries.count()).toBe(1);
    expect(log.first("command:t1")).toBe(true);
    store.close();
  });
});
