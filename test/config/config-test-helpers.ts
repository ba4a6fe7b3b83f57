/** Shared helpers for the config tests: fixture paths, temporary config trees, diagnostic projections. */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { Diagnostic } from "../../src/config/types.js";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const fixtures = path.join(repoRoot, "test/fixtures/config");
/** The seed article's files, kept in the repository; the folder holding `seeds/` (messages name paths from it). */
export const seedRoot = path.join(repoRoot, "test/fixtures");
export const seedDir = path.join(seedRoot, "seeds/seed-example");
/** Third-party compatibility data (PipeCD's examples), read where it lives when it is there (CI). */
export const sharedDir = path.resolve(repoRoot, "../shared");
export const pipecdExamplesDir = path.join(sharedDir, "compat/pipecd-examples");

/**
 * An environment holding every secret Kanaria reads from a variable by default (Slack, Datadog), so that
 * check-config, which reads every secret, judges the files and not the machine the tests run on.
 */
export const DEFAULT_SECRETS_ENV = {
  SLACK_BOT_TOKEN: "xoxb-test",
  SLACK_SIGNING_SECRET: "test-signing-secret",
  DD_API_KEY: "test-dd-api-key",
  DD_APP_KEY: "test-dd-app-key",
} as const;

/** Writes `files` (relative path → content) under a fresh temporary folder; returns it and a cleanup. */
export async function writeTree(
  files: Record<string, string>,
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "kanaria-config-"));
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(dir, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A diagnostic as tests compare it: file relative to `root`, and the message checked separately. */
export interface Expected {
  file: string;
  line: number;
  col: number;
  severity: "error" | "warning";
  path: string;
  /** Words (substrings) the message must contain. */
  words: string[];
}

export function relative(d: Diagnostic, root: string): Omit<Expected, "words"> & { message: string } {
  return {
    file: path.relative(root, d.file),
    line: d.line,
    col: d.col,
    severity: d.severity,
    path: d.path,
    message: d.message,
  };
}

/**
 * Asserts `actual` are exactly `expected` (same count, order by position), each message containing its
 * words. Returns a readable mismatch description, or undefined when they match.
 */
export function mismatch(
  actual: readonly Diagnostic[],
  expected: readonly Expected[],
  root: string,
): string | undefined {
  const got = actual.map((d) => relative(d, root));
  const describe = () => JSON.stringify(got, null, 2);
  if (got.length !== expected.length)
    return `expected ${expected.length} diagnostics, got ${got.length}: ${describe()}`;
  for (const [i, want] of expected.entries()) {
    const have = got[i];
    if (!have) return `missing diagnostic ${i}`;
    const { words, ...position } = want;
    const { message, ...havePosition } = have;
    if (JSON.stringify(havePosition) !== JSON.stringify(position)) {
      return `diagnostic ${i}: expected ${JSON.stringify(position)}, got ${JSON.stringify(havePosition)} (${message})`;
    }
    const missingWords = words.filter((w) => !message.includes(w));
    if (missingWords.length > 0)
      return `diagnostic ${i}: message lacks ${JSON.stringify(missingWords)}: ${message}`;
  }
  return undefined;
}
