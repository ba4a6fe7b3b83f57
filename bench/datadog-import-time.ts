/**
 * Benchmark, not a test (timings never go in assertions, DESIGN §9): what importing the Datadog client
 * costs, in time and in resident memory, the way the provider does it (the module the package root
 * re-exports as `client`, and the v1 MetricsApi module: see metrics-api-client.ts) versus the package
 * root, each in fresh processes so module caches do not flatter the second run.
 *
 *   npm run bench:datadog-import [-- runs]
 */
import { execFileSync } from "node:child_process";

const DIST = "@datadog/datadog-api-client/dist/packages";

/** What metrics-api-client.ts and fetch-http-library.ts import at run time. */
const PROVIDER = [
  `${DIST}/datadog-api-client-common/index.js`,
  `${DIST}/datadog-api-client-v1/apis/MetricsApi.js`,
];
const ROOT = ["@datadog/datadog-api-client"];

interface Cost {
  ms: number;
  /** RSS after the import minus before it, in MB. */
  rssMb: number;
}

function importCost(specifiers: readonly string[]): Cost {
  const script = `
    const rss = process.memoryUsage().rss;
    const start = performance.now();
    for (const s of ${JSON.stringify(specifiers)}) await import(s);
    const ms = performance.now() - start;
    process.stdout.write(JSON.stringify({ ms, rssMb: (process.memoryUsage().rss - rss) / 1e6 }));
  `;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: process.cwd(),
    encoding: "utf8",
  });
  return JSON.parse(out) as Cost;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const runs = Number(process.argv[2] ?? 5);
for (const [name, specifiers] of [
  ["client + v1 MetricsApi (Kanaria)", PROVIDER],
  ["package root", ROOT],
] as const) {
  const costs = Array.from({ length: runs }, () => importCost(specifiers));
  const ms = costs.map((c) => c.ms);
  console.log(
    `${name.padEnd(34)} median ${median(ms).toFixed(0).padStart(5)} ms  (${ms.map((t) => t.toFixed(0)).join(", ")})` +
      `  RSS +${median(costs.map((c) => c.rssMb)).toFixed(0)} MB`,
  );
}
