/**
 * Crash torture (DESIGN §9): a child process drives deployments on a real SQLite file while the test
 * kills it with SIGKILL at random moments and starts it again, until it finishes on its own. Then every
 * deployment must be final and the world consistent: one primary task set on the right version, no
 * orphan task sets, traffic 100/0 — and no effect repeated in a way that changed the outcome.
 *
 * The default run does a handful of runs; `npm run test:slow` (KANARIA_SLOW_TESTS=1) does 60.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { startSandboxCloud } from "../../sandbox/start-sandbox-cloud.js";
import { isTerminalStageStatus } from "../../src/domain/status.js";
import { systemClock } from "../../src/engine/system-clock.js";
import { createAwsClients } from "../../src/providers/aws/aws-clients.js";
import { AwsEcs } from "../../src/providers/aws/aws-ecs.js";
import { AwsLoadBalancer } from "../../src/providers/aws/aws-load-balancer.js";
import { openStore } from "../../src/store/store.js";
import { type Effect, FakeCloud } from "../fakes/fake-cloud.js";
import { sandboxAppConfig } from "../fixtures/sandbox-app.js";
import { TOY_CLOUD } from "../fixtures/toy-app.js";
import type { CrashScenario } from "./crash-scenario.js";

const SLOW = process.env.KANARIA_SLOW_TESTS === "1";
const RUNS = SLOW ? 60 : 4;
const MAX_KILLS = 6;
const CHILD = join(import.meta.dirname, "crash-child.ts");

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Runs the child; kills it after `killAfterMs`, or once `killWhen()` holds (polled), unless it exits
 * first. Resolves with its exit code, or "killed".
 */
