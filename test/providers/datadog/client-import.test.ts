/**
 * DESIGN §5: load only the v1 metrics module of `@datadog/datadog-api-client` — its package root loads
 * every v1 and v2 API and model (seconds at start-up; `npm run bench:datadog-import` measures it). This
 * reads every file under src/ and fails on an import of the package root, or of any part of the package
 * besides the v1 MetricsApi module and the common modules it needs (what metrics-api-client.ts and
 * fetch-http-library.ts use).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../../..");
const SRC = join(ROOT, "src");
const PACKAGE = "@datadog/datadog-api-client";
const DIST = `${PACKAGE}/dist/packages`;

/** The deep paths the provider is allowed: the v1 MetricsApi module and the common modules. */
const ALLOWED = [
  new RegExp(`^${escapeRegExp(`${DIST}/datadog-api-client-v1/apis/MetricsApi.js`)}$`),
  new RegExp(`^${escapeRegExp(`${DIST}/datadog-api-client-common/`)}(?!index\\.js$)[\\w/.-]+\\.js$`),
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/**
 * Module specifiers in a file: `import … from "x"`, `export … from "x"`, `import "x"`, `import("x")`,
 * `require("x")`, `import type … from "x"` (a type-only import is erased, but it is one edit from a
 * value import, so it is held to the same rule).
 */
function specifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^;]*?\sfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\b(?:import|require)\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) found.push(match[1] ?? "");
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(?:[cm]?ts|[cm]?js)$/.test(entry.name) ? [path] : [];
  });
}

/** Every import of the Datadog package under src/, as "file: specifier". */
function datadogImports(): string[] {
  return sourceFiles(SRC).flatMap((file) =>
    specifiers(readFileSync(file, "utf8"))
      .filter((s) => s === PACKAGE || s.startsWith(`${PACKAGE}/`))
      .map((s) => `${relative(ROOT, file)}: ${s}`),
  );
}

const allowed = (line: string): boolean => {
  const specifier = line.slice(line.indexOf(": ") + 2);
  return ALLOWED.some((pattern) => pattern.test(specifier));
};

describe("imports of @datadog/datadog-api-client", () => {
  it("src/ never imports the package root, only the v1 metrics module path", () => {
    const imports = datadogImports();
    // Not vacuous: the provider's own imports are found.
    expect(imports).toContain(
      `src/providers/datadog/metrics-api-client.ts: ${DIST}/datadog-api-client-v1/apis/MetricsApi.js`,
    );
    expect(imports.filter((line) => !allowed(line))).toEqual([]);
  });

  it("the check catches a root import in any form", () => {
    const offending = [
      `import { client, v1 } from "${PACKAGE}";`,
      `import type { v1 } from '${PACKAGE}';`,
      `export * from "${PACKAGE}";`,
      `import "${PACKAGE}";`,
      `const dd = await import("${PACKAGE}");`,
      `const dd = require("${PACKAGE}");`,
      `import {\n  v1,\n} from "${PACKAGE}/dist/index.js";`,
      `import { MetricsApi } from "${DIST}/datadog-api-client-v1/index.js";`,
      `import { MonitorsApi } from "${DIST}/datadog-api-client-v1/apis/MonitorsApi.js";`,
      `import { x } from "${DIST}/datadog-api-client-common/index.js";`,
    ];
    for (const line of offending) {
      const found = specifiers(line);
      expect(found, line).toHaveLength(1);
      expect(allowed(`x.ts: ${found[0]}`), line).toBe(false);
    }
    expect(allowed(`x.ts: ${DIST}/datadog-api-client-common/http/http.js`)).toBe(true);
  });
});
