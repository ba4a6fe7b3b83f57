/**
 * Whatever the input — huge reasons, 30 stages, 60 metrics, hundreds of decisions, long names — every
 * payload the views produce stays within Slack's Block Kit limits, with a text fallback.
 */
import { describe, expect, it } from "vitest";
import type { AnalysisMetric } from "../../src/domain/analysis-metric.js";
import type { Stage, TimelineEvent } from "../../src/domain/deployment.js";
import { EVENT_TYPES } from "../../src/domain/deployment.js";
import type { Measurement } from "../../src/domain/measurement.js";
import { DEPLOYMENT_STATUSES } from "../../src/domain/status.js";
import { analysisReply } from "../../src/views/analysis-reply.js";
import { appHome } from "../../src/views/app-home.js";
import * as replies from "../../src/views/command-replies.js";
import type { DeploymentSnapshot } from "../../src/views/deployment-snapshot.js";
import { historyList, statusSummary } from "../../src/views/history-list.js";
import { rootMessage } from "../../src/views/root-message.js";
import { stageReply } from "../../src/views/stage-reply.js";
import { toyAppConfig } from "../fixtures/toy-app.js";
import { blockKitViolations } from "./block-limit-checker.js";
import {
  deploymentFixture,
  eventFixture,
  MIN,
  sequentialMetric,
  snapshotFixture,
  stageFixture,
  T0,
  thresholdMetric,
  waitingApproval,
} from "./snapshot-fixtures.js";

const HUGE = `<@U0EVIL0001> & ${"very long reason 🚀 ".repeat(800)}`;
const NOW = T0 + 5 * 60 * MIN;

function metrics(n: number): AnalysisMetric[] {
  return Array.from({ length: n }, (_, i) =>
    i % 2 === 0
      ? sequentialMetric({
          common: {
            ...sequentialMetric().common,
            name: `metric-${i}-${"x".repeat(300)}`,
            dryRun: i % 4 === 0,
          },
        })
      : thresholdMetric({ common: { ...thresholdMetric().common, name: `metric-${i}` } }),
  );
}

/** 30 stages of every kind, the first half finished with huge reasons, one running and waiting. */
function bigSnapshot(status: (typeof DEPLOYMENT_STATUSES)[number], stageCount: number): DeploymentSnapshot {
  const analysisMetrics = metrics(60);
  const stages: Stage[] = Array.from({ length: stageCount }, (_, i) => {
    const kind = (["ECS_TRAFFIC_ROUTING", "ANALYSIS", "WAIT_APPROVAL", "WAIT"] as const)[
      i % 4
    ] as Stage["kind"];
    const options =
      kind === "ECS_TRAFFIC_ROUTING"
        ? { primary: 80, canary: 10, baseline: 10 }
        : kind === "ANALYSIS"
          ? { durationMs: 30 * MIN, metrics: analysisMetrics, consecutiveErrorLimit: 4 }
          : kind === "WAIT_APPROVAL"
            ? { timeoutMs: MIN, approvers: ["U0A0000001"], minApproverNum: 3 }
            : { durationMs: MIN };
    const half = Math.floor(stageCount / 2);
    const stage = stageFixture(kind, options as never, i, {
      description: HUGE,
      status: i < half ? "FAILURE" : i === half ? "RUNNING" : "NOT_STARTED",
      statusReason: HUGE,
      startedAt: i <= half ? T0 + i * MIN : undefined,
      finishedAt: i < half ? T0 + (i + 1) * MIN : undefined,
    });
    return i === half ? waitingApproval(stage, HUGE, [], 3) : stage;
  });
  const events: TimelineEvent[] = [];
  for (let i = 0; i < 300; i++) {
    events.push(
      eventFixture(EVENT_TYPES[i % EVENT_TYPES.length] as TimelineEvent["type"], {
        actor: i % 3 === 0 ? undefined : "U0ACTOR0001",
        message: HUGE,
        stageIndex: i % stageCount,
        data: { approvals: 1, needed: 3, kind: "APPROVE", from: "RUNNING" },
      }),
    );
  }
  const measurements: Measurement[] = stages
    .filter((s) => s.kind === "ANALYSIS")
    .flatMap((s) =>
      analysisMetrics.flatMap((m, j) =>
        Array.from({ length: 5 }, (_, k) => ({
          deploymentId: "web-0a1b2c3d",
          stageIndex: s.index,
          metric: m.common.name,
          at: T0 + k * MIN,
          verdict: ["PASS", "FAIL", "ERROR", "NO_DATA"][(j + k) % 4] as string,
          data: {
            reason: HUGE,
            canaryErrors: 5,
            canaryTotal: 10_000,
            controlErrors: 1,
            controlTotal: 90_000,
            estimate: 4.5,
            interval: [1, null],
            evidence: 1e300,
            min: 0.1,
            max: 9,
          },
        })),
      ),
    );
  return {
    deployment: deploymentFixture({
      status,
      app: `web-${"a".repeat(200)}`,
      reason: HUGE,
      statusReason: HUGE,
      appConfig: toyAppConfig({
        mentions: [
          {
            event: "*",
            slack: Array.from({ length: 80 }, (_, i) => `U0MENTION${String(i).padStart(2, "0")}`),
          },
        ],
      }),
    }),
    stages,
    events,
    measurements,
    threadUrl: `https://x.slack.com/archives/C1/p1?x=${"y".repeat(500)}`,
  };
}

