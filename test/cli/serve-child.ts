/**
 * `kanaria serve` as a child process, as an operator runs it (src/main.ts through tsx): its output
 * lines, a wait for a line, signals, and its exit code. Waits are bounded by a count of real-time polls
 * that only fail the test with what was awaited; nothing here measures time.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { setTimeout as realSleep } from "node:timers/promises";

export const MAIN = join(import.meta.dirname, "../../src/main.ts");
const REPO = join(import.meta.dirname, "../..");

export interface ServeChild {
  readonly process: ChildProcess;
  stdout(): string[];
  stderr(): string[];
  /** The first stdout line matching `pattern`, waiting for it (fails if the process exits first). */
  line(pattern: RegExp, what: string): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  exited: Promise<number | string>;
}

export function startKanaria(args: string[], env: Record<string, string>): ServeChild {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out: string[] = [];
  const err: string[] = [];
  const collect = (into: string[]) => {
    let partial = "";
    return (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split("\n");
      partial = lines.pop() ?? "";
      into.push(...lines);
    };
  };
  child.stdout.on("data", collect(out));
  child.stderr.on("data", collect(err));
  let code: number | string | undefined;
  const exited = new Promise<number | string>((resolve) => {
    child.on("exit", (exitCode, signal) => {
      code = exitCode ?? signal ?? "unknown";
      resolve(code);
    });
  });
  return {
    process: child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async line(pattern, what) {
      for (let i = 0; i < 6_000; i++) {
        for (const l of out) {
          const match = l.match(pattern);
          if (match) return match;
        }
        if (code !== undefined) {
          throw new Error(
            `kanaria exited (${code}) before ${what}:\n${out.slice(-20).join("\n")}\n${err.slice(-20).join("\n")}`,
          );
        }
        await realSleep(20);
      }
      throw new Error(`no ${what} from kanaria:\n${out.slice(-20).join("\n")}\n${err.slice(-20).join("\n")}`);
    },
  };
}

/** Polls `read` (real time, 20 ms apart, bounded) until it returns a value. */
export async function pollFor<T>(
  read: () => T | undefined,
  what: string,
  onIdle?: () => Promise<void>,
): Promise<T> {
  for (let i = 0; i < 6_000; i++) {
    const value = read();
    if (value !== undefined) return value;
    if (onIdle) await onIdle();
    await realSleep(20);
  }
  throw new Error(`gave up waiting for ${what}`);
}
