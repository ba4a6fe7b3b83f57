/**
 * `kanaria check-config --online` end to end through the CLI: the sandbox Slack (auth.test with the
 * token's scopes in `x-oauth-scopes`, as Slack sends them) and the sandbox stack's ECS + ALB. A correct
 * setup passes; a token without a scope, a wrong token and an unreachable AWS endpoint are each one line
 * that says what to fix, and the exit status is 1.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startSandboxStack } from "../../sandbox/cli/sandbox-stack.js";
import { type SandboxSlack, startSandboxSlack } from "../../sandbox/slack-server.js";
import { runCli } from "../../src/cli/run-cli.js";
import { REQUIRED_BOT_SCOPES } from "../../src/slack/required-scopes.js";
import { FakeClock } from "../fakes/fake-clock.js";

const BOT_TOKEN = "xoxb-online-check";

interface Setup {
  dir: string;
  stack: Awaited<ReturnType<typeof startSandboxStack>>;
  out: string[];
  close(): Promise<void>;
  run(env?: Record<string, string>): Promise<number>;
}

async function setUp(botScopes?: readonly string[]): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), "kanaria-online-"));
  const slack: SandboxSlack = await startSandboxSlack({
    botToken: BOT_TOKEN,
    signingSecret: "secret",
    botUserId: "U0KANARIA",
    users: [],
    channels: [{ id: "C0DEPLOYS", name: "deploys" }],
    ...(botScopes ? { botScopes } : {}),
  });
  const stack = await startSandboxStack({
    clock: new FakeClock(),
    dir,
    slackYaml: [
      "slack:",
      "  botToken: {env: ONLINE_BOT_TOKEN}",
      "  signingSecret: {env: ONLINE_SIGNING_SECRET}",
      `  apiUrl: ${slack.apiUrl}`,
    ],
    channel: "C0DEPLOYS",
    deployers: [],
    approvers: [],
  });
  // The sandbox accepts any credentials; the CLI reads them from the file kanaria.yaml names.
  writeFileSync(
    join(dir, "aws-credentials"),
    "[default]\naws_access_key_id = sandbox\naws_secret_access_key = sandbox\n",
  );
  const file = join(dir, "kanaria.yaml");
  writeFileSync(
    file,
    readFileSync(file, "utf8").replace(
      /^( +)region: (.+)$/m,
      "$1region: $2\n$1credentialsFile: ./aws-credentials",
    ),
  );
  const out: string[] = [];
  return {
    dir,
    stack,
    out,
    async close() {
      await stack.close();
      await slack.close();
      rmSync(dir, { recursive: true, force: true });
    },
    run: (env = {}) =>
      runCli(["check-config", "--online", "--config", join(dir, "kanaria.yaml")], {
        out: (line) => out.push(line),
        err: (line) => out.push(line),
        cwd: dir,
        env: { ONLINE_BOT_TOKEN: BOT_TOKEN, ONLINE_SIGNING_SECRET: "secret", ...env },
        stopSignal: () => new Promise(() => {}),
      }),
  };
}

describe("kanaria check-config --online", () => {
  let setup: Setup | undefined;
  afterEach(async () => {
    await setup?.close();
    setup = undefined;
  });

  it("passes a correct setup, with the not-yet-created service as a warning", async () => {
    setup = await setUp();
    expect(await setup.run()).toBe(0);
    expect(setup.out.slice(-3)).toEqual([
      'warning: app web: ECS service "web" does not exist in cluster "demo": the first /deploy creates it (quick sync)',
      'warning: app web: task definition family "web" has no registered revision: the first /deploy registers it',
      "online: 0 errors, 2 warnings",
    ]);
  });

  it("names the scope the bot token lacks", async () => {
    setup = await setUp(REQUIRED_BOT_SCOPES.filter((s) => s !== "files:write"));
    expect(await setup.run()).toBe(1);
    expect(setup.out).toContain(
      "error: slack: the bot token lacks scope(s) files:write: add them to the app (manifest.yml lists every scope Kanaria needs) and reinstall it to the workspace",
    );
  });

  it("says Slack refused a wrong token", async () => {
    setup = await setUp();
    expect(await setup.run({ ONLINE_BOT_TOKEN: "xoxb-wrong" })).toBe(1);
    expect(setup.out).toContain(
      "error: slack: bot token: Slack refused it (invalid_auth): copy the token again from the app's settings (OAuth & Permissions, or Basic Information → App-Level Tokens)",
    );
  });

  it("reports an AWS endpoint that does not answer as one line, and still checks Slack", async () => {
    setup = await setUp();
    const file = join(setup.dir, "kanaria.yaml");
    // Port 9 on loopback (discard) is closed here: every connection is refused at once.
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace(/(ecs|elbv2): http:\/\/[^\s]+/g, "$1: http://127.0.0.1:9"),
    );
    expect(await setup.run()).toBe(1);
    const line = setup.out.find((l) => l.startsWith("error: app web:"));
    expect(line).toMatch(/^error: app web: DescribeClusters failed \(after 2 attempts\): ECONNREFUSED: /);
    expect(setup.out.at(-1)).toBe("online: 1 error, 0 warnings");
  });

  it("probes every analysis provider with a read-only query, and names the one that refuses", async () => {
    setup = await setUp();
    writeFileSync(join(setup.dir, "dd-api-key"), "not-the-key\n");
    expect(await setup.run()).toBe(1);
    const refused = setup.out.filter((l) => l.includes("analysis provider"));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatch(
      /^error: analysis provider "datadog" \(DATADOG\): a read-only test query failed: .*403/,
    );
  });

  it("names the permission CloudWatch refuses", async () => {
    setup = await setUp();
    setup.stack.cloud.cloudwatchAccess.deny("GetMetricData");
    expect(await setup.run()).toBe(1);
    expect(setup.out.find((l) => l.includes('analysis provider "cloudwatch"'))).toMatch(
      /^error: analysis provider "cloudwatch" \(CLOUDWATCH\): a read-only test query failed: .*cloudwatch:GetMetricData/,
    );
  });

  it("does not go online while the offline check has errors", async () => {
    setup = await setUp();
    expect(await setup.run({ ONLINE_BOT_TOKEN: "" })).toBe(1);
    expect(setup.out.at(-1)).toBe("online checks skipped: fix the errors above first");
  });
});
