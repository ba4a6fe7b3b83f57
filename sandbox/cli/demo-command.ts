/**
 * `kanaria demo [--fast] [--out demo-output]`: the whole product on the embedded sandbox, playing a
 * morning in #deploys. Alice ships v1 (a first deployment: quick sync), then v2, which is analysed
 * against the primary, waits for an approval, is refused to Alice herself (four-eyes), approved by Bob
 * and completes; then v3, which answers 5% errors, and is rolled back by the analysis on its own. Each
 * canary is judged on Datadog queries and on the ALB's own counts read from CloudWatch (`source: ALB`).
 * The thread is printed as it evolves, the charts are written to the output folder, and the exit code
 * is 0 only if both outcomes are what they should be.
 *
 * Time is virtual: a 10-minute analysis passes in seconds. `--fast` runs it as fast as it goes;
 * without it the demo is paced so that a person can follow the thread.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { setTimeout as realSleep } from "node:timers/promises";
import type { CliIo } from "../../src/cli/cli-io.js";
import { createLogger } from "../../src/engine/logger.js";
import { renderMessage } from "../slack-transcript.js";
import { VirtualClock } from "../virtual-clock.js";
import { SANDBOX_CHANNEL, SANDBOX_PEOPLE, type SandboxBot, startSandboxBot } from "./sandbox-bot.js";
import { advanceUntil, settleWhileAdvancing } from "./virtual-wait.js";

export interface DemoOptions {
  fast: boolean;
  outDir: string;
}

const FINAL = new Set(["SUCCESS", "FAILURE", "ROLLED_BACK", "CANCELLED"]);

export async function runDemo(options: DemoOptions, io: CliIo): Promise<number> {
  const clock = new VirtualClock();
  const logger = createLogger({ level: "error" });
  const out = resolve(io.cwd, options.outDir);
  mkdirSync(out, { recursive: true });
  io.out(
    "Kanaria demo: the sandbox Slack, ECS, ALB, Datadog and CloudWatch on loopback, the real bot against them.",
  );
  io.out(
    `Virtual time${options.fast ? ", as fast as it goes" : ", paced to be readable (--fast to skip)"}.\n`,
  );
  const sandbox = await startSandboxBot({ clock, logger });
  const printer = threadPrinter(sandbox, io);
  try {
    const { alice, bob } = SANDBOX_PEOPLE;
    const step = (text: string) => io.out(`\n━━ ${clockLabel(clock.now())}  ${text}`);

    step("Alice: /deploy web v1 first release");
    const v1 = await deploy(sandbox, alice, "web v1 first release");
    await until(sandbox, clock, options, () => finished(sandbox, v1));
    printer.flush(v1);

    step("Alice: /deploy web v2 new checkout flow");
    const v2 = await deploy(sandbox, alice, "web v2 new checkout flow");
    await until(
      sandbox,
      clock,
      options,
      () => sandbox.store.deployments.get(v2)?.status === "WAITING_APPROVAL",
    );
    printer.flush(v2);
    step("Alice clicks Approve on her own deployment");
    const refused = await click(sandbox, clock, v2, alice);
    io.out(`   ↳ only Alice sees: ${refused ?? "(nothing)"}`);
    step("Bob clicks Approve");
    await click(sandbox, clock, v2, bob);
    await until(sandbox, clock, options, () => finished(sandbox, v2));
    printer.flush(v2);

    step("Alice: /deploy web v3 faster search (this build answers 5% errors)");
    const v3 = await deploy(sandbox, alice, "web v3 faster search");
    await until(sandbox, clock, options, () => finished(sandbox, v3));
    printer.flush(v3);

    const charts = sandbox.slack.workspace.files().filter((f) => f.name.endsWith(".png"));
    for (const file of charts) if (file.bytes) writeFileSync(join(out, file.name), file.bytes);
    const v2Status = sandbox.store.deployments.get(v2)?.status;
    const v3Status = sandbox.store.deployments.get(v3)?.status;
    io.out("\n━━ Outcome");
    io.out(`   web v2: ${v2Status} (expected SUCCESS, after Bob's approval)`);
    io.out(`   web v3: ${v3Status} (expected ROLLED_BACK, by the analysis)`);
    io.out(`   charts: ${charts.length} PNG file(s) in ${out}`);
    const ok = v2Status === "SUCCESS" && v3Status === "ROLLED_BACK" && charts.length > 0;
    io.out(ok ? "\nDemo finished as expected." : "\nDemo FAILED: an outcome is not what it should be.");
    return ok ? 0 : 1;
  } finally {
    printer.stop();
    await sandbox.close();
  }
}

async function deploy(sandbox: SandboxBot, user: string, text: string): Promise<string> {
  const before = new Set(sandbox.store.deployments.recent(100).map((d) => d.id));
  const reply = await sandbox.client.slashCommand({
    command: "/deploy",
    text,
    userId: user,
    channelId: SANDBOX_CHANNEL,
  });
  for (let i = 0; i < 500; i++) {
    const created = sandbox.store.deployments.recent(5).find((d) => !before.has(d.id));
    if (created) return created.id;
    await realSleep(10);
  }
  throw new Error(`/deploy ${text} started nothing (HTTP ${reply.status})`);
}

/** Clicks Approve in the thread root; returns the ephemeral answer the clicker saw, if any. */
async function click(
  sandbox: SandboxBot,
  clock: VirtualClock,
  deploymentId: string,
  user: string,
): Promise<string | undefined> {
  await settle(sandbox, clock);
  const thread = sandbox.store.slackThreads.get(deploymentId);
  if (!thread?.rootTs) throw new Error(`deployment ${deploymentId} has no thread`);
  const reply = await sandbox.client.clickButton({
    channelId: thread.channel,
    messageTs: thread.rootTs,
    actionId: "kanaria.approve",
    userId: user,
  });
  for (let i = 0; i < 100; i++) {
    const answers = sandbox.slack.workspace.responses(reply.responseUrlId);
    const first = answers[0] as { text?: string } | undefined;
    if (first?.text) return first.text.replace(/\n.*/s, "");
    if (sandbox.store.commands.list(deploymentId).some((c) => c.actor === user)) return undefined;
    await realSleep(10);
  }
  return undefined;
}

