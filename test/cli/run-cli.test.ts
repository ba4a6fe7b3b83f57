import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startSandboxSlack } from "../../sandbox/slack-server.js";
import { SlackSignedClient } from "../../sandbox/slack-signed-client.js";
import { runCli } from "../../src/cli/run-cli.js";
import type { Env } from "../../src/config/read-secret.js";
import type { Deployment } from "../../src/domain/deployment.js";
import { openStore } from "../../src/store/store.js";
import { DEFAULT_SECRETS_ENV } from "../config/config-test-helpers.js";
import { toyAppConfig } from "../fixtures/toy-app.js";

const SEED = resolve(import.meta.dirname, "../fixtures/seeds/seed-example");
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), "kanaria-cli-"));
  dirs.push(dir);
  return dir;
}

/** Runs the CLI with `env` as its whole environment (empty by default: no secret leaks in from the shell). */
async function cli(args: string[], cwd = temp(), stop: Promise<void> = Promise.resolve(), env: Env = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    cwd,
    env,
    stopSignal: () => stop,
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

function deployment(id: string, overrides: Partial<Deployment>): Deployment {
  return {
    id,
    app: "web",
    version: "v1",
    previousVersion: undefined,
    requester: "U_ALICE",
    reason: "",
    status: "SUCCESS",
    statusReason: "",
    rollbackCause: undefined,
    createdAt: Date.UTC(2026, 10, 20, 9, 0),
    startedAt: undefined,
    finishedAt: Date.UTC(2026, 10, 20, 9, 12, 30),
    deadlineAt: 0,
    appConfig: toyAppConfig(),
    access: { approvers: [], fourEyes: false },
    context: {},
    ...overrides,
  };
}

/** A minimal valid setup: one app whose folder holds PipeCD files. */
function validSetup(): string {
  const dir = temp();
  mkdirSync(join(dir, "web"));
  writeFileSync(
    join(dir, "kanaria.yaml"),
    "cloudProviders:\n  - name: aws\n    type: ECS\n    config:\n      region: ap-northeast-1\nstore:\n  path: ./state/kanaria.db\napps:\n  - name: web\n    dir: ./web\n",
  );
  writeFileSync(
    join(dir, "web/app.pipecd.yaml"),
    "apiVersion: pipecd.dev/v1beta1\nkind: ECSApp\nspec:\n  name: web\n  input:\n    targetGroups:\n      primary:\n        targetGroupArn: arn:aws:elasticloadbalancing:ap-northeast-1:1:targetgroup/web-blue/1\n        containerName: web\n        containerPort: 80\n",
  );
  writeFileSync(
    join(dir, "web/servicedef.yaml"),
    "cluster: c\nserviceName: web\ndesiredCount: 2\ndeploymentController:\n  type: EXTERNAL\n",
  );
  writeFileSync(
    join(dir, "web/taskdef.yaml"),
    "family: web\ncontainerDefinitions:\n  - name: web\n    image: nginx:1\n    portMappings:\n      - containerPort: 80\n",
  );
  return dir;
}

/** A sandbox Slack, and kanaria.yaml's slack section pointing at it (secrets in files beside it). */
async function withSandboxSlack(dir: string) {
  const slack = await startSandboxSlack({
    botToken: "xoxb-cli-test",
    signingSecret: "cli-test-secret",
    botUserId: "U0KANARIA",
    users: [],
    channels: [{ id: "C0DEPLOYS", name: "deploys" }],
  });
  writeFileSync(join(dir, "bot-token"), "xoxb-cli-test\n");
  writeFileSync(join(dir, "signing-secret"), "cli-test-secret\n");
  appendFileSync(
    join(dir, "kanaria.yaml"),
    `slack:\n  botToken: {file: ./bot-token}\n  signingSecret: {file: ./signing-secret}\n  apiUrl: ${slack.apiUrl}\n  port: 0\n`,
  );
  return slack;
}

describe("kanaria CLI", () => {
  it("lists its commands on --help and refuses unknown ones", async () => {
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    for (const command of ["check-config", "migrate", "history", "serve", "sandbox", "demo"])
      expect(help.out).toContain(command);
    expect((await cli([])).code).toBe(2);
    const unknown = await cli(["deploy"]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown command "deploy"');
    const sub = await cli(["history", "--help"]);
    expect(sub).toMatchObject({ code: 0 });
    expect(sub.out).toContain("Usage: kanaria history <app>");
  });

  it("says what was wrong with the arguments, with the usage", async () => {
    const badLimit = await cli(["history", "web", "--limit", "0", "--db", "x.db"]);
    expect(badLimit.code).toBe(2);
    expect(badLimit.err).toContain('--limit must be a whole number from 1 to 10000, not "0"');
    expect(badLimit.err).toContain("Usage: kanaria history");
    const unknownFlag = await cli(["migrate", "--dbb", "x.db"]);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.err.split("\n")[0]).toBe(
      "kanaria migrate: Unknown option '--dbb'; did you mean --db?",
    );
    const bogus = await cli(["serve", "--bogus"]);
    expect(bogus.code).toBe(2);
    expect(bogus.err.split("\n")[0]).toBe(
      "kanaria serve: Unknown option '--bogus'; options: --config, --sandbox, --channel, --log-format, --help",
    );
  });

  it("names the config file it was given when it cannot be read", async () => {
    const result = await cli(["check-config", "--config", "nope.yaml"]);
    expect(result).toMatchObject({ code: 1 });
    expect(result.out.split("\n")).toEqual([
      "nope.yaml:1:1: error: cannot read nope.yaml: file not found",
      "1 error, 0 warnings in 0 apps",
    ]);
  });

  it("migrates a database and says so, then finds nothing to do", async () => {
    const dir = temp();
    const first = await cli(["migrate", "--db", "k.db"], dir);
    expect(first).toMatchObject({ code: 0 });
    expect(first.out).toBe(
      `${join(dir, "k.db")}: schema version 0 → 4 (applied 0001_init.sql, 0002_slack.sql, 0003_rollback_commands.sql, 0004_slack_deliveries.sql)`,
    );
    expect((await cli(["migrate", "--db", "k.db"], dir)).out).toBe(
      `${join(dir, "k.db")}: already at schema version 4`,
    );
  });

  it("prints an app's history as a table and as JSON, newest first", async () => {
    const dir = temp();
    const { store } = openStore(join(dir, "k.db"));
    store.deployments.insert(deployment("web-1", { version: "v1", reason: "first" }));
    store.deployments.insert(
      deployment("web-2", {
        version: "v2",
        previousVersion: "v1",
        requester: "U_BOB",
        status: "ROLLED_BACK",
        statusReason: "ANALYSIS failed",
        reason: "new checkout",
        createdAt: Date.UTC(2026, 10, 21, 10, 0),
        finishedAt: Date.UTC(2026, 10, 21, 10, 2, 5),
      }),
    );
    store.close();
    const table = await cli(["history", "web", "--db", "k.db"], dir);
    expect(table.code).toBe(0);
    expect(table.out.split("\n")).toEqual([
      "WHEN (UTC)        VERSION  FROM  STATUS       BY       TOOK    REASON",
      "2026-11-21 10:00  v2       v1    ROLLED_BACK  U_BOB    2m05s   new checkout — ANALYSIS failed",
      "2026-11-20 09:00  v1       -     SUCCESS      U_ALICE  12m30s  first",
    ]);
    const json = await cli(["history", "web", "--db", "k.db", "--json", "--limit", "1"], dir);
    const rows = JSON.parse(json.out) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: "web-2",
      version: "v2",
      status: "ROLLED_BACK",
      durationSeconds: 125,
    });
    expect((await cli(["history", "api", "--db", "k.db"], dir)).out).toBe("No deployments of api yet.");
    expect(await cli(["history", "wbe", "--db", "k.db"], dir)).toMatchObject({
      code: 0,
      out: "No deployments of wbe yet. Did you mean web?",
    });
  });

  it("refuses to read a database that does not exist, and does not create it", async () => {
    const dir = temp();
    const result = await cli(["history", "web", "--db", "never-created.db"], dir);
    expect(result).toMatchObject({ code: 1, out: "" });
    expect(result.err).toBe(
      `kanaria history: the database ${join(dir, "never-created.db")} does not exist (nothing was deployed with it; check --db or store.path)`,
    );
    expect(existsSync(join(dir, "never-created.db"))).toBe(false);
  });

  it("finds the database through kanaria.yaml, and explains when that file does not load", async () => {
    const dir = validSetup();
    expect((await cli(["migrate"], dir)).out).toContain(join(dir, "state/kanaria.db"));
    writeFileSync(join(dir, "broken.yaml"), "store:\n  path: 3\n  pth: x\n");
    const broken = await cli(["history", "web", "--config", "broken.yaml"], dir);
    expect(broken.code).toBe(1);
    expect(broken.err).toContain("does not load. Fix it, or name the database with --db.");
    expect(broken.err).toMatch(/broken\.yaml:3:3: error: store\.pth/);
  });

  it("serves until asked to stop, and refuses a second server on the same database", async () => {
    const dir = validSetup();
    const slack = await withSandboxSlack(dir);
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const output: string[] = [];
    const first = runCli(["serve"], {
      out: (l) => output.push(l),
      err: (l) => output.push(l),
      cwd: dir,
      stopSignal: () => stopped,
    });
    let port: string | undefined;
    for (let i = 0; i < 200 && port === undefined; i++) {
      await new Promise((r) => setTimeout(r, 25));
      port = /http:\/\/0\.0\.0\.0:(\d+)\/slack\/events/.exec(output.join("\n"))?.[1];
    }
    expect(output.join("\n")).toContain("1 app(s); Slack on http://0.0.0.0:");
    expect(output.join("\n")).toContain("0 unfinished deployment(s) resumed");
    // DESIGN §10's RSS target relies on it (src/cli/compact-heap.ts).
    expect(output.join("\n")).toContain("V8 heap kept compact (--optimize-for-size)");
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const second = await cli(["serve"], dir);
    expect(second.code).toBe(1);
    expect(second.err).toMatch(/another kanaria serve \(pid \d+ on .*\) is driving this database/);
    stop();
    expect(await first).toBe(0);
    expect(output.join("\n")).toContain("stopped; unfinished deployments will resume at the next start");
    expect(slack.calls.list("auth.test").length).toBeGreaterThan(0);
    await slack.close();
  });

  it("serves --sandbox: the real Slack settings with the embedded sandbox app, deployable from --channel", async () => {
    const dir = validSetup();
    const slack = await withSandboxSlack(dir);
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const output: string[] = [];
    const running = runCli(["serve", "--sandbox", "--channel", "C0DEPLOYS"], {
      out: (l) => output.push(l),
      err: (l) => output.push(l),
      cwd: dir,
      stopSignal: () => stopped,
    });
    let port: string | undefined;
    for (let i = 0; i < 400 && port === undefined; i++) {
      await new Promise((r) => setTimeout(r, 25));
      port = /http:\/\/0\.0\.0\.0:(\d+)\/slack\/events/.exec(output.join("\n"))?.[1];
    }
    expect(output.join("\n")).toContain("1 app(s) on the embedded sandbox");
    const client = new SlackSignedClient({
      botUrl: `http://127.0.0.1:${port}/slack/events`,
      signingSecret: "cli-test-secret",
      slack,
    });
    const reply = await client.slashCommand({
      command: "/deploy",
      text: "web v1 first",
      userId: "U0ALICE01",
      channelId: "C0DEPLOYS",
    });
    expect(reply.status).toBe(200);
    // The deployment's thread root appears in the channel, naming the sandbox app and version.
    let root: string | undefined;
    for (let i = 0; i < 200 && root === undefined; i++) {
      await new Promise((r) => setTimeout(r, 25));
      root = slack.workspace.messages("C0DEPLOYS")[0]?.text;
    }
    expect(root).toContain("web");
    expect(root).toContain("v1");
    stop();
    expect(await running).toBe(0);
    expect(existsSync(join(dir, ".kanaria-sandbox/kanaria.db"))).toBe(true);
    await slack.close();
  });

  it("refuses to serve without the Slack secrets it needs, and --sandbox without a channel", async () => {
    const dir = validSetup();
    const result = await cli(["serve"], dir);
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      "slack.botToken: environment variable SLACK_BOT_TOKEN is not set (the default, as slack.botToken is not set)",
    );
    const usage = await cli(["serve", "--sandbox"], dir);
    expect(usage.code).toBe(2);
    expect(usage.err).toContain("--sandbox needs --channel <channel id>");
    const badChannel = await cli(["serve", "--sandbox", "--channel", "#deploys"], dir);
    expect(badChannel.err).toContain(
      '--channel must be a Slack channel id such as C0123ABCD, not "#deploys"',
    );
  });

  it("serves --sandbox without a kanaria.yaml (Slack secrets from the environment), but nothing else", async () => {
    const empty = temp();
    const sandbox = await cli(["serve", "--sandbox", "--channel", "C0DEPLOYS"], empty);
    expect(sandbox).toMatchObject({
      code: 1,
      err: `kanaria serve: there is no kanaria.yaml in ${empty}, so --sandbox takes the Slack secrets from the environment, but environment variable SLACK_BOT_TOKEN is not set and environment variable SLACK_SIGNING_SECRET is not set`,
    });
    const half = await cli(["serve", "--sandbox", "--channel", "C0DEPLOYS"], empty, undefined, {
      SLACK_BOT_TOKEN: "xoxb-x",
      SLACK_SIGNING_SECRET: "",
    });
    expect(half.code).toBe(1);
    expect(half.err).toMatch(/, but environment variable SLACK_SIGNING_SECRET is empty$/);
    const plain = await cli(["serve"], empty);
    expect(plain.code).toBe(1);
    expect(plain.err).toContain("kanaria.yaml:1:1: error: cannot read kanaria.yaml: file not found");
    const named = await cli(["serve", "--sandbox", "--channel", "C0DEPLOYS", "--config", "mine.yaml"], empty);
    expect(named.err).toContain("mine.yaml:1:1: error: cannot read mine.yaml: file not found");
  });

  it("refuses to serve a configuration with errors", async () => {
    const dir = validSetup();
    writeFileSync(join(dir, "web/servicedef.yaml"), "cluster: c\nserviceName: web\n");
    const result = await cli(["serve"], dir);
    expect(result.code).toBe(1);
    expect(result.err).toContain("the configuration has errors; run `kanaria check-config`");
  });
});

