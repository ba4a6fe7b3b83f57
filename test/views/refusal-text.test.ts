import { describe, expect, it } from "vitest";
import type { CommandRefusal, DeploymentRefusal } from "../../src/domain/refusal.js";
import { refusalText } from "../../src/views/refusal-text.js";
import { REFUSALS } from "./refusal-fixtures.js";

describe("refusal text (logs, CLI, thrown errors)", () => {
  const cases: Array<[DeploymentRefusal | CommandRefusal, string]> = [
    [REFUSALS.unknownApp, 'There is no app named "wbe". Did you mean web, web-admin?'],
    [{ ...REFUSALS.unknownApp, closest: [] }, 'There is no app named "wbe".'],
    [REFUSALS.invalidVersion, '"-bad" is not a valid image tag'],
    [REFUSALS.locked, "web is locked by U0LOCKER01 since 2025-05-01 14:00 UTC: incident 42"],
    [
      REFUSALS.frozen,
      'web is frozen by "weekend" (no deploys without on-call) until 2025-05-01 18:30 UTC. Only U0ONCALL01, S0SRETEAM1 may override it.',
    ],
    [
      { ...REFUSALS.frozen, mayOverride: true },
      'web is frozen by "weekend" (no deploys without on-call) until 2025-05-01 18:30 UTC. You may override it: repeat the command with --override-freeze and a reason; the override is recorded.',
    ],
    [
      {
        ...REFUSALS.frozen,
        freeze: {
          ...REFUSALS.frozen.freeze,
          freeze: { ...REFUSALS.frozen.freeze.freeze, overriders: [], reason: "" },
        },
      },
      'web is frozen by "weekend" until 2025-05-01 18:30 UTC. Nobody may override it.',
    ],
    [
      REFUSALS.overrideNeedsReason,
      'overriding the freeze "weekend" needs a reason: /deploy web v2 <reason> --override-freeze',
    ],
    [
      REFUSALS.alreadyRunning,
      "web is already being deployed: v1.4.2 by U0REQUEST1 since 2025-05-01 14:00 UTC (PLANNED, deployment web-0a1b2c3d)",
    ],
    [REFUSALS.noExecutor, "this Kanaria cannot run ECS_SYNC, WAIT stages yet, which web's pipeline needs"],
    [REFUSALS.unknownDeployment, "there is no deployment web-gone"],
  ];
  it.each(cases)("%o", (refusal, text) => {
    expect(refusalText(refusal)).toBe(text);
  });
});
