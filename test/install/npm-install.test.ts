/**
 * Kanaria installed as the README says (`npm pack`, then `npm install -g` of the tarball), run from
 * folders outside the repository: `--version`, `check-config` in a copy of the starter the package
 * ships, `migrate` and `demo --fast`. Migrations, chart fonts and the simulator must all come from the
 * installed package. The default tier reuses this checkout's compiled SQLite addon; the slow tier
 * (KANARIA_SLOW_TESTS=1) compiles it as a user's install does (see packed-install.ts).
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  childEnv,
  devOnlyPackages,
  installedDevPackages,
  installTarball,
  packCheckout,
  REPO,
  run,
  SLOW,
  tarballEntries,
} from "./packed-install.js";

const MINUTES = 60_000;
/** Each command starts Node and loads the package from disk; on a busy machine that takes a while. */
const EACH = { timeout: 10 * MINUTES };
const version = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version;

let work: string;
let tarball: string;
let kanaria: string;
let packageRoot: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "kanaria-install-"));
  tarball = packCheckout(work);
  packageRoot = installTarball(tarball, join(work, "prefix"), { compile: SLOW });
  kanaria = join(work, "prefix/bin/kanaria");
}, 30 * MINUTES);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
}, 10 * MINUTES);

/** A fresh folder outside the repository; HOME too, so nothing of the user's (~/.aws) is read. */
function elsewhere(name: string): string {
  return mkdtempSync(join(work, `${name}-`));
}

const dummySecrets = {
  SLACK_BOT_TOKEN: "xoxb-install-test",
  SLACK_SIGNING_SECRET: "install-test-secret",
  DD_API_KEY: "install-test-api-key",
  DD_APP_KEY: "install-test-app-key",
};

function kanariaIn(cwd: string, args: string[], env: Record<string, string> = {}) {
  return run(kanaria, args, { cwd, env: childEnv({ HOME: cwd, ...env }) });
}

describe(
  `kanaria installed from its npm tarball (${SLOW ? "better-sqlite3 compiled" : "compiled addon reused; KANARIA_SLOW_TESTS=1 compiles it"})`,
  EACH,
  () => {
    it("ships the built program, the simulator, migrations and the starter, and no sources or tests", () => {
      const entries = tarballEntries(tarball);
      for (const file of [
        "package.json",
        "npm-shrinkwrap.json",
        "dist/src/main.js",
        "dist/src/charts/chart-worker.js",
        "dist/src/slack/ack-worker.js",
        "dist/sandbox/cli/demo-command.js",
        "examples/starter/kanaria.yaml",
        "examples/starter/apps/web/app.pipecd.yaml",
        "manifest.yml",
        "manifest.socket.yml",
      ]) {
        expect(entries, file).toContain(file);
      }
      for (const migration of readdirSync(join(REPO, "migrations"))) {
        expect(entries).toContain(`migrations/${migration}`);
      }
      expect(
        entries.filter((e) => /^(src|sandbox|test|bench|scripts)\/|^dist\/(test|bench)\//.test(e)),
      ).toEqual([]);
      // The shrinkwrap is the checkout's lockfile (prepack copies it; postpack removes the copy).
      expect(existsSync(join(REPO, "npm-shrinkwrap.json"))).toBe(false);
    });

    it("installs production dependencies only", () => {
      expect(devOnlyPackages()).toContain("typescript");
      expect(installedDevPackages(packageRoot)).toEqual([]);
      expect(readdirSync(join(packageRoot, "node_modules"))).toContain("better-sqlite3");
    });

    it("runs kanaria --version anywhere", () => {
      const result = kanariaIn(elsewhere("version"), ["--version"]);
      expect(result).toMatchObject({ status: 0, stdout: `kanaria ${version}\n` });
    });

    it("checks a copy of the starter it ships, reading the secrets serve will read", () => {
      const starter = join(elsewhere("starter"), "kanaria");
      cpSync(join(packageRoot, "examples/starter"), starter, { recursive: true });

      const bare = kanariaIn(starter, ["check-config"]);
      expect(bare.status).toBe(1);
      expect(bare.stdout).toContain("environment variable DD_API_KEY is not set");
      expect(bare.stdout).toContain("environment variable SLACK_BOT_TOKEN is not set");

      const good = kanariaIn(starter, ["check-config"], dummySecrets);
      expect({ status: good.status, last: good.stdout.trim().split("\n").at(-1) }).toEqual({
        status: 0,
        last: "0 errors, 0 warnings in 1 app",
      });

      // A piped-style credentials file, as an operator adds one: read (not just named) by check-config.
      const yaml = readFileSync(join(starter, "kanaria.yaml"), "utf8");
      const withCredentials = yaml.replace(
        /^(\s+)region: (\S+).*$/m,
        "$1region: $2\n$1credentialsFile: ./aws-credentials",
      );
      expect(withCredentials).not.toBe(yaml);
      writeFileSync(join(starter, "kanaria.yaml"), withCredentials);
      const missing = kanariaIn(starter, ["check-config"], dummySecrets);
      expect(missing.status).toBe(1);
      expect(missing.stdout).toMatch(/kanaria\.yaml:\d+:\d+: error: .*credentialsFile.*aws-credentials/);
      writeFileSync(
        join(starter, "aws-credentials"),
        "[default]\naws_access_key_id = AKIDINSTALLTEST\naws_secret_access_key = install-test\n",
      );
      expect(kanariaIn(starter, ["check-config"], dummySecrets).status).toBe(0);
    });

    it("creates a database with the migrations it ships", () => {
      const dir = elsewhere("migrate");
      const result = kanariaIn(dir, ["migrate", "--db", "state/kanaria.db"]);
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      const latest = readdirSync(join(REPO, "migrations")).sort().at(-1);
      expect(result.stdout).toContain(latest);
      expect(kanariaIn(dir, ["history", "web", "--db", "state/kanaria.db"]).status).toBe(0);
    });

    it("plays the demo with the simulator and chart fonts it ships", () => {
      const dir = elsewhere("demo");
      const result = kanariaIn(dir, ["demo", "--fast", "--out", "charts"]);
      expect(result.stdout).toContain("Demo finished as expected.");
      expect(result.status).toBe(0);
      expect(readdirSync(join(dir, "charts")).filter((f) => f.endsWith(".png")).length).toBeGreaterThan(0);
    });
  },
);
