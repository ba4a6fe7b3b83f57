/**
 * `kanaria serve` in Socket Mode (no HTTP receiver) serves /metrics on kanaria.yaml's `metrics.port`:
 * a real process on the sandbox stack, scraped over HTTP.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SandboxStack, startSandboxStack } from "../../sandbox/cli/sandbox-stack.js";
import type { SandboxSlack } from "../../sandbox/slack-server.js";
import { VirtualClock } from "../../sandbox/virtual-clock.js";
import { openStore } from "../../src/store/store.js";
import { parseExposition, sampleValue } from "../metrics/exposition.js";
import { ALICE, BOB, BOT_TOKEN, DEPLOYS, SIGNING_SECRET, startTestSlack } from "../sandbox/slack-fixture.js";
import { startKanaria } from "./serve-child.js";

const APP_TOKEN = "xapp-sandbox-metrics";

let dir: string;
let slack: SandboxSlack;
let stack: SandboxStack;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "kanaria-serve-socket-metrics-"));
  slack = await startTestSlack({ appToken: APP_TOKEN });
  stack = await startSandboxStack({
    clock: new VirtualClock(Date.now()),
    dir,
    slackYaml: ["slack:", `  apiUrl: ${slack.apiUrl}`, "  appToken: {env: SLACK_APP_TOKEN}"],
    extraYaml: ["metrics:", "  port: 0"],
    channel: DEPLOYS,
    deployers: [ALICE],
    approvers: [BOB],
  });
});

afterAll(async () => {
  await stack?.close();
  await slack?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("kanaria serve in Socket Mode", () => {
  it("serves /metrics on metrics.port", async () => {
    const serve = startKanaria(["serve", "--config", join(dir, "kanaria.yaml")], {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_APP_TOKEN: APP_TOKEN,
      AWS_ACCESS_KEY_ID: "sandbox",
      AWS_SECRET_ACCESS_KEY: "sandbox",
    });
    try {
      await serve.line(/^kanaria serve: .*Slack on Socket Mode;/, "the started line");
      const [, port] = await serve.line(
        /^kanaria serve: Prometheus metrics on http:\/\/0\.0\.0\.0:(\d+)\/metrics$/,
        "the metrics line",
      );
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(response.status).toBe(200);
      const metrics = parseExposition(await response.text());
      const { store } = openStore(join(dir, "kanaria.db"));
      const holder = store.lease.current()?.holder;
      store.close();
      expect(sampleValue(metrics, "kanaria_lease_holder", { holder: holder as string })).toBe(1);
      expect(sampleValue(metrics, "kanaria_deployments", { status: "RUNNING" })).toBe(0);
      expect(
        sampleValue(metrics, "kanaria_external_calls_total", {
          service: "slack",
          operation: "apps.connections.open",
          outcome: "ok",
        }),
      ).toBeGreaterThan(0);
    } finally {
      serve.process.kill("SIGTERM");
      expect(await serve.exited).toBe(0);
    }
  }, 120_000);
});