describe("kanaria check-config reads every secret, as serve will", () => {
  const datadog = (config: string) =>
    `analysisProviders:\n  - name: datadog\n    type: DATADOG\n    config:\n${config}`;

  it("reports an unset environment variable at the reference, and passes once it is set", async () => {
    const dir = validSetup();
    appendFileSync(join(dir, "kanaria.yaml"), datadog("      site: datadoghq.com\n"));
    const { DD_API_KEY: _, ...withoutApiKey } = DEFAULT_SECRETS_ENV;
    const missing = await cli(["check-config"], dir, undefined, withoutApiKey);
    expect(missing.code).toBe(1);
    expect(missing.out.split("\n")).toEqual([
      "kanaria.yaml:14:5: error: analysisProviders[0].config.apiKeyFile: environment variable DD_API_KEY is not set (the default, as analysisProviders[0].config.apiKeyFile is not set)",
      "1 error, 0 warnings in 1 app",
    ]);
    const empty = await cli(["check-config"], dir, undefined, { ...DEFAULT_SECRETS_ENV, DD_API_KEY: " " });
    expect(empty.out).toContain("environment variable DD_API_KEY is empty");
    const ok = await cli(["check-config"], dir, undefined, DEFAULT_SECRETS_ENV);
    expect(ok).toMatchObject({ code: 0, out: "0 errors, 0 warnings in 1 app" });
  });

  it("reports Slack's default variables when kanaria.yaml has no slack section", async () => {
    const result = await cli(["check-config"], validSetup(), undefined, { DD_API_KEY: "k", DD_APP_KEY: "a" });
    expect(result.code).toBe(1);
    expect(result.out).toContain(
      "kanaria.yaml:1:1: error: slack.botToken: environment variable SLACK_BOT_TOKEN is not set",
    );
    expect(result.out).toContain("slack.signingSecret: environment variable SLACK_SIGNING_SECRET is not set");
  });

  it("reports secret and credentials files that are missing or empty, at the line naming them", async () => {
    const dir = validSetup();
    writeFileSync(join(dir, "empty-key"), "\n");
    writeFileSync(
      join(dir, "kanaria.yaml"),
      "cloudProviders:\n  - name: aws\n    type: ECS\n    config:\n      region: ap-northeast-1\n" +
        "      credentialsFile: ./aws-credentials\n" +
        datadog("      apiKeyFile: ./dd-api-key\n      applicationKeyFile: ./empty-key\n") +
        "slack:\n  botToken: {file: ./bot-token}\n" +
        "apps:\n  - name: web\n    dir: ./web\n",
    );
    const result = await cli(["check-config"], dir, undefined, DEFAULT_SECRETS_ENV);
    expect(result.code).toBe(1);
    expect(result.out.split("\n")).toEqual([
      `kanaria.yaml:6:24: error: cloudProviders[0].config.credentialsFile: secret file ${join(dir, "aws-credentials")} does not exist`,
      `kanaria.yaml:11:19: error: analysisProviders[0].config.apiKeyFile: secret file ${join(dir, "dd-api-key")} does not exist`,
      `kanaria.yaml:12:27: error: analysisProviders[0].config.applicationKeyFile: file ${join(dir, "empty-key")} is empty`,
      `kanaria.yaml:14:13: error: slack.botToken: secret file ${join(dir, "bot-token")} does not exist`,
      "4 errors, 0 warnings in 1 app",
    ]);
  });
});

