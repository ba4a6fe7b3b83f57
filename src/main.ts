#!/usr/bin/env node
/** The `kanaria` executable: wiring only. */
import { runCli } from "./cli/run-cli.js";
import { quietAwsSdkNodeNotice } from "./config/quiet-sdk-notice.js";

// Before any AWS client is built (see quiet-sdk-notice.ts).
quietAwsSdkNodeNotice();

const code = await runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  cwd: process.cwd(),
  stdoutIsTTY: process.stdout.isTTY === true,
  // Kept listening after the first signal: a second Ctrl-C during the stop must not kill the process
  // before it released its lease (the stop is bounded; see serve-command.ts).
  stopSignal: () =>
    new Promise<void>((resolve) => {
      process.on("SIGINT", () => resolve());
      process.on("SIGTERM", () => resolve());
    }),
});
process.exitCode = code;
// A command that returned is done: a socket or timer still open (a hung AWS call `serve` gave up on at
// its stop deadline) must not keep the process alive. Unref'd, so a clean exit is not delayed.
setTimeout(() => process.exit(code), 250).unref();
