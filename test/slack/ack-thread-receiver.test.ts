/**
 * The HTTP receiver on its own thread: a real Bolt App with AckThreadReceiver, signed requests sent
 * from another worker thread (so that they go out and are answered while this test's main thread is
 * deliberately blocked), and the listener running on the main thread afterwards.
 */
import { Writable } from "node:stream";
import { App } from "@slack/bolt";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { type RemoteFetch, startRemoteFetch } from "../../bench/slack/remote-fetch.js";
import { slackSignature } from "../../sandbox/slack-signed-client.js";
import { silentLogger } from "../../src/engine/logger.js";
import { AckThreadReceiver, type AckThreadReceiverOptions } from "../../src/slack/ack-thread-receiver.js";

const SECRET = "test-signing-secret";

/** Blocks this thread's event loop for `ms` (as a CPU-bound engine step would) and returns when it ended. */
function blockMainThread(ms: number): number {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return Date.now();
}

function signed(
  body: string,
  secret = SECRET,
  options: { contentType?: string; offsetSeconds?: number } = {},
): Record<string, string> {
  const timestamp = Math.floor(Date.now() / 1000) + (options.offsetSeconds ?? 0);
  return {
    "content-type": options.contentType ?? "application/x-www-form-urlencoded",
    "x-slack-request-timestamp": String(timestamp),
    "x-slack-signature": slackSignature(secret, timestamp, body),
  };
}

function commandBody(text: string): string {
  return new URLSearchParams({
    command: "/deploy",
    text,
    user_id: "U1",
    channel_id: "C1",
    team_id: "T1",
    trigger_id: `trigger-${text}`,
    response_url: "http://127.0.0.1:9/unused",
  }).toString();
}

interface Running {
  app: App;
  receiver: AckThreadReceiver;
  port: number;
  remote: RemoteFetch;
  seen: { text: string; at: number }[];
}

let running: Running | undefined;
afterEach(async () => {
  await running?.remote.close();
  await running?.app.stop();
  running = undefined;
});

async function start(
  options: Pick<
    AckThreadReceiverOptions,
    "healthTimeoutMs" | "maxRestartsPerMinute" | "onRestart" | "onFailure"
  > & { logger?: pino.Logger } = {},
): Promise<Running> {
  const { logger, ...rest } = options;
  const receiver = new AckThreadReceiver({
    signingSecret: SECRET,
    logger: logger ?? silentLogger(),
    ...rest,
  });
  const app = new App({
    token: "xoxb-test",
    botId: "B1",
    botUserId: "UBOT",
    receiver,
    tokenVerificationEnabled: false,
  });
  const seen: { text: string; at: number }[] = [];
  app.command("/deploy", async ({ command, ack }) => {
    await ack(command.text === "answer in the ack" ? "too late" : undefined);
    seen.push({ text: command.text, at: Date.now() });
  });
  const port = (await app.start(0)) as unknown as number;
  running = { app, receiver, port, remote: startRemoteFetch(), seen };
  return running;
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(check()).toBe(true);
}

