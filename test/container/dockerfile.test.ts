/**
 * The Dockerfile's structure, read instruction by instruction (there is no Docker engine to build it):
 * a build stage that runs scripts/container/build.sh with the compilers, a runtime stage on the same
 * Node 24 slim image that copies only build.sh's target and runs as a non-root user with the entry
 * point, health check and data volume build.sh and start.sh provide; and a .dockerignore that keeps
 * host builds out without hiding what build.sh packs. What build.sh and start.sh do is tested by
 * container-scripts.test.ts.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "../install/packed-install.js";
import { dockerIgnored } from "./docker-context.js";

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Joins `\` continuations, drops comments and blank lines. */
function instructions(text: string): Instruction[] {
  const result: Instruction[] = [];
  let pending: { parts: string[]; line: number } | undefined;
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (pending === undefined && (line === "" || line.startsWith("#"))) return;
    if (pending !== undefined && line.startsWith("#")) return;
    const continued = line.endsWith("\\");
    const part = continued ? line.slice(0, -1).trim() : line;
    pending ??= { parts: [], line: index + 1 };
    pending.parts.push(part);
    if (continued) return;
    const whole = pending.parts.join(" ");
    const [keyword = "", ...rest] = whole.split(/\s+/);
    result.push({ keyword: keyword.toUpperCase(), args: rest.join(" "), line: pending.line });
    pending = undefined;
  });
  return result;
}

function stages(all: Instruction[]): { args: Map<string, string>; stages: Stage[] } {
  const args = new Map<string, string>();
  const list: Stage[] = [];
  for (const instruction of all) {
    if (instruction.keyword === "FROM") {
      const [from = "", as, name] = instruction.args.split(/\s+/);
      list.push({ from, name: as?.toUpperCase() === "AS" ? name : undefined, instructions: [] });
    } else if (list.length === 0 && instruction.keyword === "ARG") {
      const [key = "", value = ""] = instruction.args.split("=");
      args.set(key, value);
    } else {
      list.at(-1)?.instructions.push(instruction);
    }
  }
  return { args, stages: list };
}

/** `["a", "b"]` (exec form) as an array. */
function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed)) throw new Error(`not exec form: ${args}`);
  return parsed.map(String);
}

const dockerfile = readFileSync(join(REPO, "Dockerfile"), "utf8");
const parsed = stages(instructions(dockerfile));
const build = parsed.stages[0];
const runtime = parsed.stages.at(-1);
if (!build || !runtime || build === runtime)
  throw new Error("the Dockerfile needs a build and a runtime stage");

function all(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((i) => i.keyword === keyword);
}
function only(stage: Stage, keyword: string): Instruction {
  const found = all(stage, keyword);
  expect(found, `${keyword} in stage ${stage.name ?? stage.from}`).toHaveLength(1);
  return found[0] as Instruction;
}
function resolveImage(from: string): string {
  return from.replace(/^\$\{?(\w+)\}?$/, (_, name: string) => parsed.args.get(name) ?? from);
}

/** Where the build stage's build.sh installs Kanaria (its second argument). */
const buildRun = all(build, "RUN").find((i) => /scripts\/container\/build\.sh/.test(i.args));
const target = /scripts\/container\/build\.sh\s+\S+\s+(\S+)/.exec(buildRun?.args ?? "")?.[1];

const COMPILERS = /\b(g\+\+|gcc|make|python3|build-essential)\b/;

describe("the Dockerfile", () => {
  it("builds on Node 24 slim in both stages, so the addon is compiled for the Node that runs it", () => {
    expect(parsed.stages.length).toBeGreaterThanOrEqual(2);
    const images = parsed.stages.map((s) => resolveImage(s.from));
    for (const image of images) expect(image).toMatch(/^node:24(\.\d+)*-(bookworm|trixie)-slim$/);
    expect(new Set(images).size).toBe(1);
  });

  it("runs build.sh in the build stage, where the compilers are installed, and only there", () => {
    expect(target, "RUN scripts/container/build.sh SOURCE TARGET in the build stage").toMatch(/^\/\S+/);
    const installs = all(build, "RUN").filter((i) => /apt-get install/.test(i.args));
    expect(installs.some((i) => COMPILERS.test(i.args))).toBe(true);
    // The build stage installs on the tarball's shrinkwrap: no npm install of its own beside build.sh.
    expect(all(build, "RUN").filter((i) => /\bnpm (i|install|ci)\b/.test(i.args))).toEqual([]);
    for (const instruction of runtime.instructions) {
      expect(`${instruction.keyword} ${instruction.args}`).not.toMatch(/apt-get install|apk add/);
      expect(`${instruction.keyword} ${instruction.args}`).not.toMatch(/\bnpm\b|build\.sh/);
    }
  });

  it("gives the runtime stage build.sh's target and nothing else from the build", () => {
    const copies = all(runtime, "COPY");
    expect(copies.map((c) => c.args)).toEqual([`--from=${build.name} ${target} ${target}`]);
    expect(all(runtime, "ADD")).toEqual([]);
  });

  it("runs as a non-root user from before the entry point on", () => {
    const user = only(runtime, "USER");
    expect(user.args).not.toMatch(/^(root|0)(:|$)/);
    const entrypoint = only(runtime, "ENTRYPOINT");
    expect(user.line).toBeLessThan(entrypoint.line);
    const after = runtime.instructions.filter((i) => i.line > user.line);
    expect(after.filter((i) => i.keyword === "RUN")).toEqual([]);
  });

  it("starts `kanaria serve` through start.sh, with the data volume it checks and the health check", () => {
    expect(execForm(only(runtime, "ENTRYPOINT").args)).toEqual([`${target}/bin/kanaria-start`]);
    expect(execForm(only(runtime, "CMD").args)).toEqual(["serve"]);
    const data = /KANARIA_DATA=(\S+)/.exec(
      all(runtime, "ENV")
        .map((e) => e.args)
        .join(" "),
    )?.[1];
    expect(data).toBeDefined();
    expect(execForm(only(runtime, "VOLUME").args)).toEqual([data]);
    const prepared = all(runtime, "RUN")
      .map((r) => r.args)
      .join(" ");
    expect(prepared).toContain(`chown node:node ${data}`);
    expect(only(runtime, "USER").args).toBe("node");
    const health = only(runtime, "HEALTHCHECK").args;
    expect(execForm(health.slice(health.indexOf("CMD") + 3).trim())).toEqual([
      `${target}/bin/kanaria-healthcheck`,
    ]);
    expect(only(runtime, "EXPOSE").args).toBe("3000");
  });
});

describe(".dockerignore", () => {
  const ignored = dockerIgnored;

  it("keeps the host's node_modules, build output and state out of the image", () => {
    for (const path of ["node_modules", "dist/src/main.js", ".git", "kanaria.db", "demo-output"]) {
      expect(ignored(path), path).toBe(true);
    }
  });

  it("sends everything build.sh packs and builds", () => {
    const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { files: string[] };
    const sources = pkg.files.filter((f) => !f.startsWith("dist/") && f !== "npm-shrinkwrap.json");
    for (const path of [
      "package.json",
      "package-lock.json",
      "tsconfig.json",
      "tsconfig.build.json",
      "src/main.ts",
      "sandbox/cli/demo-command.ts",
      "scripts/container/build.sh",
      "scripts/container/start.sh",
      "scripts/container/healthcheck.mjs",
      "scripts/container/prepack.mjs",
      "README.md",
      ...sources,
    ]) {
      expect(ignored(path), path).toBe(false);
    }
  });
});