function runChild(
  dir: string,
  scenario: CrashScenario,
  killAfterMs: number | undefined,
  killWhen?: () => boolean,
): Promise<number | "killed"> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        CHILD,
        join(dir, "kanaria.db"),
        join(dir, "effects.jsonl"),
        JSON.stringify(scenario),
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    let killed = false;
    const timer =
      killAfterMs === undefined
        ? undefined
        : setTimeout(() => {
            killed = child.kill("SIGKILL");
          }, killAfterMs);
    const poller =
      killWhen === undefined
        ? undefined
        : setInterval(() => {
            if (killWhen()) killed = child.kill("SIGKILL");
          }, 50);
    child.on("error", reject);
    child.on("exit", (code) => {
      if (timer) clearTimeout(timer);
      if (poller) clearInterval(poller);
      if (killed) resolve("killed");
      else if (code === 0) resolve(0);
      else reject(new Error(`crash child exited ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

/** Where a run stands, for the message of a run that never finished. */
function describeRun(dir: string, scenario: CrashScenario): string {
  const { store } = openStore(join(dir, "kanaria.db"));
  try {
    const states = store.deployments.history("web", 10).map(
      (d) =>
        `${d.version} ${d.status} (${d.statusReason}); last events: ${store.events
          .list(d.id)
          .slice(-3)
          .map((e) => `${e.type} ${e.message}`)
          .join(" | ")}`,
    );
    return `${JSON.stringify({ kind: scenario.kind, leftovers: scenario.leftovers, blockRollback: scenario.blockRollback })}: ${states.join("; ")}`;
  } finally {
    store.close();
  }
}

/** How many attempts of v2's rollback the ALB has refused so far (its stored block). */
function blockedAttempts(dir: string): number {
  const { store } = openStore(join(dir, "kanaria.db"));
  try {
    const v2 = store.deployments.history("web", 10).find((d) => d.version === "v2");
    const rollback = v2 && store.stages.list(v2.id).find((s) => s.kind === "ROLLBACK");
    return rollback?.state.rollbackBlock?.attempts ?? 0;
  } finally {
    store.close();
  }
}

/** Gives the command a person would give, once, as another process writing to the database would. */
function maybeCommand(dir: string, scenario: CrashScenario): void {
  if (scenario.kind === "timeout") return;
  const { store } = openStore(join(dir, "kanaria.db"));
  try {
    const v2 = store.deployments.history("web", 10).find((d) => d.version === "v2");
    if (!v2) return;
    if (scenario.kind === "approve" && v2.status !== "WAITING_APPROVAL") return;
    const kind =
      scenario.kind === "approve" ? "APPROVE" : scenario.kind === "rollback" ? "ROLLBACK" : "CANCEL";
    store.commands.insert(
      { deploymentId: v2.id, kind, actor: "U_BOB", actorGroups: [], dedupeKey: "crash-test" },
      Date.now(),
    );
  } finally {
    store.close();
  }
}

interface RunReport {
  kills: number;
  /** A kill landed while v2's rollback was blocked by the ALB outage. */
  killedWhileBlocked: boolean;
  outcome: string;
  resumed: string[];
}

async function tortureRun(seed: number, aws?: CrashScenario["aws"]): Promise<RunReport> {
  const random = mulberry32(seed);
  const kinds: CrashScenario["kind"][] = ["approve", "timeout", "rollback", "cancel"];
  const scenario: CrashScenario = {
    kind: kinds[seed % kinds.length] ?? "approve",
    waitMs: 150,
    // Long enough that an approval often lands between kills; a missed one times out and rolls back.
    approvalTimeoutMs: seed % kinds.length === 0 ? 2500 : 600,
    opDelayMs: 15,
    // The fake cloud's runs also crash while repairing leftovers and while a rollback is blocked.
    ...(aws ? { aws } : { leftovers: seed % 2 === 1, blockRollback: seed % 2 === 0 }),
  };
  const dir = mkdtempSync(join(tmpdir(), "kanaria-crash-"));
  const outage = join(dir, "alb-outage");
  if (scenario.blockRollback) writeFileSync(outage, "");
  let kills = 0;
  let blockedKills = 0;
  try {
    for (let attempt = 0; ; attempt++) {
      let killAfter = kills < MAX_KILLS ? 300 + Math.floor(random() * 1200) : undefined;
      let killWhen: (() => boolean) | undefined;
      // During the ALB outage a blocked rollback cannot finish: the child is killed in it (however slow
      // it is to get there), twice; then the ALB comes back.
      if (scenario.blockRollback && existsSync(outage)) {
        if (blockedKills >= 2) rmSync(outage);
        else {
          // Killed once this run's own attempt was refused, so it dies inside the blocked rollback.
          const before = blockedAttempts(dir);
          killAfter = undefined;
          killWhen = () => blockedAttempts(dir) > before;
        }
      }
      if (random() < 0.5) maybeCommand(dir, scenario);
      const result = await runChild(dir, scenario, killAfter, killWhen);
      if (result === 0) break;
      kills += 1;
      if (killWhen) blockedKills += 1;
      if (attempt > MAX_KILLS + 40)
        throw new Error(`the child never finished: ${describeRun(dir, scenario)}`);
    }
    return {
      kills,
      killedWhileBlocked: blockedKills > 0,
      ...checkFinal(dir, scenario, await worldOf(dir, scenario)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What the cloud looks like at the end: live task sets as [status, image], the listener's weights. */
interface WorldState {
  taskSets: Array<[string, string | undefined]>;
  weights: number[];
  /** Every effect, when the world records them (FakeCloud); the sandbox only shows its end state. */
  effects: Effect[] | undefined;
}

async function worldOf(dir: string, scenario: CrashScenario): Promise<WorldState> {
  if (!scenario.aws) {
    const cloud = new FakeCloud({ ...TOY_CLOUD, logFile: join(dir, "effects.jsonl") });
    return {
      taskSets: cloud.listTaskSets().map((t) => [t.status, cloud.taskDefinition(t.taskDefinitionArn)?.image]),
      weights: cloud.currentWeights().map((w) => w.weight),
      effects: cloud.effects,
    };
  }
  const { aws } = scenario;
  const clients = createAwsClients(
    { name: "sandbox", type: "ECS", region: aws.region, endpoints: { ecs: aws.ecs, elbv2: aws.elbv2 } },
    { credentials: { accessKeyId: "sandbox", secretAccessKey: "sandbox" } },
  );
  const ecs = new AwsEcs(clients.ecs, systemClock);
  const service = await ecs.describeService(
    String(aws.app.serviceDefinition.cluster),
    String(aws.app.serviceDefinition.serviceName),
  );
  const taskSets: Array<[string, string | undefined]> = [];
  for (const t of service?.taskSets.filter((set) => set.status !== "DRAINING") ?? []) {
    const definition = await clients.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: t.taskDefinitionArn }),
    );
    taskSets.push([t.status, definition.taskDefinition?.containerDefinitions?.[0]?.image]);
  }
  const groups = [aws.app.input.targetGroups.primary, aws.app.input.targetGroups.canary].flatMap((g) =>
    g ? [g.targetGroupArn] : [],
  );
  const [rule] = await new AwsLoadBalancer(clients.elbv2).findForwardRules(groups);
  return { taskSets, weights: rule?.targetGroups.map((g) => g.weight) ?? [], effects: undefined };
}

function checkFinal(
  dir: string,
  scenario: CrashScenario,
  world: WorldState,
): { outcome: string; resumed: string[] } {
  const { store } = openStore(join(dir, "kanaria.db"));
  try {
    const deployments = store.deployments.history("web", 10);
    const v1 = deployments.find((d) => d.version === "v1");
    const v2 = deployments.find((d) => d.version === "v2");
    expect(v1?.status).toBe("SUCCESS");
    expect(v2).toBeDefined();
    if (!v2) return { outcome: "none", resumed: [] };
    expect(["SUCCESS", "ROLLED_BACK", "CANCELLED"]).toContain(v2.status);
    for (const d of deployments) {
      for (const s of store.stages.list(d.id))
        expect(isTerminalStageStatus(s.status), `${d.version} ${s.kind}`).toBe(true);
      expect(store.commands.list(d.id).every((c) => c.outcome !== undefined)).toBe(true);
    }

    const live = v2.status === "SUCCESS" ? "v2" : "v1";
    const image = scenario.aws ? `sandbox/web:${live}` : `example/web:${live}`;
    expect(world.taskSets).toEqual([["PRIMARY", image]]);
    expect(world.weights).toEqual([100, 0]);

    // No effect repeated in a way that changed the outcome: each task set role created once, and once
    // traffic went back to primary for the rollback, it never moved to the canary again.
    const effects = world.effects ?? [];
    const created = effects.flatMap((e) => (e.op === "createTaskSet" ? [e.taskSet.externalId] : []));
    expect(new Set(created).size).toBe(created.length);
    const rollbackStart = store.events.list(v2.id).find((e) => e.type === "DEPLOYMENT_ROLLING_BACK");
    if (rollbackStart) {
      const weights = effects.flatMap((e) => (e.op === "setWeights" ? [e.weights] : []));
      const backToPrimary = weights.findLastIndex((w) => w[1]?.weight !== 0) + 1;
      expect(weights.slice(backToPrimary).every((w) => w[0]?.weight === 100)).toBe(true);
    }
    // The outcome matches what people did.
    const command = store.commands.list(v2.id)[0];
    const applied = command?.outcome === "APPLIED";
    const expected = {
      approve: applied ? ["SUCCESS"] : ["ROLLED_BACK"],
      timeout: ["ROLLED_BACK"],
      rollback: applied ? ["ROLLED_BACK", "CANCELLED"] : ["ROLLED_BACK"],
      cancel: applied ? ["CANCELLED"] : ["ROLLED_BACK"],
    }[scenario.kind];
    expect(expected, `${scenario.kind}, command ${command?.outcome}: ${v2.statusReason}`).toContain(
      v2.status,
    );
    // The torture reached what it was meant to: the leftovers repaired before v2 changed anything. By
    // v2's clean start, reported in its thread; or, when the child died between planting them and asking
    // for v2, by the engine's look at idle apps when it started again (a channel notice, not v2's).
    if (scenario.leftovers) {
      const ghost = effects.find(
        (e) => e.op === "createTaskSet" && e.taskSet.externalId === "ghost-0:canary",
      );
      const ghostArn = ghost?.op === "createTaskSet" ? ghost.taskSet.taskSetArn : undefined;
      const ghostDeleted = effects.findIndex((e) => e.op === "deleteTaskSet" && e.taskSetArn === ghostArn);
      const v2Created = effects.findIndex(
        (e) => e.op === "createTaskSet" && (e.taskSet.externalId ?? "").startsWith(`${v2.id}:`),
      );
      expect(ghostArn, "leftovers planted").toBeDefined();
      expect(ghostDeleted, "leftovers repaired").toBeGreaterThanOrEqual(0);
      if (v2Created >= 0) expect(ghostDeleted, "repaired before v2's canary").toBeLessThan(v2Created);
    }
    const resumed = deployments.flatMap((d) =>
      store.events
        .list(d.id)
        .filter((e) => e.type === "STAGE_RESUMED")
        .map((e) => String(e.data.kind)),
    );
    return { outcome: `${scenario.kind}→${v2.status}`, resumed };
  } finally {
    store.close();
  }
}

describe(`crash torture (${RUNS} runs${SLOW ? "" : "; KANARIA_SLOW_TESTS=1 for 60"})`, () => {
  it(
    "every run ends final and consistent however often the process is killed",
    async () => {
      let totalKills = 0;
      let blockedKills = 0;
      const outcomes = new Map<string, number>();
      const resumed = new Map<string, number>();
      const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
      for (let seed = 1; seed <= RUNS; seed++) {
        const report = await tortureRun(seed);
        totalKills += report.kills;
        if (report.killedWhileBlocked) blockedKills += 1;
        count(outcomes, report.outcome);
        for (const kind of report.resumed) count(resumed, kind);
      }
      const list = (map: Map<string, number>) => [...map].map(([k, n]) => `${k} ${n}`).join(", ");
      console.log(
        `crash torture: ${RUNS} runs, ${totalKills} kills (${blockedKills} runs killed during a blocked rollback); outcomes: ${list(outcomes)}`,
      );
      console.log(`crash torture: stages resumed after a kill: ${list(resumed)}`);
      // The torture must actually torture: most runs are killed at least once.
      expect(totalKills).toBeGreaterThanOrEqual(RUNS);
      expect(blockedKills, "runs with a kill during a blocked rollback").toBeGreaterThanOrEqual(1);
    },
    RUNS * 60_000,
  );
});

const SANDBOX_RUNS = SLOW ? 30 : 1;

describe(`crash torture on the sandbox cloud through the AWS SDK (${SANDBOX_RUNS} run${SANDBOX_RUNS === 1 ? "" : "s"}${SLOW ? "" : "; KANARIA_SLOW_TESTS=1 for 30"})`, () => {
  it(
    "every run ends with one primary, no orphan task sets and weights 100/0",
    async () => {
      let totalKills = 0;
      const outcomes: string[] = [];
      for (let seed = 1; seed <= SANDBOX_RUNS; seed++) {
        // The cloud lives in this process, so it outlives every killed child, as AWS would.
        const cloud = await startSandboxCloud({
          config: { seed, tasks: { startDelayMs: 100, healthCheckDelayMs: 100, drainDelayMs: 100 } },
        });
        try {
          const seeded = cloud.seedApp({ app: "web", desiredCount: 2 });
          const report = await tortureRun(seed, {
            ecs: cloud.ecsEndpoint,
            elbv2: cloud.elbv2Endpoint,
            region: cloud.region,
            app: sandboxAppConfig(seeded, { desiredCount: 2 }),
          });
          totalKills += report.kills;
          outcomes.push(report.outcome);
        } finally {
          await cloud.close();
        }
      }
      console.log(
        `sandbox crash torture: ${SANDBOX_RUNS} runs, ${totalKills} kills; outcomes: ${outcomes.join(", ")}`,
      );
      expect(totalKills).toBeGreaterThanOrEqual(SANDBOX_RUNS);
    },
    SANDBOX_RUNS * 120_000,
  );
});
