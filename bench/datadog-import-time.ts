/**
 * Benchmark, not a test (timings never go in assertions, DESIGN §9): how long Node takes to import the
 * Datadog client the way the provider does (the v1 MetricsApi module and the common modules it needs)
 * versus the package root, each in fresh processes so module caches do not flatter the second run.
 *
 *   npm run bench:datadog-import [-- runs]
 */
import { execFileSync } from "node:child_process";

const DIST = "@datadog/datadog-api-client/dist/packages";

/** What metrics-api-client.ts and fetch-http-library.ts import at run time. */
const NARROW = [
  `${DIST}/datadog-api-client-v1/apis/MetricsApi.js`,
  `${DIST}/datadog-api-client-common/configuration.js`,
  `${DIST}/datadog-api-client-common/servers.js`,
  `${DIST}/datadog-api-client-common/http/http.js`,
];
const ROOT = ["@datadog/datadog-api-client"];

function importMs(specifiers: readonly string[]): number {
  const script = `
    const start = performance.now();
    for (const s of ${JSON.stringify(specifiers)}) await import(s);
    process.stdout.write(String(performance.now() - start));
  `;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: process.cwd(),
    encoding: "utf8",
  });
  return Number(out);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const runs = Number(process.argv[2] ?? 5);
for (const [name, specifiers] of [
  ["v1 MetricsApi only (Kanaria)", NARROW],
  ["package root", ROOT],
] as const) {
  const times = Array.from({ length: runs }, () => importMs(specifiers));
  console.log(
    `${name.padEnd(30)} median ${median(times).toFixed(0).padStart(5)} ms  (${times.map((t) => t.toFixed(0)).join(", ")})`,
  );
}
