/**
 * The per-channel Slack send queue, in virtual time (FakeClock): every time asserted below is the
 * virtual clock's, never the wall clock's. Errors are the real @slack/web-api error classes; one test
 * drives a real WebClient against a loopback HTTP server that answers 429 with Retry-After.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  WebClient,
} from "@slack/web-api";
import { afterEach, describe, expect, it } from "vitest";
import type { KanariaError } from "../../src/domain/kanaria-error.js";
import { silentLogger } from "../../src/engine/logger.js";
import {
  backoffDelayMs,
  ChannelSendQueue,
  type ChannelSendQueueOptions,
} from "../../src/slack/channel-send-queue.js";
import { classifySendError, NON_RETRYABLE_SLACK_ERRORS } from "../../src/slack/classify-send-error.js";
import { FakeClock } from "../fakes/fake-clock.js";

type Outcome = "ok" | Error;

interface Setup {
  clock: FakeClock;
  queue: ChannelSendQueue;
  /** What was sent successfully, with the virtual ms since the start. */
  sent: Array<[string, number]>;
  /** Every run (success or not), with the virtual ms since the start. */
  runs: Array<[string, number]>;
  /** A job `run` that plays `outcomes` in order (then succeeds), recording each call as `label`. */
  script(label: string, outcomes?: Outcome[]): () => Promise<string>;
  /** Virtual ms since the start. */
  elapsed(): number;
}

const queues: ChannelSendQueue[] = [];
afterEach(async () => {
  await Promise.all(queues.splice(0).map((q) => q.close()));
});

function setup(options: Partial<Omit<ChannelSendQueueOptions, "clock" | "logger">> = {}): Setup {
  const clock = new FakeClock();
  const start = clock.now();
  const queue = new ChannelSendQueue({ clock, logger: silentLogger(), random: () => 0, ...options });
  queues.push(queue);
  const sent: Array<[string, number]> = [];
  const runs: Array<[string, number]> = [];
  const elapsed = (): number => clock.now() - start;
  return {
    clock,
    queue,
    sent,
    runs,
    elapsed,
    script(label, outcomes = []) {
      const pending = [...outcomes];
      return async () => {
        runs.push([label, elapsed()]);
        const next = pending.shift() ?? "ok";
        if (next !== "ok") throw next;
        sent.push([label, elapsed()]);
        return label;
      };
    },
  };
}

const rateLimited = (seconds: number): Error => new WebAPIRateLimitedError(seconds);
const platform = (error: string): Error => new WebAPIPlatformError({ ok: false, error });
const network = (): Error => new WebAPIRequestError(new Error("socket hang up"));
const serverError = (): Error => new WebAPIHTTPError(503, "Service Unavailable", {}, "");

describe("ChannelSendQueue: coalescing", () => {
  it("sends only the latest of three updates of the same message queued together", async () => {
    const s = setup();
    const done: string[] = [];
    for (const version of ["v1", "v2", "v3"]) {
      s.queue.enqueue("C1", {
        key: "update:C1:1.0",
        run: s.script(version),
        onDone: (result) => done.push(result),
      });
    }
    await s.clock.runUntilSettled(s.queue.idle());
    expect(s.sent).toEqual([["v3", 0]]);
    expect(done).toEqual(["v3"]);
    expect(s.queue.stats().C1).toEqual({
      queued: 0,
      sent: 1,
      retried: 0,
      rateLimited: 0,
      coalesced: 2,
      dropped: 0,
    });
  });

  it("the newer update takes the place of the queued one; jobs without a key are all sent", async () => {
    const s = setup();
    s.queue.enqueue("C1", { run: s.script("post root") });
    s.queue.enqueue("C1", { key: "update:C1:1.0", run: s.script("update v1") });
    s.queue.enqueue("C1", { run: s.script("reply 1") });
    s.queue.enqueue("C1", { run: s.script("reply 2") });
    s.queue.enqueue("C1", { key: "update:C1:1.0", run: s.script("update v2") });
    s.queue.enqueue("C1", { key: "update:C1:2.0", run: s.script("other message") });
    await s.clock.runUntilSettled(s.queue.idle());
    expect(s.sent.map(([label]) => label)).toEqual([
      "post root",
      "update v2",
      "reply 1",
      "reply 2",
      "other message",
    ]);
  });

  it("never replaces an update already on the wire: the newer one is sent after it", async () => {
    const s = setup();
    let release: () => void = () => {};
    const inFlight = new Promise<void>((resolve) => (release = resolve));
    s.queue.enqueue("C1", {
      key: "update:C1:1.0",
      run: async () => {
        s.runs.push(["v1 started", s.elapsed()]);
        await inFlight;
        s.sent.push(["v1", s.elapsed()]);
      },
    });
    await s.clock.advance(0); // lets the worker start v1
    expect(s.runs).toEqual([["v1 started", 0]]);
    s.queue.enqueue("C1", { key: "update:C1:1.0", run: s.script("v2") });
    s.queue.enqueue("C1", { key: "update:C1:1.0", run: s.script("v3") });
    release();
    await s.clock.runUntilSettled(s.queue.idle());
    expect(s.sent.map(([label]) => label)).toEqual(["v1", "v3"]);
    expect(s.queue.stats().C1?.coalesced).toBe(1);
  });

  it("a newer update replaces one waiting for its retry, which then sends the newer payload", async () => {
    const s = setup({ baseBackoffMs: 1_000 });
    s.queue.enqueue("C1", { key: "update:C1:1.0", run: s.script("v1", [network()]) });
    await s.clock.advance(100); // v1 failed, the channel waits 500 ms (equal jitter, random 0)
    s.queue.enqueue("C1", { key: "update:C1:1.0", run: s.script("v2") });
    await s.clock.runUntilSettled(s.queue.idle());
    expect(s.runs).toEqual([
      ["v1", 0],
      ["v2", 500],
    ]);
    expect(s.sent).toEqual([["v2", 500]]);
  });
});

