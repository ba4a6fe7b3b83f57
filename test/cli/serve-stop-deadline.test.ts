/**
 * The stop's deadline in a real `kanaria serve` process: the deployment's step is stuck in an ECS call
 * that the sandbox holds (a hung AWS connection), so the graceful stop cannot finish. serve must then
 * say so in one line, release the lease and exit 1; the next start resumes the deployment, which
 * finishes once AWS answers again. Nothing here measures time (bench:shutdown does).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SandboxStack, startSandboxStack } from "../../sandbox/cli/sandbox-stack.js";
import type { SandboxSlack } from "../../sandbox/slack-server.js";
import { SlackSignedClient } from "../../sandbox/slack-signed-client.js";
import { VirtualClock } from "../../sandbox/virtual-clock.js";
import { openStore } from "../../src/store/store.js";
import { ALICE, BOB, BOT_TOKEN, DEPLOYS, SIGNING_SECRET, startTestSlack } from "../sandbox/slack-fixture.js";
import { pollFor, type ServeChild, startKanaria } from "./serve-child.js";

const STARTED =
  /^kanaria serve: .*Slack on http:\/\/0\.0\.0\.0:(\d+)\/slack\/events.* (\d+) unfinished deployment\(s\) resumed/;

let dir: string;
let slack: SandboxSlack;
let stack: SandboxStack;
const clock = new VirtualClock(Date.now());

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "kanaria-serve-deadline-"));
  slack = await startTestSlack();
  stack = await startSandboxStack({
    clock,
    dir,
    slackYaml: ["slack:", `  apiUrl: ${slack.apiUrl}`, "  port: 0"],
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

function serveProcess(): ServeChild {
  return startKanaria(["serve", "--config", join(dir, "kanaria.yaml")], {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    AWS_ACCESS_KEY_ID: "sandbox",
    AWS_SECRET_ACCESS_KEY: "sandbox",
  });
}

function read<T>(look: (store: ReturnType<typeof openStore>["store"]) => T): T {
  const { store } = openStore(join(dir, "kanaria.db"));
  try {
    return look(store);
  } finally {
    store.close();
  }
}

describe("kanaria serve's stop deadline", () => {
  it("gives up on a step stuck in AWS: one line, lease released, exit 1; the next start resumes", async () => {
    const serve = serveProcess();
    const [, port] = await serve.line(STARTED, "the started line");
    const client = new SlackSignedClient({
      botUrl: `http://127.0.0.1:${port}/slack/events`,
      signingSecret: SIGNING_SECRET,
      slack,
    });
    await client.slashCommand({
      command: "/deploy",
      text: "web v1 first release",
      userId: ALICE,
      channelId: DEPLOYS,
    });
    const id = await pollFor(
      () =>
        read((store) => {
          const d = store.deployments.recent(1)[0];
          return d && store.stages.list(d.id).some((s) => s.status === "RUNNING") ? d.id : undefined;
        }),
      "a deployment with a running stage",
    );
    const removeHang = stack.cloud.faults.window({
      service: "ecs",
      kind: "hang",
      from: clock.now(),
      until: clock.now() + 3_600_000,
    });
    await pollFor(
      () => (stack.cloud.faults.listWindows().some((w) => w.hits > 0) ? true : undefined),
      "an ECS call held by the sandbox",
    );

    serve.process.kill("SIGTERM");
    expect(await serve.exited).toBe(1);
    expect(serve.stderr().filter((l) => l !== "")).toEqual([
      expect.stringMatching(
        /^kanaria serve: the stop did not finish within 7 s \(still waiting for the engine's steps in flight\); released the lease and closed the database\. Unfinished deployments resume/,
      ),
    ]);
    expect(read((store) => store.lease.current())).toBeUndefined();
    expect(read((store) => store.deployments.get(id)?.status)).toBe("RUNNING");

    // AWS answers again: the next start resumes the deployment and finishes it.
    removeHang();
    const next = serveProcess();
    try {
      const [, , resumed] = await next.line(STARTED, "the started line");
      expect(resumed).toBe("1");
      const status = await pollFor(
        () =>
          read((store) => {
            const s = store.deployments.get(id)?.status;
            return s === "RUNNING" || s === "PLANNED" ? undefined : s;
          }),
        "the resumed deployment to finish",
        () => clock.advance(5_000),
      );
      expect(status).toBe("SUCCESS");
    } finally {
      next.process.kill("SIGTERM");
      expect(await next.exited).toBe(0);
    }
  }, 180_000);
});
