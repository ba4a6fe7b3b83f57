/**
 * What `docker build .` sends as its context: the checkout minus what .dockerignore names. The patterns
 * used there are names and `*` globs; `dockerIgnored` reads them as Docker does for those (a pattern
 * matches a path or any path below it, `*` stays within one path segment).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "../install/packed-install.js";

export function dockerIgnorePatterns(): string[] {
  return readFileSync(join(REPO, ".dockerignore"), "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

const matchers = dockerIgnorePatterns().map(
  (pattern) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")}(/.*)?$`),
);

/** Whether .dockerignore keeps `path` (relative to the checkout) out of the build context. */
export function dockerIgnored(path: string): boolean {
  return matchers.some((matcher) => matcher.test(path));
}