describe("ChannelSendQueue: ordering", () => {
  it("a thread reply waits while the post that creates its root is retried", async () => {
    const s = setup({ baseBackoffMs: 1_000 });
    s.queue.enqueue("C1", { run: s.script("root", [serverError(), network()]) });
    s.queue.enqueue("C1", { run: s.script("reply") });
    await s.clock.runUntilSettled(s.queue.idle());
    expect(s.runs).toEqual([
      ["root", 0],
      ["root", 500],
      ["root", 1_500],
      ["reply", 1_500],
    ]);
    expect(s.sent.map(([label]) => label)).toEqual(["root", "reply"]);
  });
});

describe("ChannelSendQueue: jobs prepared off the queue", () => {
  it("a job still being prepared lets later jobs go first, is sent when ready, and idle() waits for it", async () => {
    const s = setup();
    let ready: (job: { run: () => Promise<string> }) => void = () => undefined;
    s.queue.enqueue("C1", { run: s.script("analysis reply") });
    s.queue.enqueueWhenReady(
      "C1",
      new Promise<{ run: () => Promise<string> }>((resolve) => {
        ready = resolve;
      }),
    );
    s.queue.enqueue("C1", { run: s.script("rolling back") });
    let idle = false;
    void s.queue.idle().then(() => {
      idle = true;
    });
    await s.clock.runUntilSettled(new Promise((r) => setTimeout(r, 0)));
    expect(s.sent.map(([label]) => label)).toEqual(["analysis reply", "rolling back"]);
    expect(idle).toBe(false);
    ready({ run: s.script("chart") });
    await s.clock.runUntilSettled(s.queue.idle());
    expect(s.sent.map(([label]) => label)).toEqual(["analysis reply", "rolling back", "chart"]);
    expect(idle).toBe(true);
  });

  it("a preparation that gives nothing, or fails, sends nothing and does not hold idle()", async () => {
    const s = setup();
    s.queue.enqueueWhenReady("C1", Promise.resolve(undefined));
    s.queue.enqueueWhenReady("C1", Promise.reject(new Error("render failed")));
    s.queue.enqueue("C1", { run: s.script("reply") });
    await s.clock.runUntilSettled(s.queue.idle());
    expect(s.sent.map(([label]) => label)).toEqual(["reply"]);
  });
});

