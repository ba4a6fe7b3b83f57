/**
 * The ANALYSIS stage's control variant: CANARY_BASELINE and SEQUENTIAL with `control: BASELINE` must
 * compare the canary with the baseline's queries, never the primary's. Each script makes the primary
 * look like the canary, so a stage that asked the primary instead would pass the bad canary.
 */
import { describe, expect, it } from "vitest";
import type { MetricQuery } from "../../src/ports.js";
import { perMinute, ScriptedMetrics } from "../fakes/scripted-metrics.js";
import { analysisStage, comparison, deployV2, MINUTE, sequential, withV1 } from "./analysis-fixtures.js";

const variantOf = (q: MetricQuery): string => /variant:(\w+)/.exec(q.query)?.[1] ?? "none";

describe("ANALYSIS stage: the control variant", () => {
  it("CANARY_BASELINE compares the canary's points with the baseline's and rolls back a slower canary", async () => {
    // Canary and primary at ~300 ms, the baseline at ~100 ms: slower than the baseline, not the primary.
    const fake = new ScriptedMetrics((q) =>
      perMinute(q, (at) => (variantOf(q) === "baseline" ? 100 : 300) + ((at / MINUTE) % 5)),
    );
    const h = await withV1([comparison("CANARY_BASELINE", { intervalMs: 5 * MINUTE })], fake);
    const id = await deployV2(h);
    await h.settle(id);

    expect(h.store.deployments.get(id)?.status).toBe("ROLLED_BACK");
    expect(new Set(fake.calls.map(variantOf))).toEqual(new Set(["canary", "baseline"]));
    const ticks = h.store.measurements.list(id, 2);
    expect(ticks).toHaveLength(1);
    expect(ticks[0]?.verdict).toBe("FAIL");
    expect(ticks[0]?.data).toMatchObject({ canaryMedian: 302, controlMedian: 102, method: "exact" });
    expect(analysisStage(h, id)?.statusReason).toMatch(
      /^p99: canary significantly higher than baseline: canary median 302 vs baseline 102, p = /,
    );
    expect(h.cloud.currentWeights().map((w) => w.weight)).toEqual([100, 0]);
  });

  it("CANARY_BASELINE passes a canary like the baseline, whatever the primary does", async () => {
    const fake = new ScriptedMetrics((q) =>
      perMinute(q, (at) => (variantOf(q) === "primary" ? 900 : 100) + ((at / MINUTE) % 5)),
    );
    const h = await withV1([comparison("CANARY_BASELINE", { intervalMs: 5 * MINUTE })], fake, 10 * MINUTE);
    const id = await deployV2(h);
    await h.settle(id);
    expect(h.store.deployments.get(id)?.status).toBe("SUCCESS");
    expect(h.store.measurements.list(id, 2).map((t) => t.verdict)).toEqual(["PASS", "PASS"]);
    expect(fake.calls.some((c) => variantOf(c) === "primary")).toBe(false);
  });

  it("SEQUENTIAL with control: BASELINE counts the baseline's errors and requests", async () => {
    // Canary and baseline get 10% of the traffic each, the primary 80%. The canary errs at 2%, as the
    // primary does; the baseline at 0.2%: a 10× regression against the baseline, none against the primary.
    const requests = { canary: 600, baseline: 600, primary: 4800 } as Record<string, number>;
    const errorRate = { canary: 0.02, baseline: 0.002, primary: 0.02 } as Record<string, number>;
    const fake = new ScriptedMetrics((q) => {
      const variant = variantOf(q);
      const total = requests[variant] ?? 0;
      return perMinute(q, () =>
        q.query.startsWith("sum:hits") ? total : Math.round(total * (errorRate[variant] ?? 0)),
      );
    });
    const h = await withV1([sequential({}, false, "BASELINE")], fake);
    const id = await deployV2(h);
    await h.settle(id);

    expect(h.store.deployments.get(id)?.status).toBe("ROLLED_BACK");
    expect(new Set(fake.calls.map((c) => c.query))).toEqual(
      new Set([
        "sum:errors{variant:canary}.as_count()",
        "sum:hits{variant:canary}.as_count()",
        "sum:errors{variant:baseline}.as_count()",
        "sum:hits{variant:baseline}.as_count()",
      ]),
    );
    const ticks = h.store.measurements.list(id, 2);
    expect(ticks[0]?.data).toMatchObject({
      canaryErrors: 12,
      canaryTotal: 600,
      controlErrors: 1,
      controlTotal: 600,
    });
    expect(ticks.at(-1)?.verdict).toBe("FAIL");
    expect(analysisStage(h, id)?.statusReason).toMatch(
      /^errors: error ratio above 1: canary \d+\/\d+ vs baseline \d+\/\d+/,
    );
  });
});
