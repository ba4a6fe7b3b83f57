/** One refusal of every kind, with the facts the engine would give, for the refusal view tests. */
import type { FreezeWindow } from "../../src/domain/freeze-window.js";
import type { CommandRefusal, DeploymentRefusal } from "../../src/domain/refusal.js";
import { deploymentFixture, MIN, T0 } from "./snapshot-fixtures.js";

export const NOW = T0 + 90 * MIN;

export const WEEKEND: FreezeWindow = {
  name: "weekend",
  cron: "0 18 * * 5",
  durationMs: 62 * 60 * MIN,
  timezone: "UTC",
  apps: undefined,
  overriders: ["U0ONCALL01", "S0SRETEAM1"],
  reason: "no deploys without on-call",
};

const ACTIVE_FREEZE = { freeze: WEEKEND, startedAt: T0 - 60 * MIN, endsAt: NOW + 3 * 60 * MIN };

export const REFUSALS = {
  unknownApp: { kind: "unknownApp", app: "wbe", closest: ["web", "web-admin"] },
  invalidVersion: { kind: "invalidVersion", version: "-bad", problem: '"-bad" is not a valid image tag' },
  locked: { kind: "locked", lock: { app: "web", owner: "U0LOCKER01", reason: "incident 42", createdAt: T0 } },
  frozen: { kind: "frozen", app: "web", freeze: ACTIVE_FREEZE, mayOverride: false },
  overrideNeedsReason: { kind: "overrideNeedsReason", app: "web", version: "v2", freeze: ACTIVE_FREEZE },
  alreadyRunning: { kind: "alreadyRunning", active: deploymentFixture({ status: "PLANNED" }) },
  noExecutor: { kind: "noExecutor", app: "web", missing: ["ECS_SYNC", "WAIT"] },
  unknownDeployment: { kind: "unknownDeployment", deploymentId: "web-gone" },
} satisfies Record<(DeploymentRefusal | CommandRefusal)["kind"], DeploymentRefusal | CommandRefusal>;
