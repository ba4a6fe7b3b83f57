/**
 * Benchmark, not a test (timings never go in assertions, DESIGN §9): DESIGN §10's Slack and capacity
 * targets, measured on the real bot (Bolt receiver, engine, notifier, AWS SDK and Datadog clients) on the
 * embedded sandbox, all on loopback in this one process (issue #5):
 *   - Slack ack latency p99 < 100 ms with 50 concurrent commands (bench/slack/ack-latency.ts);
 *   - 100 concurrent deployments, RSS < 300 MB, event-loop delay p99 < 50 ms
 *     (bench/slack/concurrent-deployments.ts).
 * The capacity phase runs first, while the process is fresh, so that its RSS is not inflated by what
 * the ack phase left behind; the ack phase then starts its own sandbox in the same process.
 *
 * It runs compiled (`npm run bench:slack` builds it into dist/ first), as `kanaria serve` does: under
 * tsx the transpiler alone would add some 90 MB to the RSS being measured. It also takes the V8 heap
 * policy `kanaria serve` sets (`compactHeap`, src/cli/compact-heap.ts); the report's third line says
 * which policy the figures are for.
 *
 *   npm run bench:slack [-- --quick] [--rounds N] [--concurrency N] [--apps N] [--only acks|load]
 *                       [--no-charts] [--log-level warn]
 *
 * --quick          smoke run: 2 rounds, 20 apps (the capacity targets then read NOT MET: too few)
 * --rounds N       ack rounds (default 5)
 * --concurrency N  commands sent at once per round (default 50)
 * --apps N         apps deployed at once in the capacity phase (default 100)
 * --only P         run one phase: `acks` or `load`
 * --speed N        the capacity phase's virtual time, × real time (default 10; the ack phase runs at 1)
 * --no-charts      no analysis charts (the bot renders a PNG per analysis by default)
 * --log-level L    the bot's log (pino, to stderr) from level L (default error)
 */
import { performance } from "node:perf_hooks";
import { pino } from "pino";
import { compactHeap } from "../src/cli/compact-heap.js";
import { type AckResult, measureAckLatency } from "./slack/ack-latency.js";
import { type LoadResult, measureConcurrentDeployments } from "./slack/concurrent-deployments.js";
import { renderDetails, renderTable, targetRows } from "./slack/report.js";
import type { Pace } from "./slack/time-driver.js";

interface Options {
  rounds: number;
  concurrency: number;
  apps: number;
  phases: { acks: boolean; load: boolean };
  charts: boolean;
  logLevel: string;
  quick: boolean;
  speed: number;
}

/**
 * How fast virtual time runs, as virtual ms per real ms. The ack phase runs at real time: the
 * deployments its commands start do their work at the pace they would in production, so the acks
 * compete with a real load, not with minutes of deployments squeezed into a second. The capacity phase
 * is compressed (default 10×: its canaries take minutes, not a quarter of an hour), which makes its
 * event loop busier than production's would be; the report says by how much.
 */
const ACK_SPEED = 1;
const DEFAULT_LOAD_SPEED = 10;
const PAUSE_MS = 10;

function pace(speed: number): Pace {
  return { stepMs: Math.round(speed * PAUSE_MS), pauseMs: PAUSE_MS };
}
const SAMPLE_INTERVAL_MS = 50;

function parseArgs(argv: readonly string[]): Options {
  const options: Options = {
    rounds: 5,
    concurrency: 50,
    apps: 100,
    phases: { acks: true, load: true },
    charts: true,
    logLevel: "error",
    quick: false,
    speed: DEFAULT_LOAD_SPEED,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const text = argv[i + 1];
      if (text === undefined) throw new Error(`${flag} needs a value`);
      i += 1;
      return text;
    };
    const integer = (min: number, max: number): number => {
      const text = value();
      const n = Number(text);
      if (!Number.isInteger(n) || n < min || n > max) {
        throw new Error(`${flag} needs an integer from ${min} to ${max}, got ${text}`);
      }
      return n;
    };
    if (flag === "--quick") options.quick = true;
    else if (flag === "--rounds") options.rounds = integer(1, 100);
    else if (flag === "--concurrency") options.concurrency = integer(1, 500);
    else if (flag === "--apps") options.apps = integer(1, 999);
    else if (flag === "--no-charts") options.charts = false;
    else if (flag === "--speed") options.speed = integer(1, 1000);
    else if (flag === "--log-level") options.logLevel = value();
    else if (flag === "--only") {
      const phase = value();
      if (phase !== "acks" && phase !== "load") throw new Error(`--only takes acks or load, got ${phase}`);
      options.phases = { acks: phase === "acks", load: phase === "load" };
    } else {
      throw new Error(
        `unknown argument ${flag}; usage: --quick --rounds N --concurrency N --apps N --speed N --only acks|load --no-charts --log-level L`,
      );
    }
  }
  if (options.quick) {
    options.rounds = 2;
    options.apps = 20;
  }
  return options;
}

async function main(): Promise<void> {
  let options: Options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 2;
    return;
  }
  const logger = pino({ name: "kanaria", level: options.logLevel }, pino.destination(2));
  // The heap policy `kanaria serve` runs with (the figures are the product's as shipped).
  const heapPolicy = compactHeap();
  const started = performance.now();
  let load: LoadResult | undefined;
  let ack: AckResult | undefined;
  if (options.phases.load) {
    process.stderr.write(`capacity: deploying ${options.apps} apps at once, twice…\n`);
    load = await measureConcurrentDeployments({
      apps: options.apps,
      pace: pace(options.speed),
      logger,
      charts: options.charts,
      sampleIntervalMs: SAMPLE_INTERVAL_MS,
    });
  }
  if (options.phases.acks) {
    process.stderr.write(`acks: ${options.rounds} rounds of ${options.concurrency} commands…\n`);
    ack = await measureAckLatency({
      rounds: options.rounds,
      concurrency: options.concurrency,
      pace: pace(ACK_SPEED),
      logger,
    });
  }
  const rows = targetRows(ack, load);
  const lines = [
    `Kanaria bench:slack — the real bot on the embedded sandbox, Node ${process.version}${options.quick ? " (--quick smoke run)" : ""}`,
    `charts ${options.charts ? "on" : "off"}; virtual time: acks at real time, capacity phase at ${options.speed}× real time`,
    `V8 heap: ${heapPolicy === "applied" ? "--optimize-for-size, as kanaria serve sets it" : "as the node command line chose (kanaria serve leaves that choice too)"}`,
    "",
    ...renderTable(rows),
    ...renderDetails(ack, load),
    "",
    `Runtime: ${((performance.now() - started) / 1000).toFixed(1)} s`,
  ];
  console.log(lines.join("\n"));
  const problems =
    (ack?.problems.length ?? 0) + (load?.phases.reduce((n, p) => n + p.problems.length, 0) ?? 0);
  if (problems > 0) process.exitCode = 1;
}

await main();
