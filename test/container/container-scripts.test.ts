/**
 * What the container image does, without a Docker engine: scripts/container/build.sh (the build
 * stage's RUN) installs Kanaria into a temporary prefix, and the tree it leaves is what the runtime
 * stage copies. From that tree, kanaria-start (the ENTRYPOINT) refuses a data folder it cannot use,
 * creates the database in a writable one, and runs `kanaria serve` against a sandbox Slack and cloud
 * until SIGTERM (what ECS sends), while kanaria-healthcheck (the HEALTHCHECK) reports it healthy.
 * The default tier reuses this checkout's compiled SQLite addon (KANARIA_SQLITE_ADDON); the slow tier
 * (KANARIA_SLOW_TESTS=1) runs build.sh as the image does: npm ci, then an install that compiles.
 */
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SandboxSlack, startSandboxSlack } from "../../sandbox/slack-server.js";
import { type SandboxCloud, startSandboxCloud } from "../../sandbox/start-sandbox-cloud.js";
import {
  checkoutSqliteAddon,
  childEnv,
  copyCheckout,
  installedDevPackages,
  run,
  runOk,
  SLOW,
} from "../install/packed-install.js";
import { dockerIgnored } from "./docker-context.js";

const MINUTES = 60_000;
/** Each command starts Node and loads the package from disk; on a busy machine that takes a while. */
const EACH = { timeout: 10 * MINUTES };
/** An unprivileged user for the read-only check when the tests run as root (root writes anywhere). */
const NOBODY = 65534;

let work: string;
let target: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "kanaria-container-"));
  // Other users must reach the tree: the read-only case runs kanaria-start as nobody.
  chmodSync(work, 0o755);
  const source = join(work, "src");
  // The build context docker would send: .dockerignore applies.
  copyCheckout(source, { linkNodeModules: !SLOW, ignored: dockerIgnored });
  target = join(work, "opt/kanaria");
  const env = childEnv({
    KANARIA_NPM_FLAGS: "--offline",
    ...(SLOW ? {} : { KANARIA_SQLITE_ADDON: checkoutSqliteAddon().file }),
  });
  runOk("sh", [join(source, "scripts/container/build.sh"), source, target], { cwd: source, env });
}, 30 * MINUTES);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
}, 10 * MINUTES);

function start(args: string[], cwd: string, data: string, uid?: number) {
  return run(join(target, "bin/kanaria-start"), args, {
    cwd,
    env: childEnv({ HOME: cwd, KANARIA_DATA: data }),
    ...(uid !== undefined ? { uid } : {}),
  });
}

function folder(name: string, mode = 0o755): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, mode);
  return dir;
}

