/**
 * Rate limits and faults of the sandbox Slack on a fake clock: 429 with Retry-After per channel for
 * chat.postMessage, workspace-wide for tiered methods, injected 429 storms in one channel, 503 outages,
 * and what WebClient's own 429 handling makes of them.
 */
import { WebAPIRateLimitedError, type WebClient, WebClientEvent } from "@slack/web-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SlackRateLimiter } from "../../sandbox/slack-rate-limits.js";
import type { SandboxSlack } from "../../sandbox/slack-server.js";
import { FakeClock } from "../fakes/fake-clock.js";
import { DEPLOYS, OPS, rawCall, slackError, startTestSlack, webClient } from "./slack-fixture.js";

let slack: SandboxSlack;
let clock: FakeClock;
let client: WebClient;

beforeEach(async () => {
  clock = new FakeClock(Date.UTC(2026, 0, 5, 9, 0, 0));
  slack = await startTestSlack({ clock });
  client = webClient(slack, { rejectRateLimitedCalls: true });
});

afterEach(async () => {
  await slack.close();
});

function post(channel: string, text = "hi"): Promise<Response> {
  return rawCall(slack, "chat.postMessage", new URLSearchParams({ channel, text }).toString(), {
    "content-type": "application/x-www-form-urlencoded",
  });
}

describe("chat.postMessage: about one per second per channel", () => {
  it("allows a small burst, then answers 429 ratelimited with Retry-After", async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(DEPLOYS)).status);
    expect(statuses).toEqual([200, 200, 200]);
    const limited = await post(DEPLOYS);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("1");
    expect(await limited.json()).toEqual({ ok: false, error: "ratelimited" });
    expect(slack.workspace.messages(DEPLOYS)).toHaveLength(3);
    expect(slack.calls.list("chat.postMessage").map((c) => c.error)).toEqual([
      undefined,
      undefined,
      undefined,
      "ratelimited",
    ]);
  });

  it("never lets one busy channel throttle another", async () => {
    for (let i = 0; i < 4; i++) await post(DEPLOYS);
    expect((await post(DEPLOYS)).status).toBe(429);
    const other = await post(OPS);
    expect(other.status).toBe(200);
  });

  it("refills on the injected clock", async () => {
    for (let i = 0; i < 3; i++) await post(DEPLOYS);
    expect((await post(DEPLOYS)).status).toBe(429);
    await clock.advance(1000);
    expect((await post(DEPLOYS)).status).toBe(200);
    expect((await post(DEPLOYS)).status).toBe(429);
  });

  it("is configurable per method", async () => {
    await slack.close();
    slack = await startTestSlack({
      clock,
      rateLimits: { "chat.postMessage": { perMinute: 6, burst: 1, perChannel: true } },
    });
    expect((await post(DEPLOYS)).status).toBe(200);
    const limited = await post(DEPLOYS);
    expect([limited.status, limited.headers.get("retry-after")]).toEqual([429, "10"]);
  });
});

describe("tiered methods", () => {
  it("limits chat.update across the workspace (Tier 3: 50 per minute, bursts of 10)", async () => {
    const ts = (await client.chat.postMessage({ channel: DEPLOYS, text: "root" })).ts as string;
    for (let i = 0; i < 10; i++) await client.chat.update({ channel: DEPLOYS, ts, text: `v${i}` });
    const error = await client.chat.update({ channel: DEPLOYS, ts, text: "over" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebAPIRateLimitedError);
    expect((error as WebAPIRateLimitedError).retryAfter).toBe(2);
    await clock.advance(60_000);
    await client.chat.update({ channel: DEPLOYS, ts, text: "later" });
    expect(slack.workspace.message(DEPLOYS, ts)?.versions).toHaveLength(12);
  });

  it("token buckets answer with the wait until the next call is allowed", () => {
    const limiter = new SlackRateLimiter({ "users.info": { perMinute: 20, burst: 2, perChannel: false } });
    expect(limiter.admit("users.info", undefined, 0)).toEqual({ allowed: true });
    expect(limiter.admit("users.info", undefined, 0)).toEqual({ allowed: true });
    expect(limiter.admit("users.info", undefined, 0)).toEqual({ allowed: false, retryAfterSeconds: 3 });
    expect(limiter.admit("users.info", undefined, 3000)).toEqual({ allowed: true });
    expect(limiter.admit("views.unknown", undefined, 0)).toEqual({ allowed: true });
  });
});

describe("faults", () => {
  it("a 429 storm in one channel leaves the others alone, for `count` calls", async () => {
    slack.faults.rateLimitChannel(DEPLOYS, { count: 2, retryAfterSeconds: 30 });
    const storm = await post(DEPLOYS);
    expect([storm.status, storm.headers.get("retry-after")]).toEqual([429, "30"]);
    expect((await post(OPS)).status).toBe(200);
    expect((await post(DEPLOYS)).status).toBe(429);
    expect((await post(DEPLOYS)).status).toBe(200);
  });

  it("a storm with untilMs ends when the clock gets there", async () => {
    slack.faults.rateLimitChannel(DEPLOYS, { untilMs: clock.now() + 10_000, retryAfterSeconds: 10 });
    const error = await client.chat.postMessage({ channel: DEPLOYS, text: "x" }).catch((e: unknown) => e);
    expect((error as WebAPIRateLimitedError).retryAfter).toBe(10);
    await clock.advance(10_000);
    expect((await client.chat.postMessage({ channel: DEPLOYS, text: "x" })).ok).toBe(true);
  });

  it("down answers 503 to everything until cleared", async () => {
    slack.faults.down();
    expect((await post(OPS)).status).toBe(503);
    const failure = await webClient(slack)
      .auth.test()
      .catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: "slack_webapi_http_error", statusCode: 503 });
    const respond = await fetch(`${slack.url}/respond/R0ANY`, { method: "POST", body: "{}" });
    expect(respond.status).toBe(503);
    slack.faults.clear();
    expect((await post(OPS)).status).toBe(200);
  });

  it("down with a count recovers by itself", async () => {
    slack.faults.down({ count: 1 });
    expect((await post(OPS)).status).toBe(503);
    expect((await post(OPS)).status).toBe(200);
  });
});

describe("WebClient's own 429 handling", () => {
  it("sees Retry-After, waits it out and retries", async () => {
    slack.faults.rateLimitChannel(DEPLOYS, { count: 1, retryAfterSeconds: 1 });
    const retrying = webClient(slack, { retries: 1 });
    const seen: number[] = [];
    retrying.on(WebClientEvent.RATE_LIMITED, (seconds: number) => seen.push(seconds));
    const result = await retrying.chat.postMessage({ channel: DEPLOYS, text: "after the storm" });
    expect(result.ok).toBe(true);
    expect(seen).toEqual([1]);
    expect(slack.calls.list("chat.postMessage").map((c) => c.status)).toEqual([429, 200]);
  });

  it("surfaces a channel's 429 as a rate-limited error when retries are off", async () => {
    slack.faults.rateLimitChannel(DEPLOYS, { retryAfterSeconds: 7 });
    const error = await slackError(client.chat.postMessage({ channel: DEPLOYS, text: "x" })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WebAPIRateLimitedError);
    expect((error as WebAPIRateLimitedError).retryAfter).toBe(7);
  });
});
