/**
 * How src/ may use `@datadog/datadog-api-client` (metrics-api-client.ts says why): its public API, with
 * the two public names Kanaria calls loaded from the modules that define them, not from the package
 * root (which costs ~140 MB of RSS and ~2 s at start-up; `npm run bench:datadog-import`). This holds src/
 * to that: type-only imports of the root (erased), and values only from the `client` namespace's module
 * and the `v1.MetricsApi` module. And it checks that those modules export the very objects the root
 * does, so that a release moving them fails here.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../../..");
const SRC = join(ROOT, "src");
const PACKAGE = "@datadog/datadog-api-client";
const DIST = `${PACKAGE}/dist/packages`;
/** The module the root re-exports as `client`. */
const CLIENT_MODULE = `${DIST}/datadog-api-client-common/index.js`;
/** The module of the class the root re-exports as `v1.MetricsApi`. */
const METRICS_API_MODULE = `${DIST}/datadog-api-client-v1/apis/MetricsApi.js`;

type ImportKind = "type-only" | "dynamic" | "static";

interface FoundImport {
  kind: ImportKind;
  specifier: string;
}

/**
 * Module specifiers in a file and how they are imported: `import type … from "x"` is type-only;
 * `import("x")` is dynamic; everything else loads the module with the file: `import … from "x"` (also
 * `import { type A }`, which `verbatimModuleSyntax` keeps as `import {} from "x"`), `export … from "x"`,
 * `import "x"`, `require("x")`.
 */
function imports(source: string): FoundImport[] {
  const found: FoundImport[] = [];
  for (const match of source.matchAll(/\b(import|export)(\s+type)?\s[^;]*?\sfrom\s*["']([^"']+)["']/g)) {
    const typeOnly = match[1] === "import" && match[2] !== undefined;
    found.push({ kind: typeOnly ? "type-only" : "static", specifier: match[3] ?? "" });
  }
  for (const match of source.matchAll(/\bimport\s*["']([^"']+)["']/g)) {
    found.push({ kind: "static", specifier: match[1] ?? "" });
  }
  for (const match of source.matchAll(/\b(import|require)\s*\(\s*["']([^"']+)["']\s*\)/g)) {
    found.push({ kind: match[1] === "import" ? "dynamic" : "static", specifier: match[2] ?? "" });
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(?:[cm]?ts|[cm]?js)$/.test(entry.name) ? [path] : [];
  });
}

/** Every import of the Datadog package under src/, as "file: kind specifier". */
function datadogImports(): string[] {
  return sourceFiles(SRC).flatMap((file) =>
    imports(readFileSync(file, "utf8"))
      .filter(({ specifier }) => specifier === PACKAGE || specifier.startsWith(`${PACKAGE}/`))
      .map(({ kind, specifier }) => `${relative(ROOT, file)}: ${kind} ${specifier}`),
  );
}

function allowed(line: string): boolean {
  const [kind, specifier] = line.slice(line.indexOf(": ") + 2).split(" ");
  if (specifier === PACKAGE) return kind === "type-only";
  return specifier === CLIENT_MODULE || specifier === METRICS_API_MODULE;
}

describe("imports of @datadog/datadog-api-client", () => {
  it("src/ loads only the client namespace's module and the v1 MetricsApi module", () => {
    const found = datadogImports();
    // Not vacuous: the provider's own imports are found.
    expect(found).toContain(`src/providers/datadog/metrics-api-client.ts: static ${METRICS_API_MODULE}`);
    expect(found).toContain(`src/providers/datadog/metrics-api-client.ts: static ${CLIENT_MODULE}`);
    expect(found.filter((line) => !allowed(line))).toEqual([]);
  });

  it("the check catches a value import of the root and any other module, and allows the rest", () => {
    const offending = [
      `import { client, v1 } from "${PACKAGE}";`,
      `import { type v1 } from "${PACKAGE}";`,
      `export * from "${PACKAGE}";`,
      `import "${PACKAGE}";`,
      `const dd = require("${PACKAGE}");`,
      `const dd = await import("${PACKAGE}");`,
      `import {\n  v1,\n} from "${PACKAGE}/dist/index.js";`,
      `import { MetricsApi } from "${DIST}/datadog-api-client-v1/index.js";`,
      `import { MonitorsApi } from "${DIST}/datadog-api-client-v1/apis/MonitorsApi.js";`,
      `import type { HttpLibrary } from "${DIST}/datadog-api-client-common/http/http.js";`,
    ];
    for (const line of offending) {
      const found = imports(line);
      expect(found, line).toHaveLength(1);
      expect(allowed(`x.ts: ${found[0]?.kind} ${found[0]?.specifier}`), line).toBe(false);
    }
    const fine = [
      `import type { client, v1 } from "${PACKAGE}";`,
      `import { createConfiguration } from "${CLIENT_MODULE}";`,
      `import { MetricsApi } from "${METRICS_API_MODULE}";`,
    ];
    for (const line of fine) {
      const found = imports(line);
      expect(found, line).toHaveLength(1);
      expect(allowed(`x.ts: ${found[0]?.kind} ${found[0]?.specifier}`), line).toBe(true);
    }
  });

  it("those modules export the very objects the package root does", async () => {
    const root = await import(PACKAGE);
    const clientModule: Record<string, unknown> = await import(CLIENT_MODULE);
    const metricsApiModule = await import(METRICS_API_MODULE);
    const names = Object.keys(root.client).filter((name) => name !== "__esModule");
    expect(names).toEqual(
      expect.arrayContaining(["createConfiguration", "BaseServerConfiguration", "ResponseContext"]),
    );
    for (const name of names) expect(clientModule[name], name).toBe(root.client[name]);
    expect(metricsApiModule.MetricsApi).toBe(root.v1.MetricsApi);
  });
});
