/**
 * The Slack half of `check-config --online`: does Slack accept the bot token, and does the token carry
 * every scope the manifest asks for? Read-only: `auth.test` only, whose answer carries the token's
 * granted scopes in the `x-oauth-scopes` header (the Web API client exposes them as
 * `response_metadata.scopes`). With an app-level token (Socket Mode), `apps.connections.open` shows
 * that the token opens connections; the URL it returns is never used.
 */
import { type WebAPICallResult, WebClient } from "@slack/web-api";
import type { OnlineFinding } from "../domain/online-finding.js";
import { boundedFetch } from "./bounded-fetch.js";
import { REQUIRED_BOT_SCOPES } from "./required-scopes.js";

export interface SlackTokenCheck {
  botToken: string;
  /** Socket Mode's app-level token, when configured. */
  appToken?: string;
  /** Web API base URL override (the sandbox). */
  apiUrl?: string;
  /** Each call ends within this (default 10 s): a check must not hang on a dead link. */
  timeoutMs?: number;
}

const SUBJECT = "slack";

export async function checkSlackToken(check: SlackTokenCheck): Promise<OnlineFinding[]> {
  const client = clientFor(check.botToken, check);
  const findings: OnlineFinding[] = [];
  let auth: WebAPICallResult;
  try {
    auth = await client.auth.test();
  } catch (error) {
    return [{ severity: "error", subject: SUBJECT, message: `bot token: ${refusal(error, check)}` }];
  }
  const granted = auth.response_metadata?.scopes;
  if (granted === undefined) {
    findings.push({
      severity: "warning",
      subject: SUBJECT,
      message: "auth.test did not report the bot token's scopes; they could not be checked",
    });
  } else {
    const missing = REQUIRED_BOT_SCOPES.filter((scope) => !granted.includes(scope));
    if (missing.length > 0)
      findings.push({
        severity: "error",
        subject: SUBJECT,
        message:
          `the bot token lacks scope(s) ${missing.join(", ")}: add them to the app (manifest.yml lists ` +
          "every scope Kanaria needs) and reinstall it to the workspace",
      });
    const extra = granted.filter((scope) => !REQUIRED_BOT_SCOPES.includes(scope));
    if (extra.length > 0)
      findings.push({
        severity: "warning",
        subject: SUBJECT,
        message: `the bot token also has scope(s) Kanaria never uses: ${extra.join(", ")} (least privilege: remove them)`,
      });
  }
  if (check.appToken !== undefined) {
    try {
      await clientFor(check.appToken, check).apps.connections.open();
    } catch (error) {
      findings.push({
        severity: "error",
        subject: SUBJECT,
        message: `app-level token: ${refusal(error, check)}`,
      });
    }
  }
  return findings;
}

function clientFor(token: string, check: SlackTokenCheck): WebClient {
  const timeout = check.timeoutMs ?? 10_000;
  return new WebClient(token, {
    timeout,
    fetch: boundedFetch(timeout),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    ...(check.apiUrl ? { slackApiUrl: check.apiUrl } : {}),
  });
}

/** Slack's refusal as one line with what to do: a platform error code, or why Slack was not reached. */
function refusal(error: unknown, check: SlackTokenCheck): string {
  const data = (error as { data?: { error?: unknown } }).data;
  const code = typeof data?.error === "string" ? data.error : undefined;
  if (
    code === "invalid_auth" ||
    code === "not_authed" ||
    code === "token_revoked" ||
    code === "account_inactive"
  )
    return `Slack refused it (${code}): copy the token again from the app's settings (OAuth & Permissions, or Basic Information → App-Level Tokens)`;
  if (code === "not_allowed_token_type")
    return "Slack refused it (not_allowed_token_type): the bot token is xoxb-…, the app-level token xapp-… (with connections:write)";
  if (code !== undefined) return `Slack answered ${code}`;
  const where = check.apiUrl ?? "https://slack.com/api/";
  return `Slack could not be reached at ${where}: ${error instanceof Error ? error.message : String(error)}`;
}