describe(
  `the image's build and start steps (${SLOW ? "better-sqlite3 compiled" : "compiled addon reused; KANARIA_SLOW_TESTS=1 compiles it"})`,
  EACH,
  () => {
    it("installs the CLI, the entry point and the health check, production dependencies only", () => {
      expect(readdirSync(join(target, "bin")).sort()).toEqual([
        "kanaria",
        "kanaria-healthcheck",
        "kanaria-start",
      ]);
      expect(installedDevPackages(join(target, "lib/node_modules/kanaria"))).toEqual([]);
      // Of better-sqlite3's build, only the addon is left.
      const sqlite = join(target, "lib/node_modules/kanaria/node_modules/better-sqlite3");
      expect(existsSync(join(sqlite, "deps"))).toBe(false);
      expect(readdirSync(join(sqlite, "build"))).toEqual(["Release"]);
      expect(readdirSync(join(sqlite, "build/Release"))).toEqual(["better_sqlite3.node"]);
      const version = run(join(target, "bin/kanaria"), ["--version"], { cwd: work });
      expect(version).toMatchObject({
        status: 0,
        stdout: expect.stringMatching(/^kanaria \d+\.\d+\.\d+\n$/),
      });
    });

    it("refuses to serve without a data folder, saying what to mount, and starts other commands anyway", () => {
      const missing = join(work, "no-such-volume");
      const result = start(["serve"], folder("cwd-missing"), missing);
      expect(result.status).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).toBe(
        `kanaria-start: the data folder ${missing} does not exist; mount a volume there (KANARIA_DATA names it), and point kanaria.yaml's store.path into it\n`,
      );
      expect(start(["--version"], folder("cwd-version"), missing).status).toBe(0);
    });

    it("refuses a data folder it cannot write, naming the user to give it to", () => {
      const asRoot = process.getuid?.() === 0;
      const data = folder("read-only-volume", asRoot ? 0o755 : 0o555);
      const uid = asRoot ? NOBODY : process.getuid?.();
      const result = start(
        ["migrate", "--db", join(data, "kanaria.db")],
        folder("cwd-ro"),
        data,
        asRoot ? NOBODY : undefined,
      );
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(
        `kanaria-start: the data folder ${data} is not writable by uid ${uid}, so the database cannot live there; mount a volume this user can write (on EFS, an access point with uid ${uid})`,
      );
      expect(readdirSync(data)).toEqual([]);
    });

    it("creates the database in the data folder, readable by its owner only", () => {
      const data = folder("data-migrate", 0o700);
      const result = start(["migrate", "--db", join(data, "kanaria.db")], folder("cwd-migrate"), data);
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      expect(statSync(join(data, "kanaria.db")).mode & 0o777).toBe(0o600);
      // The write check leaves nothing behind.
      expect(readdirSync(data).filter((f) => f.startsWith(".kanaria"))).toEqual([]);
    });

    describe("serve", () => {
      let slack: SandboxSlack;
      let cloud: SandboxCloud;
      beforeAll(async () => {
        slack = await startSandboxSlack({
          botToken: "xoxb-container-test",
          signingSecret: "container-test-secret",
          botUserId: "U0KANARIA",
          users: [],
          channels: [{ id: "C0DEPLOYS", name: "deploys" }],
        });
        cloud = await startSandboxCloud();
      }, 10 * MINUTES);
      afterAll(async () => {
        await slack?.close();
        await cloud?.close();
      });

      /** /etc/kanaria in the image: kanaria.yaml with store.path on the data volume, one app, secrets in files. */
      function configFolder(data: string): string {
        const dir = folder("etc-kanaria");
        mkdirSync(join(dir, "web"), { recursive: true });
        writeFileSync(join(dir, "bot-token"), "xoxb-container-test\n");
        writeFileSync(join(dir, "signing-secret"), "container-test-secret\n");
        writeFileSync(
          join(dir, "aws-credentials"),
          "[default]\naws_access_key_id = sandbox\naws_secret_access_key = sandbox\n",
        );
        writeFileSync(
          join(dir, "kanaria.yaml"),
          [
            "slack:",
            "  botToken: {file: ./bot-token}",
            "  signingSecret: {file: ./signing-secret}",
            `  apiUrl: ${slack.apiUrl}`,
            "  port: 0",
            "cloudProviders:",
            "  - name: sandbox",
            "    type: ECS",
            "    config:",
            `      region: ${cloud.region}`,
            "      credentialsFile: ./aws-credentials",
            `      endpoints: {ecs: "${cloud.ecsEndpoint}", elbv2: "${cloud.elbv2Endpoint}"}`,
            "store:",
            `  path: ${join(data, "kanaria.db")}`,
            "apps:",
            "  - name: web",
            "    dir: ./web",
            "",
          ].join("\n"),
        );
        writeFileSync(
          join(dir, "web/app.pipecd.yaml"),
          `apiVersion: pipecd.dev/v1beta1\nkind: ECSApp\nspec:\n  name: web\n  input:\n    targetGroups:\n      primary:\n        targetGroupArn: arn:aws:elasticloadbalancing:${cloud.region}:123456789012:targetgroup/web-blue/1\n        containerName: web\n        containerPort: 80\n`,
        );
        writeFileSync(
          join(dir, "web/servicedef.yaml"),
          "cluster: c\nserviceName: web\ndesiredCount: 2\ndeploymentController:\n  type: EXTERNAL\n",
        );
        writeFileSync(
          join(dir, "web/taskdef.yaml"),
          "family: web\ncontainerDefinitions:\n  - name: web\n    image: nginx:1\n    portMappings:\n      - containerPort: 80\n",
        );
        return dir;
      }

      function healthcheck(port: string) {
        return run(join(target, "bin/kanaria-healthcheck"), [], {
          cwd: work,
          env: childEnv({ KANARIA_HEALTH_PORT: port }),
        });
      }

      it("serves until SIGTERM with the database on the data volume, healthy meanwhile, then stops cleanly", async () => {
        const data = folder("data-serve", 0o700);
        const config = configFolder(data);
        const child = spawn(join(target, "bin/kanaria-start"), ["serve"], {
          cwd: config,
          env: childEnv({ HOME: config, KANARIA_DATA: data }),
        });
        let stdout = "";
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => {
          stderr += chunk.toString();
        });
        const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
        const port = await new Promise<string>((resolve, reject) => {
          child.stdout.on("data", (chunk: Buffer) => {
            stdout += chunk.toString();
            const found = /Slack on http:\/\/0\.0\.0\.0:(\d+)\/slack\/events/.exec(stdout)?.[1];
            if (found) resolve(found);
          });
          void exited.then((code) =>
            reject(new Error(`serve exited ${code} before listening:\n${stdout}\n${stderr}`)),
          );
        });

        expect(healthcheck(port)).toMatchObject({ status: 0, stderr: "" });
        expect(statSync(join(data, "kanaria.db")).mode & 0o777).toBe(0o600);
        expect(slack.calls.list("auth.test").length).toBeGreaterThan(0);

        child.kill("SIGTERM");
        expect(await exited).toBe(0);
        expect(stdout).toContain(
          "kanaria serve: stopped; unfinished deployments will resume at the next start.",
        );

        const down = healthcheck(port);
        expect(down.status).toBe(1);
        expect(down.stderr).toContain(`kanaria-healthcheck: http://127.0.0.1:${port}/healthz`);
      });
    });
  },
);
