/**
 * A small sandbox Slack workspace for the slack-*.test.ts files, and a real WebClient pointed at it.
 */
import { LogLevel, WebClient } from "@slack/web-api";
import {
  type SandboxSlack,
  type SandboxSlackOptions,
  startSandboxSlack,
} from "../../sandbox/slack-server.js";

export const BOT_TOKEN = "xoxb-sandbox-token";
export const SIGNING_SECRET = "sandbox-signing-secret";
export const BOT_USER = "U0BOT";
export const ALICE = "U0ALICE";
export const BOB = "U0BOB";
export const DEPLOYS = "C0DEPLOYS";
export const OPS = "C0OPS";
export const SRE_GROUP = "S0SRE";

export function startTestSlack(overrides: Partial<SandboxSlackOptions> = {}): Promise<SandboxSlack> {
  return startSandboxSlack({
    botToken: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    botUserId: BOT_USER,
    users: [
      { id: ALICE, name: "alice", realName: "Alice Sato", tz: "Asia/Tokyo" },
      { id: BOB, name: "bob", realName: "Bob Tanaka" },
    ],
    usergroups: [{ id: SRE_GROUP, handle: "sre", users: [ALICE, BOB] }],
    channels: [
      { id: DEPLOYS, name: "deploys" },
      { id: OPS, name: "ops" },
    ],
    ...overrides,
  });
}

/** A WebClient on the sandbox; no retries unless asked, so a 429 or 503 surfaces at once. */
export function webClient(
  slack: SandboxSlack,
  options: { token?: string; retries?: number; rejectRateLimitedCalls?: boolean } = {},
): WebClient {
  return new WebClient(options.token ?? BOT_TOKEN, {
    slackApiUrl: slack.apiUrl,
    retryConfig: { retries: options.retries ?? 0, minTimeout: 10, maxTimeout: 10, factor: 1 },
    rejectRateLimitedCalls: options.rejectRateLimitedCalls ?? false,
    logLevel: LogLevel.ERROR,
  });
}

/** The Slack `error` of a failed WebClient call (`channel_not_found`, …). */
export async function slackError(call: Promise<unknown>): Promise<{ error: string; errors?: string[] }> {
  try {
    await call;
  } catch (caught) {
    const data = (caught as { data?: { error: string; errors?: string[] } }).data;
    if (data) return data;
    throw caught;
  }
  throw new Error("expected the call to fail");
}

/** POST to the sandbox Web API with fetch (to control the encoding and headers exactly). */
export function rawCall(
  slack: SandboxSlack,
  method: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${slack.apiUrl}${method}`, {
    method: "POST",
    headers: { authorization: `Bearer ${BOT_TOKEN}`, ...headers },
    body,
  });
}
