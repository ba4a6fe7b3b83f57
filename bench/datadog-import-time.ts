/**
 * Benchmark, not a test (timings never go in assertions, DESIGN §9): what the Datadog client costs at
 * import, each figure from fresh processes so module caches do not flatter the second run.
 *
 * - the provider module: what start-up pays (it loads nothing of the client);
 * - the package root, the client's public entry point: what a provider's first query pays, once per
 *   process (metrics-api-client.ts imports it lazily);
 * - the v1 MetricsApi module alone, through the package's private `dist/` paths: for reference, what
 *   the provider loaded before it kept to the public entry point.
 *
 *   npm run bench:datadog-import [-- runs]
 */
import { execFileSync } from "node:child_process";
import { pathToFileURL } from "node:url";

const DIST = "@datadog/datadog-api-client/dist/packages";
const PROVIDER = pathToFileURL("src/providers/datadog/datadog-metrics.ts").href;

const CASES: ReadonlyArray<{ name: string; specifiers: string[] }> = [
  { name: "provider module (start-up)", specifiers: [PROVIDER] },
  { name: "package root (first query)", specifiers: ["@datadog/datadog-api-client"] },
  {
    name: "v1 MetricsApi via dist/ (ref.)",
    specifiers: [
      `${DIST}/datadog-api-client-v1/apis/MetricsApi.js`,
      `${DIST}/datadog-api-client-common/configuration.js`,
      `${DIST}/datadog-api-client-common/servers.js`,
      `${DIST}/datadog-api-client-common/http/http.js`,
    ],
  },
];

function importMs(specifiers: readonly string[]): number {
  const script = `
    const start = performance.now();
    for (const s of ${JSON.stringify(specifiers)}) await import(s);
    process.stdout.write(String(performance.now() - start));
  `;
  // tsx, so that the provider's TypeScript loads as `npm run` scripts load it.
  const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
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
for (const { name, specifiers } of CASES) {
  const times = Array.from({ length: runs }, () => importMs(specifiers));
  console.log(
    `${name.padEnd(32)} median ${median(times).toFixed(0).padStart(5)} ms  (${times.map((t) => t.toFixed(0)).join(", ")})`,
  );
}