describe("ChannelSendQueue: rate limits", () => {
  it("a 429 in channel A pauses A for Retry-After while channel B keeps sending", async () => {
    const s = setup();
    s.queue.enqueue("A", { run: s.script("A1", [rateLimited(30)]) });
    s.queue.enqueue("A", { run: s.script("A2") });
    s.queue.enqueue("B", { run: s.script("B1") });
    s.queue.enqueue("B", { run: s.script("B2") });
    await s.clock.advance(10_000);
    s.queue.enqueue("B", { run: s.script("B3") });
    await s.clock.runUntilSettled(s.queue.idle());
    expect(s.sent).toEqual([
      ["B1", 0],
      ["B2", 0],
      ["B3", 10_000],
      ["A1", 30_000],
      ["A2", 30_000],
    ]);
    const stats = s.queue.stats();
    expect(stats.A).toMatchObject({ sent: 2, rateLimited: 1, retried: 1, dropped: 0 });
    expect(stats.B).toMatchObject({ sent: 3, rateLimited: 0, retried: 0 });
  });

  it("429s are not failed attempts, up to maxRateLimitPauses; then the job is given up and the channel moves on", async () => {
    const s = setup({ maxAttempts: 2, maxRateLimitPauses: 3 });
    s.queue.enqueue("A", { run: s.script("patient", [rateLimited(1), rateLimited(2), rateLimited(3)]) });
    const gaveUp: KanariaError[] = [];
    s.queue.enqueue("A", {
      run: s.script("hopeless", [rateLimited(5), rateLimited(5), rateLimited(5), rateLimited(5)]),
      onGiveUp: (error) => gaveUp.push(error),
    });
    s.queue.enqueue("A", { run: s.script("next") });
    await s.clock.runUntilSettled(s.queue.idle());
    expect(s.runs).toEqual([
      ["patient", 0],
      ["patient", 1_000],
      ["patient", 3_000],
      ["patient", 6_000],
      ["hopeless", 6_000],
      ["hopeless", 11_000],
      ["hopeless", 16_000],
      ["hopeless", 21_000],
      ["next", 21_000],
    ]);
    expect(s.sent.map(([label]) => label)).toEqual(["patient", "next"]);
    expect(gaveUp.map((e) => e.code)).toEqual(["slack_send_rate_limited"]);
    expect(gaveUp[0]?.cause).toBeInstanceOf(WebAPIRateLimitedError);
    expect(s.queue.stats().A).toMatchObject({ sent: 2, rateLimited: 7, dropped: 1 });
  });

  it("honours the Retry-After of a real WebClient (rejectRateLimitedCalls) talking to a loopback server", async () => {
    const s = setup();
    const requests: Array<{ path: string; at: number }> = [];
    let answered429 = false;
    const server: Server = createServer((request, response) => {
      request.resume();
      request.on("end", () => {
        requests.push({ path: request.url ?? "", at: s.elapsed() });
        if (!answered429) {
          answered429 = true;
          response.writeHead(429, { "Retry-After": "7", "Content-Type": "application/json" });
          response.end(JSON.stringify({ ok: false, error: "ratelimited" }));
          return;
        }
        response.writeHead(200, { "Content-Type": "application/json" });
        response.end(JSON.stringify({ ok: true, channel: "C1", ts: "1700000000.000100" }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const client = new WebClient("xoxb-test", {
        slackApiUrl: `http://127.0.0.1:${port}/api/`,
        rejectRateLimitedCalls: true,
        retryConfig: { retries: 0 },
      });
      const results: Array<string | undefined> = [];
      s.queue.enqueue("C1", {
        run: () => client.chat.postMessage({ channel: "C1", text: "canary started" }),
        onDone: (result) => results.push(result.ts),
      });
      await s.clock.runUntilSettled(s.queue.idle());
      expect(requests).toEqual([
        { path: "/api/chat.postMessage", at: 0 },
        { path: "/api/chat.postMessage", at: 7_000 },
      ]);
      expect(results).toEqual(["1700000000.000100"]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe("ChannelSendQueue: retries", () => {
  it("retries transient errors with exponential backoff, then succeeds", async () => {
    const s = setup({ baseBackoffMs: 1_000, maxBackoffMs: 60_000, random: () => 0.5 });
    const done: string[] = [];
    s.queue.enqueue("C1", {
      run: s.script("post", [network(), serverError(), platform("internal_error")]),
      onDone: (result) => done.push(result),
    });
    await s.clock.runUntilSettled(s.queue.idle());
    // random 0.5 → 3/4 of the nominal 1 s, 2 s, 4 s
    expect(s.runs).toEqual([
      ["post", 0],
      ["post", 750],
      ["post", 2_250],
      ["post", 5_250],
    ]);
    expect(done).toEqual(["post"]);
    expect(s.queue.stats().C1).toMatchObject({ sent: 1, retried: 3, dropped: 0 });
  });

  it("gives up after maxAttempts runs, reports why, and moves on to the next job", async () => {
    const s = setup({ maxAttempts: 3, baseBackoffMs: 1_000 });
    const gaveUp: KanariaError[] = [];
    const last = serverError();
    s.queue.enqueue("C1", {
      run: s.script("doomed", [network(), network(), last, network()]),
      onDone: () => expect.unreachable("the job must not succeed"),
      onGiveUp: (error) => gaveUp.push(error),
    });
    s.queue.enqueue("C1", { run: s.script("next") });
    await s.clock.runUntilSettled(s.queue.idle());
    expect(s.runs).toEqual([
      ["doomed", 0],
      ["doomed", 500],
      ["doomed", 1_500],
      ["next", 1_500],
    ]);
    expect(gaveUp).toHaveLength(1);
    expect(gaveUp[0]?.code).toBe("slack_send_failed");
    expect(gaveUp[0]?.cause).toBe(last);
    expect(s.queue.stats().C1).toMatchObject({ sent: 1, retried: 2, dropped: 1, queued: 0 });
  });

  it.each([...NON_RETRYABLE_SLACK_ERRORS])("does not retry %s", async (reason) => {
    const s = setup();
    const gaveUp: KanariaError[] = [];
    s.queue.enqueue("C1", { run: s.script("bad", [platform(reason)]), onGiveUp: (e) => gaveUp.push(e) });
    s.queue.enqueue("C1", { run: s.script("next") });
    await s.clock.runUntilSettled(s.queue.idle());
    expect(s.runs).toEqual([
      ["bad", 0],
      ["next", 0],
    ]);
    expect(gaveUp.map((e) => [e.code, e.message])).toEqual([
      ["slack_send_rejected", `Slack refused the call: ${reason}`],
    ]);
  });

  it("a callback that throws does not stop the channel", async () => {
    const s = setup();
    s.queue.enqueue("C1", {
      run: s.script("first"),
      onDone: () => {
        throw new Error("caller bug");
      },
    });
    s.queue.enqueue("C1", { run: s.script("second") });
    await s.clock.runUntilSettled(s.queue.idle());
    expect(s.sent.map(([label]) => label)).toEqual(["first", "second"]);
  });
});

describe("ChannelSendQueue: idle() and close()", () => {
  it("idle() resolves at once when nothing was queued, and only once every channel is empty", async () => {
    const s = setup({ baseBackoffMs: 1_000 });
    await s.queue.idle();
    s.queue.enqueue("A", { run: s.script("A", [network()]) });
    s.queue.enqueue("B", { run: s.script("B") });
    let idle = false;
    void s.queue.idle().then(() => (idle = true));
    await s.clock.advance(499);
    expect(idle).toBe(false);
    expect(s.queue.stats().A?.queued).toBe(1);
    expect(s.queue.stats().B?.queued).toBe(0);
    await s.clock.advance(1);
    expect(idle).toBe(true);
    expect(s.sent).toEqual([
      ["B", 0],
      ["A", 500],
    ]);
  });

  it("close() lets the call in flight finish and gives up the rest, including later enqueues", async () => {
    const s = setup({ baseBackoffMs: 1_000 });
    const outcomes: string[] = [];
    const record = (label: string) => ({
      onDone: () => outcomes.push(`${label}: sent`),
      onGiveUp: (error: KanariaError) => outcomes.push(`${label}: ${error.code}`),
    });
    let release: () => void = () => {};
    const inFlight = new Promise<void>((resolve) => (release = resolve));
    s.queue.enqueue("A", { run: s.script("A1", [network()]), ...record("A1") });
    s.queue.enqueue("A", { run: s.script("A2"), ...record("A2") });
    s.queue.enqueue("B", {
      run: async () => {
        await inFlight;
        return "B1";
      },
      ...record("B1"),
    });
    s.queue.enqueue("B", { run: s.script("B2"), ...record("B2") });
    await s.clock.advance(100); // A1 failed and waits for its retry; B1 is on the wire
    const closed = s.queue.close();
    release();
    await closed;
    s.queue.enqueue("A", { run: s.script("late"), ...record("late") });
    await s.queue.idle();
    await Promise.resolve();
    expect(outcomes).toEqual([
      "A1: slack_send_queue_closed",
      "A2: slack_send_queue_closed",
      "B1: sent",
      "B2: slack_send_queue_closed",
      "late: slack_send_queue_closed",
    ]);
    expect(s.runs).toEqual([["A1", 0]]);
    expect(s.clock.pendingTimers()).toBe(0);
    expect(s.queue.stats().A).toMatchObject({ queued: 0, dropped: 3 });
  });
});

describe("backoffDelayMs", () => {
  const options = { baseBackoffMs: 1_000, maxBackoffMs: 8_000 };
  it.each([
    [1, 0, 500],
    [1, 0.999, 1_000],
    [2, 0, 1_000],
    [3, 0.5, 3_000],
    [4, 0, 4_000],
    [5, 0, 4_000],
    [30, 0.5, 6_000],
  ])("failure %i with random %f → %i ms", (failures, random, expected) => {
    expect(backoffDelayMs(failures, options, () => random)).toBe(expected);
  });
});

describe("classifySendError", () => {
  it("reads the real @slack/web-api errors", () => {
    expect(classifySendError(rateLimited(12))).toEqual({ kind: "rate-limited", retryAfterMs: 12_000 });
    expect(classifySendError(rateLimited(0))).toEqual({ kind: "rate-limited", retryAfterMs: 1_000 });
    expect(classifySendError(platform("not_in_channel"))).toEqual({
      kind: "permanent",
      reason: "not_in_channel",
    });
    expect(classifySendError(platform("internal_error"))).toEqual({
      kind: "transient",
      reason: "internal_error",
    });
    expect(classifySendError(serverError())).toEqual({
      kind: "transient",
      reason: "slack_webapi_http_error",
    });
    expect(classifySendError(new Error("boom"))).toEqual({ kind: "transient", reason: "boom" });
    expect(classifySendError("weird")).toEqual({ kind: "transient", reason: "weird" });
  });
});
