/**
 * V8's memory-favouring heap policy for the long-running bot (`kanaria serve`), DESIGN §10: 100
 * deployments in one process under 300 MB RSS.
 *
 * Why: V8 sizes its heap from the machine's memory, not from what is live. On a 24 GB host the bot with
 * 100 deployments holds ~50 MB of live objects but let its old generation grow to ~230 MB of mostly
 * garbage before collecting it (RSS 480 MB). `--optimize-for-size` makes V8 grow the heap
 * conservatively after each full collection and collect sooner, and unlike `--max-old-space-size` it
 * takes effect when set at run time (V8 reads it whenever it recomputes its limits) and sets no hard
 * ceiling that a larger fleet could hit. The price is more frequent garbage collection; bench:slack
 * measures both (RSS and event-loop delay).
 *
 * An operator who chose on the node command line (`node --no-optimize-for-size …/main.js serve`) keeps
 * their choice. NODE_OPTIONS cannot carry this flag (Node refuses to start), so only the command line
 * is looked at.
 */
import { setFlagsFromString } from "node:v8";

export type CompactHeapOutcome = "applied" | "left to the operator";

/** V8 accepts either spelling, with or without `no-`. */
const FLAG = /^--(no-)?optimize[-_]for[-_]size(=|$)/;

export function compactHeap(
  execArgv: readonly string[] = process.execArgv,
  setFlags: (flags: string) => void = setFlagsFromString,
): CompactHeapOutcome {
  if (execArgv.some((arg) => FLAG.test(arg))) return "left to the operator";
  setFlags("--optimize-for-size");
  return "applied";
}
