import { describe, expect, it } from "vitest";
import type { FreezeWindow } from "../../src/domain/freeze-window.js";
import { toyAppConfig } from "../fixtures/toy-app.js";
import { harness } from "./harness.js";

// The fake clock starts on Sunday 2026-11-22 09:00 UTC: inside a weekend freeze from Friday 18:00.
const weekend: FreezeWindow = {
  name: "weekend",
  cron: "0 18 * * 5",
  durationMs: 62 * 3_600_000,
  timezone: "UTC",
  apps: undefined,
  overriders: ["U_ONCALL", "S_SRE"],
  reason: "no deploys without on-call",
};

describe("freeze windows", () => {
  it("refuses a deployment during a freeze, saying until when and who may override", () => {
    const h = harness({ apps: { web: toyAppConfig() }, freezes: [weekend] });
    const outcome = h.engine.requestDeployment({
      app: "web",
      version: "v2",
      requester: "U_ALICE",
      reason: "",
    });
    expect(outcome).toMatchObject({
      ok: false,
      refusal: {
        kind: "frozen",
        app: "web",
        mayOverride: false,
        freeze: { freeze: { name: "weekend" }, endsAt: Date.UTC(2026, 10, 23, 8) },
      },
    });
    expect(h.store.deployments.history("web", 10)).toHaveLength(0);
  });

  it("refuses someone who is not an overrider even when they ask to override", () => {
    const h = harness({ apps: { web: toyAppConfig() }, freezes: [weekend] });
    const outcome = h.engine.requestDeployment({
      app: "web",
      version: "v2",
      requester: "U_ALICE",
      reason: "please",
      overrideFreeze: true,
      requesterGroups: ["S_OTHER"],
    });
    expect(outcome).toMatchObject({ ok: false, refusal: { kind: "frozen", mayOverride: false } });
  });

  it("tells an overrider how to override, and wants a reason", () => {
    const h = harness({ apps: { web: toyAppConfig() }, freezes: [weekend] });
    const asked = h.engine.requestDeployment({
      app: "web",
      version: "v2",
      requester: "U_ONCALL",
      reason: "",
    });
    expect(asked).toMatchObject({ ok: false, refusal: { kind: "frozen", mayOverride: true } });
    const noReason = h.engine.requestDeployment({
      app: "web",
      version: "v2",
      requester: "U_ONCALL",
      reason: " ",
      overrideFreeze: true,
    });
    expect(noReason).toMatchObject({
      ok: false,
      refusal: {
        kind: "overrideNeedsReason",
        app: "web",
        version: "v2",
        freeze: { freeze: { name: "weekend" } },
      },
    });
  });

  it("lets an overrider (by user group) deploy, and audits it in the store and the timeline", () => {
    const h = harness({ apps: { web: toyAppConfig() }, freezes: [weekend] });
    const outcome = h.engine.requestDeployment({
      app: "web",
      version: "v2",
      requester: "U_CAROL",
      requesterGroups: ["S_SRE"],
      reason: "hotfix for INC-7",
      overrideFreeze: true,
    });
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.freezeOverride).toMatchObject({ freeze: { name: "weekend" } });
    expect(h.store.freezeOverrides.list("web")).toEqual([
      {
        deploymentId: outcome.deployment.id,
        app: "web",
        freezeName: "weekend",
        actor: "U_CAROL",
        reason: "hotfix for INC-7",
        at: h.clock.now(),
      },
    ]);
    const event = h.store.events.list(outcome.deployment.id).find((e) => e.type === "FREEZE_OVERRIDDEN");
    expect(event).toMatchObject({ actor: "U_CAROL", data: { freeze: "weekend" } });
  });

  it("leaves apps outside the freeze and times outside the window alone", () => {
    const onlyApi = { ...weekend, apps: ["api"] };
    const h = harness({ apps: { web: toyAppConfig() }, freezes: [onlyApi] });
    const outside = h.engine.requestDeployment({ app: "web", version: "v2", requester: "U", reason: "" });
    expect(outside.ok && outside.freezeOverride).toBeUndefined();
    const weekday = { ...weekend, cron: "0 18 * * 3", durationMs: 3_600_000 };
    const h2 = harness({ apps: { web: toyAppConfig() }, freezes: [weekday] });
    expect(h2.engine.requestDeployment({ app: "web", version: "v2", requester: "U", reason: "" }).ok).toBe(
      true,
    );
  });
});
