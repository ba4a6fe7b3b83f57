import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SlackSignedClient } from "../../sandbox/slack-signed-client.js";
import type { Deployment, TimelineEvent } from "../../src/domain/deployment.js";
import type { Lease } from "../../src/store/lease-repository.js";
import { parseExposition, sampleValue } from "../metrics/exposition.js";
import { ALICE, DEPLOYS, SIGNING_SECRET } from "../sandbox/slack-fixture.js";
import { pollFor } from "./serve-child.js";
import { type ServeWorld, STARTED, startServeWorld } from "./serve-world.js";

let world: ServeWorld;

beforeAll(async () => {
  world = await startServeWorld("kanaria-serve-process-");
});

afterAll(async () => {
  await world?.close();
});

const serveProcess = () => world.serve();
const read: ServeWorld["read"] = (look) => world.read(look);

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
      slack: world.slack,
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
        () => world.clock.advance(5_000),
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