function finished(sandbox: SandboxBot, id: string): boolean {
  return FINAL.has(sandbox.store.deployments.get(id)?.status ?? "");
}

/** Moves virtual time until `done`, letting real I/O (HTTP on loopback) run between steps. */
async function until(
  sandbox: SandboxBot,
  clock: VirtualClock,
  options: DemoOptions,
  done: () => boolean,
): Promise<void> {
  await advanceUntil(clock, done, {
    stepMs: options.fast ? 5_000 : 2_000,
    pauseMs: options.fast ? 3 : 40,
    what: "the demo's next step",
  });
  await settle(sandbox, clock);
}

/** Waits until every Slack message is sent. */
function settle(sandbox: SandboxBot, clock: VirtualClock): Promise<void> {
  return settleWhileAdvancing(clock, () => sandbox.bot.idle());
}

interface ThreadPrinter {
  /** Prints the thread's root message as it is now. */
  flush(deploymentId: string): void;
  stop(): void;
}

/**
 * Prints the threads as people would read them: every new reply as it is posted, the analysis progress
 * line of the root message whenever it moves, and the whole root message at the story's milestones.
 */
function threadPrinter(sandbox: SandboxBot, io: CliIo): ThreadPrinter {
  const { workspace } = sandbox.slack;
  const repliesShown = new Map<string, number>();
  const progressShown = new Map<string, string>();
  const thread = (id: string) => {
    const t = sandbox.store.slackThreads.get(id);
    return t?.rootTs ? workspace.thread(t.channel, t.rootTs) : [];
  };
  const unsubscribe = workspace.onChange(() => {
    for (const d of sandbox.store.deployments.recent(5)) {
      const [root, ...replies] = thread(d.id);
      if (!root) continue;
      if (!repliesShown.has(d.id)) {
        io.out(indent(renderMessage(workspace, root, "").join("\n")));
        repliesShown.set(d.id, 0);
      }
      const progress = renderMessage(workspace, root, "").find((l) => l.includes("*Analysis*"));
      if (progress && progress !== progressShown.get(d.id)) {
        progressShown.set(d.id, progress);
        io.out(indent(progress.trim()));
      }
      for (const reply of replies.slice(repliesShown.get(d.id))) {
        io.out(indent(renderMessage(workspace, reply, "↳ ").join("\n")));
      }
      repliesShown.set(d.id, replies.length);
    }
  });
  return {
    flush(id) {
      const [root] = thread(id);
      if (root) io.out(indent(["root message now:", ...renderMessage(workspace, root, "")].join("\n")));
    },
    stop: unsubscribe,
  };
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `   │ ${l}`)
    .join("\n");
}

function clockLabel(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}
