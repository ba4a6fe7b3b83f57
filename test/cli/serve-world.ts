/**
 * A `kanaria serve` child process's world for the process tests: the sandbox Slack and the sandbox stack
 * (ECS, ALB, Datadog) on a virtual clock, a kanaria.yaml pointing at them, and a way to read the
 * database the child writes.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type SandboxStack, startSandboxStack } from "../../sandbox/cli/sandbox-stack.js";
import type { SandboxSlack } from "../../sandbox/slack-server.js";
import { VirtualClock } from "../../sandbox/virtual-clock.js";
import { openStore } from "../../src/store/store.js";
import { ALICE, BOB, BOT_TOKEN, DEPLOYS, SIGNING_SECRET, startTestSlack } from "../sandbox/slack-fixture.js";
import { type ServeChild, startKanaria } from "./serve-child.js";

export const STARTED =
  /^kanaria serve: .*Slack on http:\/\/0\.0\.0\.0:(\d+)\/slack\/events.* (\d+) unfinished deployment\(s\) resumed/;

export interface ServeWorld {
  dir: string;
  slack: SandboxSlack;
  stack: SandboxStack;
  clock: VirtualClock;
  /** `kanaria serve` on this world's kanaria.yaml, as a child process. */
  serve(): ServeChild;
  /** What the database holds now (opened and closed around each read: the child writes meanwhile). */
  read<T>(look: (store: ReturnType<typeof openStore>["store"]) => T): T;
  close(): Promise<void>;
}

export async function startServeWorld(prefix: string): Promise<ServeWorld> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const clock = new VirtualClock(Date.now());
  const slack = await startTestSlack();
  const stack = await startSandboxStack({
    clock,
    dir,
    slackYaml: ["slack:", `  apiUrl: ${slack.apiUrl}`, "  port: 0"],
    channel: DEPLOYS,
    deployers: [ALICE],
    approvers: [BOB],
  });
  return {
    dir,
    slack,
    stack,
    clock,
    serve: () =>
      startKanaria(["serve", "--config", join(dir, "kanaria.yaml")], {
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        AWS_ACCESS_KEY_ID: "sandbox",
        AWS_SECRET_ACCESS_KEY: "sandbox",
      }),
    read(look) {
      const { store } = openStore(join(dir, "kanaria.db"));
      try {
        return look(store);
      } finally {
        store.close();
      }
    },
    async close() {
      await stack.close();
      await slack.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
