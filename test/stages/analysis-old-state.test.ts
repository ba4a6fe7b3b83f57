/**
 * An analysis stored by the previous release resumes as it would have there. That release kept the tick
 * whose rate limit it had waited out under `retry:<metric>`; this one reads it as `rateLimitedTicks`, so
 * a resumed analysis does not wait out the same tick's rate limit a second time.
 */
import { describe, expect, it } from "vitest";
import { ScriptedMetrics } from "../fakes/scripted-metrics.js";
import {
  ANALYSIS,
  analysisStage,
  deployV2,
  MINUTE,
  sequential,
  traffic,
  withV1,
} from "./analysis-fixtures.js";

describe("ANALYSIS stage: a state written by the previous release", () => {
  it("honours a retry:<metric> key: the same tick's second rate limit counts as an error", async () => {
    let limited = 1;
    const healthy = traffic(500, 0.002);
    const fake = new ScriptedMetrics((q) => {
      if (limited > 0) {
        limited--;
        return { kind: "error", reason: "HTTP 429", retryAfterMs: 7_000 };
      }
      return healthy(q);
    });
    let h = await withV1([sequential()], fake, 5 * MINUTE);
    const id = await deployV2(h);
    for (let i = 0; i < 200 && analysisStage(h, id)?.state.rateLimitedTicks === undefined; i++)
      await h.clock.advance(1_000);
    const waited = analysisStage(h, id)?.state.rateLimitedTicks?.errors;
    expect(waited).toBeTypeOf("number");

    // Stopped while waiting out the rate limit; the row as the previous release wrote it.
    await h.engine.stop();
    const { rateLimitedTicks: _new, ...rest } = analysisStage(h, id)?.state ?? {};
    h.store.db
      .prepare("UPDATE stages SET state = ? WHERE deployment_id = ? AND idx = ?")
      .run(JSON.stringify({ ...rest, "retry:errors": waited }), id, ANALYSIS);
    limited = 1;
    h = await h.restart();
    await h.settle(id);

    expect(h.store.deployments.get(id)?.status).toBe("SUCCESS");
    const ticks = h.store.measurements.list(id, ANALYSIS);
    expect(ticks[0]).toMatchObject({ at: waited, verdict: "ERROR" });
    expect(ticks.slice(1).map((t) => t.verdict)).toEqual(["PASS", "PASS", "PASS", "PASS"]);
    expect(analysisStage(h, id)?.state.rateLimitedTicks).toEqual({ errors: waited });
  });
});
