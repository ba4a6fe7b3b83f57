/**
 * examples/starter/ is what the README tells a new user to copy for a real Slack app and AWS account:
 * it must load without errors or warnings, through the same loader `kanaria check-config` uses.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";

const STARTER = fileURLToPath(new URL("../../examples/starter/kanaria.yaml", import.meta.url));

describe("examples/starter", () => {
  it("loads cleanly: one app with the SEQUENTIAL judge, a guardrail and an approval", async () => {
    const loaded = await loadConfig(STARTER);
    expect(loaded.diagnostics).toEqual([]);
    const web = loaded.apps.get("web");
    expect(web?.pipeline?.map((s) => s.kind)).toEqual([
      "ECS_CANARY_ROLLOUT",
      "ECS_TRAFFIC_ROUTING",
      "ANALYSIS",
      "WAIT_APPROVAL",
      "ECS_PRIMARY_ROLLOUT",
      "ECS_TRAFFIC_ROUTING",
      "ECS_CANARY_CLEAN",
    ]);
    expect(loaded.config?.apps.map((a) => a.fourEyes)).toEqual([true]);
  });
});
