/**
 * Packs this checkout the way a user gets Kanaria (`npm pack`: prepack, the `prepare` build, the files
 * package.json lists) and installs the tarball into a prefix of its own, outside the repository, so a
 * file the package forgot to ship fails the commands run from it. Shared by the install and container
 * tests.
 *
 * better-sqlite3 compiles from source when installed (prebuilt binaries cannot be downloaded here; the
 * compile takes minutes on a busy machine). The default test tier therefore installs with
 * `--ignore-scripts` and puts in the addon this checkout already compiled: the same better-sqlite3
 * version (checked) for the same Node (the tests run the installed program with this process's node),
 * so it is the file the compile would produce. The slow tier (`KANARIA_SLOW_TESTS=1`) runs the install
 * scripts and compiles. Both install `--offline`: the tarball's npm-shrinkwrap.json pins the tree this
 * checkout's `npm ci`/`npm install` put in npm's cache, so no registry is asked and the run does not
 * depend on what was published since.
 */
import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join, relative, resolve } from "node:path";

export const REPO = resolve(import.meta.dirname, "../..");
export const SLOW = process.env.KANARIA_SLOW_TESTS === "1";

/** Top-level entries of a checkout that are never part of what gets packed or built. */
const NOT_COPIED = new Set([
  "node_modules",
  "dist",
  ".git",
  ".ci",
  "demo-output",
  ".kanaria-sandbox",
  "coverage",
]);

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment children get: PATH with this node first (the installed `kanaria` is started by
 * `#!/usr/bin/env node`, and the reused addon is built for this node's ABI) and none of the `npm_*`
 * variables an enclosing `npm test` sets, which would reconfigure the nested npm.
 */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^npm_/i.test(key)) env[key] = value;
  }
  env.PATH = `${dirname(process.execPath)}:${env.PATH ?? "/usr/bin:/bin"}`;
  return { ...env, ...extra };
}

export interface RunOptions {
  cwd: string;
  env?: Record<string, string>;
  /** Run as this user and group (needs root). */
  uid?: number;
}

export function run(command: string, args: string[], options: RunOptions): Run {
  const result: SpawnSyncReturns<string> = spawnSync(command, args, {
    cwd: options.cwd,
    env: options.env ?? childEnv(),
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.uid } : {}),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Like `run`, but a non-zero exit throws with everything the command printed. */
export function runOk(command: string, args: string[], options: RunOptions) {
  const result = run(command, args, options);
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} (in ${options.cwd}) exited ${result.status}:\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result;
}

/**
 * Copies the checkout (without node_modules, dist, .git, outputs, and whatever `ignored` says, given a
 * path relative to the checkout) to `dest`, with node_modules linked to this checkout's (unless
 * `linkNodeModules` is false) so the build has its dev dependencies. Packing the copy keeps the prepack
 * hook's clean `dist/` from touching the checkout other tests run from.
 */
export function copyCheckout(
  dest: string,
  options: { linkNodeModules?: boolean; ignored?: (path: string) => boolean } = {},
): void {
  const ignored = options.ignored ?? (() => false);
  mkdirSync(dest, { recursive: true });
  for (const entry of readdirSync(REPO)) {
    if (NOT_COPIED.has(entry) || /\.db(-wal|-shm)?$/.test(entry) || ignored(entry)) continue;
    cpSync(join(REPO, entry), join(dest, entry), {
      recursive: true,
      filter: (source) => !ignored(relative(REPO, source)),
    });
  }
  if (options.linkNodeModules ?? true) {
    symlinkSync(join(REPO, "node_modules"), join(dest, "node_modules"), "dir");
  }
}

/** Packs a copy of the checkout in `work/checkout`; returns the tarball's path (in `work`). */
export function packCheckout(work: string): string {
  const checkout = join(work, "checkout");
  copyCheckout(checkout);
  const packed = runOk("npm", ["pack", "--pack-destination", work, "--json"], { cwd: checkout });
  const [info] = JSON.parse(packed.stdout) as [{ filename: string }];
  return join(work, basename(info.filename));
}

/** The better-sqlite3 addon this checkout compiled, and its package version. */
export function checkoutSqliteAddon(): { file: string; version: string } {
  const pkg = createRequire(join(REPO, "package.json")).resolve("better-sqlite3/package.json");
  const { version } = JSON.parse(readFileSync(pkg, "utf8")) as { version: string };
  return { file: join(dirname(pkg), "build/Release/better_sqlite3.node"), version };
}

/**
 * Puts the checkout's compiled addon where an install that skipped scripts left none, after checking
 * it is the same better-sqlite3 version.
 */
export function supplySqliteAddon(packageRoot: string): void {
  const installed = join(packageRoot, "node_modules/better-sqlite3");
  const { version } = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as {
    version: string;
  };
  const addon = checkoutSqliteAddon();
  if (version !== addon.version) {
    throw new Error(
      `the package installs better-sqlite3 ${version} but this checkout compiled ${addon.version}: run \`npm ci\``,
    );
  }
  mkdirSync(join(installed, "build/Release"), { recursive: true });
  copyFileSync(addon.file, join(installed, "build/Release/better_sqlite3.node"));
}

/**
 * `npm install -g --prefix <prefix> <tarball>`, offline. Without `compile`, scripts are skipped and the
 * checkout's addon supplied (see the top of this file). Returns the installed package's folder.
 */
export function installTarball(tarball: string, prefix: string, options: { compile: boolean }): string {
  const args = ["install", "-g", "--prefix", prefix, "--offline", "--no-audit", "--no-fund", tarball];
  args.push(options.compile ? "--allow-scripts=better-sqlite3" : "--ignore-scripts");
  const result = run("npm", args, { cwd: dirname(tarball) });
  if (result.status !== 0) {
    const hint = /ENOTCACHED/.test(result.stderr)
      ? "\nnpm's cache lacks a package of the lockfile: run `npm ci` (or `npm install`) in the checkout first."
      : "";
    throw new Error(`npm ${args.join(" ")} exited ${result.status}:\n${result.stderr}${hint}`);
  }
  const root = join(prefix, "lib/node_modules/kanaria");
  if (!options.compile) supplySqliteAddon(root);
  return root;
}

/**
 * The lockfile's packages that only the dev dependencies need (`"dev": true`), as paths below
 * node_modules: none of them may be installed with the package.
 */
export function devOnlyPackages(): string[] {
  const lock = JSON.parse(readFileSync(join(REPO, "package-lock.json"), "utf8")) as {
    packages: Record<string, { dev?: boolean }>;
  };
  return Object.entries(lock.packages)
    .filter(([path, entry]) => path.startsWith("node_modules/") && entry.dev === true)
    .map(([path]) => path.slice("node_modules/".length));
}

/** Which of the dev-only packages are installed below `packageRoot`. */
export function installedDevPackages(packageRoot: string): string[] {
  return devOnlyPackages().filter((path) => existsSync(join(packageRoot, "node_modules", path)));
}

/** The paths inside a tarball, without npm's `package/` prefix. */
export function tarballEntries(tarball: string): string[] {
  return runOk("tar", ["-tzf", tarball], { cwd: dirname(tarball) })
    .stdout.split("\n")
    .filter((line) => line.length > 0)
    .map((line) => line.replace(/^package\//, ""));
}