describe("Block Kit limits hold for huge inputs", () => {
  for (const stageCount of [1, 30]) {
    for (const status of DEPLOYMENT_STATUSES) {
      it(`${stageCount} stages, ${status}: root, every reply, analysis replies, home, status`, () => {
        const snapshot = bigSnapshot(status, stageCount);
        const payloads: Array<[string, { text?: string; blocks: unknown[] }, "message" | "home"]> = [
          ["root", rootMessage(snapshot, NOW), "message"],
        ];
        for (const event of snapshot.events.slice(0, EVENT_TYPES.length * 2)) {
          const reply = stageReply(snapshot, event);
          if (reply) payloads.push([`reply ${event.type}`, reply, "message"]);
        }
        for (const stage of snapshot.stages.filter((s) => s.kind === "ANALYSIS").slice(0, 2)) {
          payloads.push([`analysis ${stage.index}`, analysisReply(snapshot, stage.index), "message"]);
        }
        const many = Array.from({ length: 40 }, () => snapshot);
        const locks = Array.from({ length: 60 }, (_, i) => ({
          app: `app-${i}`,
          owner: "U0LOCKER01",
          reason: HUGE,
          createdAt: T0,
        }));
        const links = new Map([[snapshot.deployment.id, snapshot.threadUrl as string]]);
        payloads.push([
          "home",
          appHome({
            userId: "U0ME000001",
            active: many,
            pendingApprovals: many,
            locks,
            recent: many.map((s) => s.deployment),
            threadLinks: links,
            now: NOW,
          }),
          "home",
        ]);
        payloads.push(["status", statusSummary(many, locks, NOW), "message"]);
        payloads.push([
          "history",
          historyList(
            snapshot.deployment.app,
            many.map((s) => s.deployment),
            links,
            NOW,
          ),
          "message",
        ]);
        for (const [name, payload, surface] of payloads) {
          expect(blockKitViolations(payload, surface), name).toEqual([]);
        }
        const root = payloads[0]?.[1] as { text: string };
        expect(root.text.length).toBeGreaterThan(0);
      });
    }
  }

  it("refusals with huge inputs", () => {
    const lock = { app: HUGE, owner: "U0LOCKER01", reason: HUGE, createdAt: T0 };
    const all = [
      replies.unknownApp(HUGE, [HUGE, HUGE, HUGE, HUGE, HUGE, HUGE]),
      replies.invalidVersion(HUGE, HUGE),
      replies.channelNotAllowed(
        HUGE,
        Array.from({ length: 500 }, () => "C0DEPLOYS1"),
      ),
      replies.notADeployer(
        HUGE,
        Array.from({ length: 500 }, () => "U0ALICE001"),
      ),
      replies.appLocked(lock, NOW),
      replies.alreadyRunning(deploymentFixture({ app: HUGE }), `https://x/${HUGE}`, NOW),
      replies.freezeInForce(
        HUGE,
        {
          name: HUGE,
          until: undefined,
          reason: HUGE,
          overriders: Array.from({ length: 500 }, () => "U0A0000001"),
        },
        NOW,
      ),
      replies.locked(lock),
      replies.unlocked(lock, "U0A0000001"),
      replies.invalidCommand(HUGE, HUGE),
      replies.notAllowed(HUGE),
      replies.freezeOverridden(HUGE, HUGE, HUGE, "U0A0000001"),
    ];
    for (const reply of all) expect(blockKitViolations(reply, "message")).toEqual([]);
  });

  it("a short, ordinary snapshot is not truncated", () => {
    const text = JSON.stringify(rootMessage(snapshotFixture(), NOW));
    expect(text).not.toContain("…");
  });
});

describe("the limit checker itself", () => {
  it("reports what breaks the limits", () => {
    const section = (n: number) => ({ type: "section", text: { type: "mrkdwn", text: "x".repeat(n) } });
    expect(
      blockKitViolations({ text: "t", blocks: Array.from({ length: 51 }, () => section(1)) }, "message"),
    ).toEqual(["51 blocks > 50"]);
    expect(
      blockKitViolations({ text: "t", blocks: Array.from({ length: 51 }, () => section(1)) }, "home"),
    ).toEqual([]);
    expect(blockKitViolations({ blocks: [section(3001)] }, "message")).toEqual([
      "message without a text fallback",
      "block 0 (section): section text 3001 > 3000",
    ]);
    const context = {
      type: "context",
      elements: Array.from({ length: 11 }, () => ({ type: "mrkdwn", text: "x" })),
    };
    const button = {
      type: "button",
      action_id: "a",
      text: { type: "plain_text", text: "x".repeat(76) },
      value: "v",
    };
    expect(
      blockKitViolations(
        { text: "t", blocks: [context, { type: "actions", elements: [button, button] }] },
        "message",
      ),
    ).toEqual([
      "block 0 (context): 11 context elements",
      "block 1 (actions): button text 76 > 75",
      "block 1 (actions): button text 76 > 75",
      "block 1 (actions): duplicate action_id a",
    ]);
  });
});
