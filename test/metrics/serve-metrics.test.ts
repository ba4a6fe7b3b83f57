/**
 * serve's Prometheus metrics: what the database facts become at a scrape (fake StoreFacts: the
 * interface, not a module mock), and the calls observed over the wire — the AWS SDK middleware against
 * the sandbox ECS, the Datadog client's fetch against the sandbox Datadog, and Slack's bounded fetch
 * against the sandbox Slack — each counted by service, operation and outcome.
 */
import { DescribeClustersCommand, DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandboxDatadog } from "../../sandbox/datadog-server.js";
import type { SandboxSlack } from "../../sandbox/slack-server.js";
import { type SandboxCloud, startSandboxCloud } from "../../sandbox/start-sandbox-cloud.js";
import { systemClock } from "../../src/engine/system-clock.js";
import { observedFetch, urlPath } from "../../src/metrics/observed-fetch.js";
import { ServeMetrics } from "../../src/metrics/serve-metrics.js";
import type { FinishedStage, StoreFacts } from "../../src/metrics/store-facts.js";
import { createAwsClients } from "../../src/providers/aws/aws-clients.js";
import { DatadogMetrics } from "../../src/providers/datadog/datadog-metrics.js";
import { boundedFetch } from "../../src/slack/bounded-fetch.js";
import { BOT_TOKEN, startTestSlack } from "../sandbox/slack-fixture.js";
import { parseExposition, sampleValue } from "./exposition.js";

/** Facts the test sets; the `…Since` lists are handed out once, as the real ones are. */
class SetFacts implements StoreFacts {
  statuses = new Map<string, number>();
  stages: FinishedStage[] = [];
  verdicts: string[] = [];
  holder: string | undefined;
  deploymentsByStatus() {
    return this.statuses;
  }
  stagesFinishedSince() {
    return this.stages.splice(0);
  }
  verdictsSince() {
    return this.verdicts.splice(0);
  }
  leaseHolder() {
    return this.holder;
  }
}

async function scrape(metrics: ServeMetrics) {
  return parseExposition(await metrics.text());
}

describe("serve metrics from the database", () => {
  it("exposes calls only until the database is attached", async () => {
    const metrics = new ServeMetrics();
    const text = await scrape(metrics);
    expect(sampleValue(text, "kanaria_deployments", { status: "RUNNING" })).toBeUndefined();
    expect(text.types.get("kanaria_external_calls_total")).toBe("counter");
  });

  it("counts deployments by status (every status), stages and verdicts once each, and the lease holder", async () => {
    const metrics = new ServeMetrics();
    const facts = new SetFacts();
    facts.statuses.set("SUCCESS", 3).set("RUNNING", 1);
    facts.stages.push(
      { kind: "ANALYSIS", status: "SUCCESS", seconds: 600 },
      { kind: "ANALYSIS", status: "FAILURE", seconds: 240 },
      { kind: "ECS_TRAFFIC_ROUTING", status: "SUCCESS", seconds: 2 },
    );
    facts.verdicts.push("PASS", "PASS", "FAIL", "NO_DATA");
    facts.holder = "host:42:abc";
    metrics.attach(facts, "host:42:abc");

    const first = await scrape(metrics);
    expect(sampleValue(first, "kanaria_deployments", { status: "SUCCESS" })).toBe(3);
    expect(sampleValue(first, "kanaria_deployments", { status: "RUNNING" })).toBe(1);
    expect(sampleValue(first, "kanaria_deployments", { status: "ROLLED_BACK" })).toBe(0);
    const analysis = { kind: "ANALYSIS", status: "SUCCESS" };
    expect(sampleValue(first, "kanaria_stage_duration_seconds_count", analysis)).toBe(1);
    expect(sampleValue(first, "kanaria_stage_duration_seconds_sum", analysis)).toBe(600);
    expect(sampleValue(first, "kanaria_stage_duration_seconds_bucket", { ...analysis, le: "300" })).toBe(0);
    expect(sampleValue(first, "kanaria_stage_duration_seconds_bucket", { ...analysis, le: "600" })).toBe(1);
    expect(sampleValue(first, "kanaria_analysis_verdicts_total", { verdict: "PASS" })).toBe(2);
    expect(sampleValue(first, "kanaria_analysis_verdicts_total", { verdict: "FAIL" })).toBe(1);
    expect(sampleValue(first, "kanaria_lease_holder", { holder: "host:42:abc" })).toBe(1);

    // A second scrape with nothing new keeps the totals; another holder reads 0, and only it is shown.
    facts.holder = "other:7:def";
    const second = await scrape(metrics);
    expect(sampleValue(second, "kanaria_stage_duration_seconds_count", analysis)).toBe(1);
    expect(sampleValue(second, "kanaria_analysis_verdicts_total", { verdict: "PASS" })).toBe(2);
    expect(sampleValue(second, "kanaria_lease_holder", { holder: "other:7:def" })).toBe(0);
    expect(sampleValue(second, "kanaria_lease_holder", { holder: "host:42:abc" })).toBeUndefined();
  });
});

