import { describe, expect, it } from "vitest";
import { appHome } from "../../src/views/app-home.js";
import { historyList, lastDeployment, liveVersion, statusSummary } from "../../src/views/history-list.js";
import { allText, blockKitViolations, buttons } from "./block-limit-checker.js";
import {
  canaryStages,
  deploymentFixture,
  MIN,
  REQUESTER,
  snapshotFixture,
  T0,
  waitingApproval,
} from "./snapshot-fixtures.js";

const NOW = T0 + 3 * 60 * MIN;
const done = (
  id: string,
  version: string,
  previousVersion: string,
  status: "SUCCESS" | "ROLLED_BACK",
  hoursAgo: number,
) =>
  deploymentFixture({
    id,
    version,
    previousVersion,
    status,
    createdAt: NOW - hoursAgo * 60 * MIN,
    startedAt: NOW - hoursAgo * 60 * MIN,
    finishedAt: NOW - hoursAgo * 60 * MIN + 14 * MIN,
  });
const history = [
  done("web-1", "v1.4.0", "v1.3.9", "SUCCESS", 2),
  done("web-2", "v1.4.1", "v1.4.0", "ROLLED_BACK", 1),
];

describe("historyList", () => {
  it("newest first: outcome, version, who, when, duration, thread link", () => {
    const payload = historyList(
      "web",
      history,
      new Map([["web-2", "https://x.slack.com/archives/C1/p2"]]),
      NOW,
    );
    const text = allText(payload);
    expect(text.indexOf("v1.4.1")).toBeLessThan(text.indexOf("v1.4.0"));
    expect(text).toContain(`⏪ *v1.4.1* rolled back · <@${REQUESTER}>`);
    expect(text).toContain("(1h ago) · took 14m · <https://x.slack.com/archives/C1/p2|thread>");
    expect(text).toContain("✅ *v1.4.0* live");
    expect(blockKitViolations(payload, "message")).toEqual([]);
  });

  it("an app never deployed", () => {
    expect(historyList("api", history, new Map(), NOW).text).toContain("has not been deployed yet");
  });
});

describe("lastDeployment", () => {
  it("the newest deployment as one history line, or that there was none", () => {
    const last = lastDeployment("web", history[1], new Map(), NOW);
    expect(last.text).toMatch(
      new RegExp(`^Last deployment of \\*web\\*: ⏪ \\*v1.4.1\\* rolled back · <@${REQUESTER}>`),
    );
    expect(blockKitViolations(last, "message")).toEqual([]);
    expect(lastDeployment("api", undefined, new Map(), NOW).text).toBe(
      "*api* has never been deployed by Kanaria.",
    );
  });
});

describe("statusSummary", () => {
  it("live version, deployment under way and lock per app", () => {
    const active = snapshotFixture({
      deployment: deploymentFixture({ id: "web-3", version: "v1.4.2", previousVersion: "v1.4.0" }),
    });
    const payload = statusSummary(
      [active, ...history.map((d) => snapshotFixture({ deployment: d }))],
      [{ app: "api", owner: "U0LOCKER01", reason: "migration", createdAt: NOW - 5 * MIN }],
      NOW,
    );
    const text = allText(payload);
    expect(text).toContain("*web* · live: *v1.4.0*");
    expect(text).toMatch(/🚀 v1\.4\.2 by <@U0REQUEST1> since .* — running, ANALYSIS/);
    expect(text).toContain("*api* · live: nothing deployed yet");
    expect(text).toContain("🔒 locked by <@U0LOCKER01> 5m ago: migration");
    expect(text).toContain("1 deployment running · 1 lock");
  });

  it("liveVersion: the newest success, else what was live before the newest", () => {
    expect(liveVersion(history)).toBe("v1.4.0");
    expect(liveVersion([...history, done("web-4", "v1.4.3", "v1.4.0", "SUCCESS", 0.5)])).toBe("v1.4.3");
    expect(liveVersion([])).toBeUndefined();
  });
});

describe("appHome", () => {
  it("pending approvals with buttons, running deployments, locks, recent history", () => {
    const stages = canaryStages(["SUCCESS", "SUCCESS", "SUCCESS", "RUNNING"]);
    stages[3] = waitingApproval(stages[3] as never, "Approve web v1.4.2?");
    const waiting = snapshotFixture({
      deployment: deploymentFixture({ status: "WAITING_APPROVAL" }),
      stages,
    });
    const view = appHome({
      userId: "U0APPROVE1",
      active: [waiting],
      pendingApprovals: [waiting],
      locks: [{ app: "api", owner: "U0LOCKER01", reason: "migration", createdAt: NOW - 5 * MIN }],
      recent: history,
      threadLinks: new Map([["web-0a1b2c3d", "https://x.slack.com/archives/C1/p3"]]),
      now: NOW,
    });
    expect(view.type).toBe("home");
    const text = allText(view);
    expect(text).toContain("Approve web v1.4.2?");
    expect(text).toContain("⏸️ *web* v1.4.1 → v1.4.2");
    expect(text).toContain("waiting for approval · WAIT_APPROVAL (4/7)");
    expect(text).toContain("🔒 *api* by <@U0LOCKER01>");
    expect(text).toContain("*v1.4.1* rolled back");
    expect(buttons(view).map((b) => b.action_id)).toEqual(["kanaria.approve", "kanaria.rollback"]);
    expect(blockKitViolations(view, "home")).toEqual([]);
  });

  it("empty home says so", () => {
    const view = appHome({
      userId: "U0APPROVE1",
      active: [],
      pendingApprovals: [],
      locks: [],
      recent: [],
      threadLinks: new Map(),
      now: NOW,
    });
    const text = allText(view);
    expect(text).toContain("Nothing waits for you.");
    expect(text).toContain("No deployment is running.");
    expect(text).toContain("No app is locked.");
  });
});
