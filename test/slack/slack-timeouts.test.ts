/**
 * Slack calls are bounded: a Slack that accepts connections and never answers surfaces as an error
 * within the configured timeout (real HTTP on loopback; the outcome is asserted, not the time taken).
 */
import { createServer, type Server } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { closeServer, listen } from "../../sandbox/sandbox-http.js";
import { silentLogger } from "../../src/engine/logger.js";
import { boundedFetch } from "../../src/slack/bounded-fetch.js";
import { createSlackApp } from "../../src/slack/slack-app.js";
import type { SlackContext } from "../../src/slack/slack-context.js";

let server: Server;
let url: string;
let requests = 0;
beforeEach(async () => {
  requests = 0;
  server = createServer(() => {
    requests++; // and never answer
  });
  url = await listen(server, "127.0.0.1", 0);
});
afterEach(async () => closeServer(server));

describe("Slack timeouts", () => {
  it("a Web API call to a Slack that never answers fails with a request error, once", async () => {
    const slack = createSlackApp(
      {
        botToken: "xoxb-test",
        signingSecret: "secret",
        apiUrl: `${url}/api/`,
        logger: silentLogger(),
        webTimeoutMs: 200,
      },
      // No handler runs in this test: the context is never read.
      () => ({}) as SlackContext,
    );
    const error = await slack.client.auth.test().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "slack_webapi_request_error" });
    expect(requests).toBe(1);
  });

  it("the bounded fetch (also Bolt's respond()) ends a hung request with a TimeoutError", async () => {
    const fetchFn = boundedFetch(200);
    await expect(fetchFn(`${url}/response-url`, { method: "POST", body: "{}" })).rejects.toMatchObject({
      name: "TimeoutError",
    });
  });

  it("a caller's own signal still aborts it first", async () => {
    const controller = new AbortController();
    const pending = boundedFetch(60_000)(`${url}/x`, { signal: controller.signal });
    controller.abort(new Error("caller gave up"));
    await expect(pending).rejects.toThrow("caller gave up");
  });
});
