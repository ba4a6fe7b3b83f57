/**
 * How src/ may use `@datadog/datadog-api-client` (metrics-api-client.ts says why): through its public
 * entry point only, the package root, never a path into its private `dist/`; and never as a static
 * value import, because the root loads every v1 and v2 API and model (seconds; `npm run
 * bench:datadog-import` measures it). Type-only imports (erased) and the lazy `import()` of the first
 * query are what is left. This reads every file under src/ and fails on anything else.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../../..");
const SRC = join(ROOT, "src");
const PACKAGE = "@datadog/datadog-api-client";

type ImportKind = "type-only" | "dynamic" | "static";

interface FoundImport {
  kind: ImportKind;
  specifier: string;
}

/**
 * Module specifiers in a file and how they are imported: `import type … from "x"` is type-only;
 * `import("x")` is dynamic (also in a type position, `typeof import("x")`, which loads nothing);
 * everything else loads the module with the file: `import … from "x"` (also `import { type A }`,
 * which `verbatimModuleSyntax` keeps as `import {} from "x"`), `export … from "x"`, `import "x"`,
 * `require("x")`.
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
  return specifier === PACKAGE && kind !== "static";
}

describe("imports of @datadog/datadog-api-client", () => {
  it("src/ imports only the package root, and its values only lazily", () => {
    const found = datadogImports();
    // Not vacuous: the provider's own lazy import is found.
    expect(found).toContain(`src/providers/datadog/metrics-api-client.ts: dynamic ${PACKAGE}`);
    expect(found.filter((line) => !allowed(line))).toEqual([]);
  });

  it("the check catches a static import of the root and any private path, and allows the rest", () => {
    const offending = [
      `import { client, v1 } from "${PACKAGE}";`,
      `import { type v1 } from "${PACKAGE}";`,
      `export * from "${PACKAGE}";`,
      `import "${PACKAGE}";`,
      `const dd = require("${PACKAGE}");`,
      `import {\n  v1,\n} from "${PACKAGE}/dist/index.js";`,
      `import type { MetricsApi } from "${PACKAGE}/dist/packages/datadog-api-client-v1/index.js";`,
      `const m = await import("${PACKAGE}/dist/packages/datadog-api-client-v1/apis/MetricsApi.js");`,
    ];
    for (const line of offending) {
      const found = imports(line);
      expect(found, line).toHaveLength(1);
      expect(allowed(`x.ts: ${found[0]?.kind} ${found[0]?.specifier}`), line).toBe(false);
    }
    const fine = [
      `import type { client, v1 } from "${PACKAGE}";`,
      `const dd = await import("${PACKAGE}");`,
      `type Module = typeof import("${PACKAGE}");`,
    ];
    for (const line of fine) {
      const found = imports(line);
      expect(found, line).toHaveLength(1);
      expect(allowed(`x.ts: ${found[0]?.kind} ${found[0]?.specifier}`), line).toBe(true);
    }
  });
});
