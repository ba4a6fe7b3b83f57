/**
 * One `kanaria replay --json` of a recording file, in a process of its own so that its peak RSS is its
 * own: bench/replay.ts spawns it. Times the command itself (read, parse, replay, print), not the
 * process start; prints one JSON line: exit code, output lines, the result line, wall ms, CPU ms (user +
 * system, which a busy machine inflates less than wall time) and peak RSS.
 */
import { performance } from "node:perf_hooks";
import { replayCommand } from "../../src/cli/replay-command.js";

const file = process.argv[2];
if (file === undefined) throw new Error("usage: replay-child.ts <recording.json>");
let lines = 0;
let last = "";
const started = performance.now();
const cpuBefore = process.cpuUsage();
const code = await replayCommand([file], true, {
  out: (line) => {
    lines += 1;
    last = line;
  },
  err: (line) => process.stderr.write(`${line}\n`),
  cwd: process.cwd(),
  stopSignal: () => new Promise<void>(() => {}),
});
const wallMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
const cpuMs = (cpu.user + cpu.system) / 1000;
const peakRssBytes = process.resourceUsage().maxRSS * 1024;
process.stdout.write(`${JSON.stringify({ code, lines, result: last, wallMs, cpuMs, peakRssBytes })}\n`);
