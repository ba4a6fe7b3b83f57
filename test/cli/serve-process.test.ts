/**
 * `kanaria serve` as a real process on the sandbox stack (simulated ECS, ALB and Datadog in this
 * process, the sandbox Slack for Slack): SIGTERM while a deployment's step is in flight stops it with
 * exit 0, the lease released and nothing lost; the next start resumes that deployment and finishes it;
 * its `/metrics` then reads as Prometheus text with the deployment, the stages, the calls and the lease.
 *
 * The sandbox runs on a virtual clock that only this test moves: the deployment's tasks do not become
 * healthy until it does, so the step is certainly in flight when the signal arrives.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SandboxStack, startSandboxStack } from "../../sandbox/cli/sandbox-stack.js";
import type { SandboxSlack } from "../../sandbox/slack-server.js";
import { SlackSignedClient } from "../../sandbox/slack-signed-client.js";
import { VirtualClock } from "../../sandbox/virtual-clock.js";
import type { Deployment, TimelineEvent } from "../../src/domain/deployment.js";
import type { Lease } from "../../src/store/lease-repository.js";
import { openStore } from "../../src/store/store.js";
import { parseExposition, sampleValue } from "../metrics/exposition.js";
import { ALICE, BOB, BOT_TOKEN, DEPLOYS, SIGNING_SECRET, startTestSlack } from "../sandbox/slack-fixture.js";
import { pollFor, type ServeChild, startKanaria } from "./serve-child.js";

const STARTED =
  /^kanaria serve: .*Slack on http:\/\/0\.0\.0\.0:(\d+)\/slack\/events.* (\d+) unfinished deployment\(s\) resumed/;

let dir: string;
let slack: SandboxSlack;
let stack: SandboxStack;
const clock = new VirtualClock(Date.now());

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "kanaria-serve-process-"));
  slack = await startTestSlack();
  stack = await startSandboxStack({
    clock,
    dir,
    slackYaml: ["slack:", `  apiUrl: ${slack.apiUrl}`, "  port: 0"],
    channel: DEPLOYS,
    deployers: [ALICE],
    approvers: [BOB],
  });
});

afterAll(async () => {
  await stack?.close();
  await slack?.close();
  rmSync(dir, { recursive: true, force: true });
});

function serveProcess(): ServeChild {
  return startKanaria(["serve", "--config", join(dir, "kanaria.yaml")], {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    AWS_ACCESS_KEY_ID: "sandbox",
    AWS_SECRET_ACCESS_KEY: "sandbox",
  });
}

/** What the database holds now (opened and closed around each read: the child writes meanwhile). */
function read<T>(look: (store: ReturnType<typeof openStore>["store"]) => T): T {
  const { store } = openStore(join(dir, "kanaria.db"));
  try {
    return look(store);
  } finally {
    store.close();
  }
}

describe("kanaria serve as a process", () => {
  let deploymentId: string;
  let eventsAtStop: TimelineEvent[];

  it("stops on SIGTERM with a step in flight: exit 0, lease released, nothing lost", async () => {
    const serve = serveProcess();
    const [, port, resumed] = await serve.line(STARTED, "the started line");
    expect(resumed).toBe("0");
    const client = new SlackSignedClient({
      botUrl: `http://127.0.0.1:${port}/slack/events`,
      signingSecret: SIGNING_SECRET,
      slack,
    });
    const reply = await client.slashCommand({
      command: "/deploy",
      text: "web v1 first release",
      userId: ALICE,
      channelId: DEPLOYS,
    });
    expect(reply.status).toBe(200);
    // In flight: a stage RUNNING, waiting for tasks that only become healthy when this test moves time.
    const running = await pollFor(
      () =>
        read((store) => {
          const d = store.deployments.recent(1)[0];
          return d && store.stages.list(d.id).some((s) => s.status === "RUNNING") ? d : undefined;
        }),
      "a deployment with a running stage",
    );
    deploymentId = running.id;

    serve.process.kill("SIGTERM");
    expect(await serve.exited).toBe(0);
    expect(serve.stdout()).toContain(
      "kanaria serve: stopped; unfinished deployments will resume at the next start.",
    );
    const after = read((store) => ({
      lease: store.lease.current() as Lease | undefined,
      deployment: store.deployments.get(deploymentId) as Deployment,
      events: store.events.list(deploymentId),
      stages: store.stages.list(deploymentId),
    }));
    expect(after.lease).toBeUndefined();
    expect(after.deployment.status).toBe("RUNNING");
    expect(after.stages.some((s) => s.status === "RUNNING")).toBe(true);
    eventsAtStop = after.events;
    expect(eventsAtStop.length).toBeGreaterThan(0);
  }, 120_000);

  it("resumes that deployment on the next start, finishes it, and serves /metrics", async () => {
    const serve = serveProcess();
    try {
      const [, port, resumed] = await serve.line(STARTED, "the started line");
      expect(resumed).toBe("1");
      // Time moves in the sandbox until the tasks are healthy and the deployment is done.
      const done = await pollFor(
        () =>
          read((store) => {
            const d = store.deployments.get(deploymentId);
            return d && d.status !== "RUNNING" && d.status !== "PLANNED" ? d : undefined;
          }),
        "the resumed deployment to finish",
        () => clock.advance(5_000),
      );
      expect(done.status).toBe("SUCCESS");
      // Nothing lost: the timeline written before the stop is still its beginning, unchanged.
      const events = read((store) => store.events.list(deploymentId));
      expect(events.slice(0, eventsAtStop.length)).toEqual(eventsAtStop);

      const holder = read((store) => store.lease.current()?.holder);
      expect(holder).toBeDefined();
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
      const metrics = parseExposition(await response.text());
      expect(sampleValue(metrics, "kanaria_deployments", { status: "SUCCESS" })).toBe(1);
      expect(sampleValue(metrics, "kanaria_deployments", { status: "RUNNING" })).toBe(0);
      expect(metrics.types.get("kanaria_stage_duration_seconds")).toBe("histogram");
      const stageCounts = metrics.samples.filter(
        (s) => s.name === "kanaria_stage_duration_seconds_count" && s.labels.status === "SUCCESS",
      );
      expect(stageCounts.reduce((n, s) => n + s.value, 0)).toBeGreaterThan(0);
      expect(sampleValue(metrics, "kanaria_lease_holder", { holder: holder as string })).toBe(1);
      const calls = (service: string, operation: string) =>
        sampleValue(metrics, "kanaria_external_calls_total", { service, operation, outcome: "ok" }) ?? 0;
      expect(calls("aws.ecs", "DescribeServices")).toBeGreaterThan(0);
      expect(calls("slack", "chat.postMessage")).toBeGreaterThan(0);
      expect(
        sampleValue(metrics, "kanaria_external_call_duration_seconds_count", {
          service: "aws.ecs",
          operation: "DescribeServices",
          outcome: "ok",
        }),
      ).toBe(calls("aws.ecs", "DescribeServices"));
    } finally {
      serve.process.kill("SIGTERM");
      expect(await serve.exited).toBe(0);
    }
    expect(read((store) => store.lease.current())).toBeUndefined();
  }, 180_000);
});