describe("kanaria sandbox", () => {
  it("serves a seeded sandbox whose endpoints answer the AWS SDK, and says how to point kanaria.yaml at it", async () => {
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const running = cli(["sandbox", "--port", "0"], temp(), stopped);
    await new Promise((r) => setTimeout(r, 500));
    stop();
    const result = await running;
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/ECS at http:\/\/127\.0\.0\.1:\d+, ELBv2 at http:\/\/127\.0\.0\.1:\d+/);
    expect(result.out).toMatch(
      /targetGroupArn: arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup\/web-blue\//,
    );
    expect(result.out).toContain("stopped.");
  });

  it("gives the same ARNs on every start, so the config written once keeps working", async () => {
    const run = async () => {
      const running = cli(["sandbox", "--port", "0"], temp(), Promise.resolve());
      const result = await running;
      return result.out.split("\n").filter((line) => line.includes("arn:aws:"));
    };
    const first = await run();
    expect(first.length).toBeGreaterThan(2);
    expect(await run()).toEqual(first);
  });

  it("says which port is taken instead of failing with EADDRINUSE", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const result = await cli(["sandbox", "--port", String(port)], temp(), Promise.resolve());
      expect(result.code).toBe(1);
      expect(result.err).toBe(
        `kanaria sandbox: port ${port}, ${port + 1} or ${port + 2} is in use (another sandbox?): stop it, or start this one with --port <another>`,
      );
    } finally {
      blocker.close();
    }
  });

  it("seeds a kanaria.yaml's apps by name", async () => {
    const dir = temp();
    writeFileSync(
      join(dir, "kanaria.yaml"),
      "cloudProviders:\n  - name: sandbox\n    type: ECS\napps:\n  - name: web\n    dir: apps/web\n  - name: api\n    dir: apps/api\n",
    );
    const result = await cli(["sandbox", "--port", "0", "--config", "kanaria.yaml"], dir, Promise.resolve());
    expect(result.code).toBe(0);
    expect(result.out).toContain("kanaria.yaml is a kanaria.yaml: seeding its apps by name.");
    expect(result.out).toMatch(/targetgroup\/web-blue\//);
    expect(result.out).toMatch(/targetgroup\/api-blue\//);
  });

  it("reports a bad sandbox config with where it is wrong", async () => {
    const dir = temp();
    writeFileSync(join(dir, "sandbox.yaml"), "apps:\n  - name: Web_App\n");
    const result = await cli(["sandbox", "--config", "sandbox.yaml"], dir);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(
      /sandbox\.yaml: sandbox config is invalid:\n\s+apps\.0\.name: must be 1–23 lowercase letters/,
    );
  });
});