describe("calls observed over the wire", () => {
  let cloud: SandboxCloud;
  let slack: SandboxSlack;

  beforeAll(async () => {
    cloud = await startSandboxCloud({ config: { region: "ap-northeast-1" } });
    slack = await startTestSlack();
  });
  afterAll(async () => {
    await cloud?.close();
    await slack?.close();
  });

  it("counts AWS commands by client and command, ok and error, retries included in one call", async () => {
    const metrics = new ServeMetrics();
    const { ecs } = createAwsClients(
      {
        name: "sandbox",
        type: "ECS",
        region: cloud.region,
        endpoints: { ecs: cloud.ecsEndpoint, elbv2: cloud.elbv2Endpoint },
      },
      { credentials: { accessKeyId: "sandbox", secretAccessKey: "sandbox" }, observer: metrics },
    );
    await ecs.send(new DescribeClustersCommand({ clusters: ["demo"] }));
    await expect(
      ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "missing:1" })),
    ).rejects.toThrow();
    const text = await scrape(metrics);
    const calls = (operation: string, outcome: string) =>
      sampleValue(text, "kanaria_external_calls_total", { service: "aws.ecs", operation, outcome });
    expect(calls("DescribeClusters", "ok")).toBe(1);
    expect(calls("DescribeTaskDefinition", "error")).toBe(1);
    expect(
      sampleValue(text, "kanaria_external_call_duration_seconds_count", {
        service: "aws.ecs",
        operation: "DescribeClusters",
        outcome: "ok",
      }),
    ).toBe(1);
  });

  it("counts Datadog requests by endpoint path, through the client's fetch", async () => {
    const datadog = await startSandboxDatadog({ source: cloud.metrics, clock: systemClock });
    try {
      const metrics = new ServeMetrics();
      const provider = new DatadogMetrics({
        apiKey: "sandbox",
        applicationKey: "sandbox",
        baseUrl: datadog.url,
        clock: systemClock,
        lagMs: 0,
        fetch: observedFetch((url: string, init) => fetch(url, init), "datadog", urlPath, metrics),
      });
      const now = Date.now();
      await provider.query({
        provider: "datadog",
        query: "sum:aws.applicationelb.request_count{*}.as_count()",
        from: now - 600_000,
        to: now,
        timeoutMs: 5_000,
      });
      const text = await scrape(metrics);
      expect(
        sampleValue(text, "kanaria_external_calls_total", {
          service: "datadog",
          operation: "/api/v1/query",
          outcome: "ok",
        }),
      ).toBe(1);
    } finally {
      await datadog.close();
    }
  });

  it("counts Slack calls by Web API method, response URLs as one operation, and failures", async () => {
    const metrics = new ServeMetrics();
    const slackFetch = boundedFetch(5_000, undefined, metrics);
    const ok = await slackFetch(`${slack.apiUrl}auth.test`, {
      method: "POST",
      headers: { authorization: `Bearer ${BOT_TOKEN}` },
    });
    expect(ok.status).toBe(200);
    const responseUrl = slack.workspace.createResponseUrl({
      kind: "command",
      command: "/deploy",
      text: "status",
      userId: "U0ALICE",
      channelId: "C0DEPLOYS",
    });
    const answered = await slackFetch(`${slack.url}/respond/${responseUrl}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "ok", response_type: "ephemeral" }),
    });
    expect(answered.status).toBe(200);
    await expect(slackFetch("http://127.0.0.1:9/api/chat.postMessage", { method: "POST" })).rejects.toThrow();
    const text = await scrape(metrics);
    const calls = (operation: string, outcome: string) =>
      sampleValue(text, "kanaria_external_calls_total", { service: "slack", operation, outcome });
    expect(calls("auth.test", "ok")).toBe(1);
    expect(calls("response_url", "ok")).toBe(1);
    expect(calls("chat.postMessage", "error")).toBe(1);
  });
});