describe("AckThreadReceiver", () => {
  it("acks a command while the main thread is busy, and the listener runs when it is free", async () => {
    const r = await start();
    // The sending thread is booted and has a connection before the main thread blocks: its start-up is
    // not what this measures.
    expect((await r.remote.fetch(`http://127.0.0.1:${r.port}/healthz`)).status).toBe(200);
    const body = commandBody("web v2");
    const reply = r.remote.fetch(`http://127.0.0.1:${r.port}/slack/events`, {
      method: "POST",
      headers: signed(body),
      body,
    });
    const freeAt = blockMainThread(1500);
    const response = await reply;
    expect(response.status).toBe(200);
    const timing = r.remote.timing(body);
    // The ack was read by the sending thread before this thread could have run any of the bot's code.
    expect(timing?.endedAtMs).toBeLessThan(freeAt);
    await until(() => r.seen.length === 1);
    expect(r.seen[0]?.text).toBe("web v2");
    expect(r.seen[0]?.at).toBeGreaterThanOrEqual(freeAt);
  });

  it("turns away a forged signature with 401 and never calls the listener", async () => {
    const r = await start();
    const body = commandBody("forged");
    const response = await r.remote.fetch(`http://127.0.0.1:${r.port}/slack/events`, {
      method: "POST",
      headers: signed(body, "not-the-secret"),
      body,
    });
    expect(response.status).toBe(401);
    const fresh = commandBody("fresh");
    const ok = await r.remote.fetch(`http://127.0.0.1:${r.port}/slack/events`, {
      method: "POST",
      headers: signed(fresh),
      body: fresh,
    });
    expect(ok.status).toBe(200);
    await until(() => r.seen.length === 1);
    expect(r.seen.map((s) => s.text)).toEqual(["fresh"]);
  });

  it("answers /healthz 200 when the main thread answers, 503 when it is stuck", async () => {
    const r = await start({ healthTimeoutMs: 200 });
    const healthy = await r.remote.fetch(`http://127.0.0.1:${r.port}/healthz`);
    expect(healthy.status).toBe(200);
    expect(await healthy.text()).toBe("ok\n");

    const stuck = r.remote.fetch(`http://127.0.0.1:${r.port}/healthz`);
    blockMainThread(1000);
    const answer = await stuck;
    expect(answer.status).toBe(503);
    expect(await answer.text()).toBe("the bot's main thread did not answer within 200 ms\n");
  });

  it("logs an ack that carries a body, which cannot reach Slack any more", async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: "warn" },
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const r = await start({ logger });
    const body = commandBody("answer in the ack");
    const response = await r.remote.fetch(`http://127.0.0.1:${r.port}/slack/events`, {
      method: "POST",
      headers: signed(body),
      body,
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("");
    await until(() => r.seen.length === 1);
    expect(lines.join("")).toContain("an ack with a body was not delivered");
  });

  it("frees its port when stopped, so a new receiver can listen on it", async () => {
    const r = await start();
    await r.app.stop();
    const again = new AckThreadReceiver({ signingSecret: SECRET, logger: silentLogger() });
    const app = new App({ token: "xoxb-test", receiver: again, tokenVerificationEnabled: false });
    expect(await app.start(r.port)).toBe(r.port);
    await app.stop();
    await expect(fetch(`http://127.0.0.1:${r.port}/healthz`)).rejects.toThrow();
  });

  it("says which port it could not listen on", async () => {
    const r = await start();
    const second = new AckThreadReceiver({ signingSecret: SECRET, logger: silentLogger() });
    const app = new App({ token: "xoxb-test", receiver: second, tokenVerificationEnabled: false });
    await expect(app.start(r.port)).rejects.toThrow(`the Slack receiver could not listen on port ${r.port}`);
  });

  it("answers 400 to a signed body that is not a Slack payload object, and goes on receiving", async () => {
    const r = await start();
    const url = `http://127.0.0.1:${r.port}/slack/events`;
    const post = (body: string, contentType: string, secret = SECRET) =>
      fetch(url, { method: "POST", headers: signed(body, secret, { contentType }), body });
    const form = "application/x-www-form-urlencoded";
    const json = "application/json";
    // Unsigned, the same bodies learn nothing but 401.
    expect((await post("payload=null", form, "not-the-secret")).status).toBe(401);
    expect((await post("null", json, "not-the-secret")).status).toBe(401);
    const bodies: [string, string][] = [
      ["payload=null", form],
      ["null", json],
      ["payload=17", form],
      ['payload="text"', form],
      ["payload=%5B%5D", form],
      ["[]", json],
      ["true", json],
      ["{not json", json],
      ["null", "text/plain"],
    ];
    for (const [body, contentType] of bodies) {
      expect({ body, contentType, status: (await post(body, contentType)).status }).toEqual({
        body,
        contentType,
        status: 400,
      });
    }
    const health = await fetch(`http://127.0.0.1:${r.port}/healthz`);
    expect(health.status).toBe(200);
    const fresh = commandBody("after the junk");
    expect((await fetch(url, { method: "POST", headers: signed(fresh), body: fresh })).status).toBe(200);
    await until(() => r.seen.length === 1);
    expect(r.seen.map((s) => s.text)).toEqual(["after the junk"]);
  });

  it("turns away timestamps more than five minutes from now, in the past or in the future", async () => {
    const r = await start();
    const url = `http://127.0.0.1:${r.port}/slack/events`;
    const status = async (text: string, offsetSeconds: number) => {
      const body = commandBody(text);
      const headers = signed(body, SECRET, { offsetSeconds });
      return (await fetch(url, { method: "POST", headers, body })).status;
    };
    expect(await status("six minutes ago", -6 * 60)).toBe(401);
    expect(await status("six minutes ahead", 6 * 60)).toBe(401);
    expect(await status("ten minutes ahead", 10 * 60)).toBe(401);
    expect(await status("a year ahead", 365 * 24 * 3600)).toBe(401);
    // Clocks differ a little: within the window either way is taken.
    expect(await status("four minutes ago", -4 * 60)).toBe(200);
    expect(await status("four minutes ahead", 4 * 60)).toBe(200);
    await until(() => r.seen.length === 2);
    expect(r.seen.map((s) => s.text).sort()).toEqual(["four minutes ago", "four minutes ahead"]);
  });

  it("replaces a receiving thread that dies with a new one on the same port", async () => {
    const restartedOn: number[] = [];
    const failures: Error[] = [];
    const r = await start({
      onRestart: (port) => restartedOn.push(port),
      onFailure: (error) => failures.push(error),
    });
    expect(await r.receiver.injectCrash()).toBe(r.port);
    expect(restartedOn).toEqual([r.port]);
    const health = await fetch(`http://127.0.0.1:${r.port}/healthz`);
    expect(health.status).toBe(200);
    const body = commandBody("after the crash");
    const url = `http://127.0.0.1:${r.port}/slack/events`;
    expect((await fetch(url, { method: "POST", headers: signed(body), body })).status).toBe(200);
    await until(() => r.seen.length === 1);
    expect(r.seen.map((s) => s.text)).toEqual(["after the crash"]);
    expect(failures).toEqual([]);
  });

  it("gives up through onFailure when the thread keeps dying, and stops listening", async () => {
    const failures: Error[] = [];
    const r = await start({ maxRestartsPerMinute: 1, onFailure: (error) => failures.push(error) });
    expect(await r.receiver.injectCrash()).toBe(r.port);
    const gaveUp = await r.receiver.injectCrash().then(
      () => new Error("the receiver restarted a second time"),
      (error: Error) => error,
    );
    expect(gaveUp.message).toBe("the Slack receiver thread died 2 times within a minute");
    expect((gaveUp.cause as Error).message).toBe("a crash injected into the Slack receiver thread");
    expect(failures).toEqual([gaveUp]);
    await expect(fetch(`http://127.0.0.1:${r.port}/healthz`)).rejects.toThrow();
  });
});
