/**
 * Benchmark, not a test (timings never go in assertions, DESIGN §9): how long `kanaria serve` takes to
 * exit after SIGTERM or SIGINT, against the 10 s promised to ECS (which sends SIGKILL 30 s after SIGTERM
 * by default). Each run starts serve as a child process on the sandbox stack (simulated ECS, ALB and
 * Datadog, the sandbox Slack), brings it to the scenario's state, sends the signal and measures, with
 * `performance.now()`, signal → process exit.
 *
 * Scenarios: idle; a deployment mid-step (waiting for its tasks); and a deployment whose AWS calls hang
 * (the sandbox holds every ECS call), where the graceful stop cannot finish and the deadline must act
 * (exit 1 after releasing the lease).
 *
 *   npm run bench:shutdown [-- runs]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { type SandboxStack, startSandboxStack } from "../sandbox/cli/sandbox-stack.js";
import type { SandboxSlack } from "../sandbox/slack-server.js";
import { SlackSignedClient } from "../sandbox/slack-signed-client.js";
import { VirtualClock } from "../sandbox/virtual-clock.js";
import { openStore } from "../src/store/store.js";
import { pollFor, startKanaria } from "../test/cli/serve-child.js";
import {
  ALICE,
  BOB,
  BOT_TOKEN,
  DEPLOYS,
  SIGNING_SECRET,
  startTestSlack,
} from "../test/sandbox/slack-fixture.js";

const LIMIT_MS = 10_000;
const STARTED = /^kanaria serve: .*Slack on http:\/\/0\.0\.0\.0:(\d+)\/slack\/events/;

type Scenario = "idle" | "mid-step" | "AWS hung";
interface Row {
  scenario: Scenario;
  signal: NodeJS.Signals;
  exit: number | string;
  ms: number;
  leaseReleased: boolean;
}

async function run(slack: SandboxSlack, scenario: Scenario, signal: NodeJS.Signals): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), "kanaria-bench-shutdown-"));
  const clock = new VirtualClock(Date.now());
  let stack: SandboxStack | undefined;
  try {
    stack = await startSandboxStack({
      clock,
      dir,
      slackYaml: ["slack:", `  apiUrl: ${slack.apiUrl}`, "  port: 0"],
      channel: DEPLOYS,
      deployers: [ALICE],
      approvers: [BOB],
    });
    const serve = startKanaria(["serve", "--config", join(dir, "kanaria.yaml")], {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      AWS_ACCESS_KEY_ID: "sandbox",
      AWS_SECRET_ACCESS_KEY: "sandbox",
    });
    const [, port] = await serve.line(STARTED, "the started line");
    const db = join(dir, "kanaria.db");
    const read = <T>(look: (store: ReturnType<typeof openStore>["store"]) => T): T => {
      const { store } = openStore(db);
      try {
        return look(store);
      } finally {
        store.close();
      }
    };
    if (scenario !== "idle") {
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
      await pollFor(
        () =>
          read((store) => {
            const d = store.deployments.recent(1)[0];
            return d && store.stages.list(d.id).some((s) => s.status === "RUNNING") ? true : undefined;
          }),
        "a running stage",
      );
      if (scenario === "AWS hung") {
        const hung = stack.cloud.faults;
        hung.window({ service: "ecs", kind: "hang", from: clock.now(), until: clock.now() + 3_600_000 });
        // Let the step's next poll reach the hung ECS.
        await pollFor(
          () => (hung.listWindows().some((w) => w.hits > 0) ? true : undefined),
          "an ECS call held by the sandbox",
        );
      }
    }
    const start = performance.now();
    serve.process.kill(signal);
    const exit = await serve.exited;
    const ms = performance.now() - start;
    return {
      scenario,
      signal,
      exit,
      ms,
      leaseReleased: read((store) => store.lease.current() === undefined),
    };
  } finally {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const runs = Number(process.argv[2] ?? "1");
const slack = await startTestSlack();
const rows: Row[] = [];
try {
  for (let i = 0; i < runs; i++) {
    for (const [scenario, signal] of [
      ["idle", "SIGTERM"],
      ["idle", "SIGINT"],
      ["mid-step", "SIGTERM"],
      ["mid-step", "SIGINT"],
      ["AWS hung", "SIGTERM"],
    ] as const) {
      rows.push(await run(slack, scenario, signal));
    }
  }
} finally {
  await slack.close();
}

console.log(`kanaria serve: signal → exit, against ${LIMIT_MS / 1000} s (${runs} run(s) per scenario)\n`);
console.log("scenario   signal   exit  lease released  time      10 s");
for (const row of rows) {
  console.log(
    `${row.scenario.padEnd(10)} ${row.signal.padEnd(8)} ${String(row.exit).padEnd(5)} ${(row.leaseReleased ? "yes" : "NO").padEnd(15)} ` +
      `${`${(row.ms / 1000).toFixed(2)} s`.padEnd(9)} ${row.ms < LIMIT_MS && row.leaseReleased ? "met" : "NOT MET"}`,
  );
}
process.exitCode = rows.every((r) => r.ms < LIMIT_MS && r.leaseReleased) ? 0 : 1;