describe("kanaria check-config on the seed's files", () => {
  function seedConfig(provider: string): string {
    const dir = temp();
    writeFileSync(
      join(dir, "kanaria.yaml"),
      `cloudProviders:\n  - name: sample-ecs\n    type: ECS\n    config:\n      region: ap-northeast-1\nanalysisProviders:\n  - name: ${provider}\n    type: DATADOG\n    config:\n      site: ap1.datadoghq.com\napps:\n  - name: web\n    dir: ${SEED}\n`,
    );
    return dir;
  }

  it("exits 0 on a valid setup, still warning about the impossible expected.max", async () => {
    const result = await cli(
      ["check-config"],
      seedConfig("datadog-provider"),
      undefined,
      DEFAULT_SECRETS_ENV,
    );
    expect(result.code).toBe(0);
    expect(result.out).toMatch(
      /seed-example\/app\.pipecd\.yaml:36:22: warning: .*expected\.max: max 10 can never be exceeded/,
    );
    expect(result.out.split("\n").at(-1)).toBe("0 errors, 2 warnings in 1 app");
  });

  it("exits 1 when the app names a provider kanaria.yaml does not define, at the provider line", async () => {
    const result = await cli(
      ["check-config"],
      seedConfig("rf-sandbox-datadog"),
      undefined,
      DEFAULT_SECRETS_ENV,
    );
    expect(result.code).toBe(1);
    expect(result.out).toMatch(
      /seed-example\/app\.pipecd\.yaml:33:25: error: .*provider: analysis provider "datadog-provider" is not defined .*\(defined: rf-sandbox-datadog\)/,
    );
  });
});

describe("the kanaria executable", () => {
  it("runs through main.ts with the same exit codes", () => {
    const main = resolve(import.meta.dirname, "../../src/main.ts");
    const help = spawnSync(process.execPath, ["--import", "tsx", main, "--help"], { encoding: "utf8" });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("Usage: kanaria <command>");
    const missing = spawnSync(
      process.execPath,
      ["--import", "tsx", main, "check-config", "--config", "/nonexistent/kanaria.yaml"],
      {
        encoding: "utf8",
      },
    );
    expect(missing.status).toBe(1);
    expect(missing.stdout).toContain("/nonexistent/kanaria.yaml");
  });
});
