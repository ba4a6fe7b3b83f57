/**
 * The `kanaria` command line: parses argv, runs one command, returns the exit code (0 ok, 1 the command
 * failed, 2 a usage mistake). Every command has `--help`.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { checkConfig } from "../config/check-config.js";
import { loadConfig } from "../config/load-config.js";
import { SLACK_SECRET_ENV } from "../config/read-kanaria-file.js";
import { type Env, readSecret } from "../config/read-secret.js";
import { closestNames } from "../domain/closest-names.js";
import { KanariaError } from "../domain/kanaria-error.js";
import { formatFinding } from "../domain/online-finding.js";
import { LOG_FORMATS, type LogFormat } from "../engine/logger.js";
import { openStore } from "../store/store.js";
import { checkOnline } from "./check-online.js";
import { type CliIo, UsageError } from "./cli-io.js";
import { formatHistory, historyRows } from "./history-command.js";
import { REPLAY_SUMMARY, REPLAY_USAGE, replayCommand } from "./replay-command.js";
import { serve } from "./serve-command.js";

interface Command {
  name: string;
  summary: string;
  usage: string;
  options: Record<string, { type: "string" | "boolean"; short?: string }>;
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

const CONFIG_OPTION = { config: { type: "string" as const, short: "c" } };
const DEFAULT_CONFIG = "kanaria.yaml";

const COMMANDS: Command[] = [
  {
    name: "check-config",
    summary: "validate kanaria.yaml and every app's PipeCD config; print errors and warnings",
    usage:
      `kanaria check-config [--config ${DEFAULT_CONFIG}] [--online]\n\n` +
      "--online  also check the live wiring, read-only: the Slack token and its scopes, and for each app the\n" +
      "          ECS cluster and service, target groups, listener forward action and task definition family.\n" +
      "Exit status: 0 when there are no errors (warnings allowed), 1 otherwise.",
    options: { ...CONFIG_OPTION, online: { type: "boolean" } },
    async run(args, io) {
      // No `env` given: config/ reads the process environment itself (only config/ reads it).
      const file = configPath(args, io);
      const result = await checkConfig(file, { cwd: io.cwd, ...envOf(io) });
      for (const line of result.lines) io.out(line);
      if (args.values.online !== true) return result.exitCode;
      if (result.exitCode !== 0) {
        io.out("online checks skipped: fix the errors above first");
        return result.exitCode;
      }
      const loaded = await loadConfig(file, envOf(io));
      if (!loaded.config) return 1;
      const findings = await checkOnline({ config: loaded.config, apps: loaded.apps }, envOf(io));
      for (const finding of findings) io.out(formatFinding(finding));
      const errors = findings.filter((f) => f.severity === "error").length;
      io.out(`online: ${plural(errors, "error")}, ${plural(findings.length - errors, "warning")}`);
      return errors > 0 ? 1 : 0;
    },
  },
  {
    name: "migrate",
    summary: "create or upgrade the SQLite database to this version's schema",
    usage: `kanaria migrate [--config ${DEFAULT_CONFIG} | --db kanaria.db]`,
    options: { ...CONFIG_OPTION, db: { type: "string" } },
    async run(args, io) {
      const path = await storePath(args, io);
      if (path === undefined) return 1;
      const { store, migration } = openStore(path);
      store.close();
      if (migration.applied.length === 0) io.out(`${path}: already at schema version ${migration.to}`);
      else
        io.out(
          `${path}: schema version ${migration.from} → ${migration.to} (applied ${migration.applied.join(", ")})`,
        );
      return 0;
    },
  },
  {
    name: "history",
    summary: "list an app's recent deployments",
    usage: `kanaria history <app> [--json] [--limit 20] [--config ${DEFAULT_CONFIG} | --db kanaria.db]`,
    options: {
      ...CONFIG_OPTION,
      db: { type: "string" },
      json: { type: "boolean" },
      limit: { type: "string" },
    },
    async run(args, io) {
      const [app, ...extra] = args.positionals;
      if (!app) throw new UsageError("history needs the app name");
      if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
      const limitText = typeof args.values.limit === "string" ? args.values.limit : "20";
      const limit = Number(limitText);
      if (!/^\d+$/.test(limitText) || limit < 1 || limit > 10_000) {
        throw new UsageError(`--limit must be a whole number from 1 to 10000, not "${limitText}"`);
      }
      const path = await storePath(args, io);
      if (path === undefined) return 1;
      // Opening creates the file; a read-only command must not leave an empty database behind a typo.
      if (path !== ":memory:" && !existsSync(path)) {
        io.err(
          `kanaria history: the database ${path} does not exist (nothing was deployed with it; check --db or store.path)`,
        );
        return 1;
      }
      const { store } = openStore(path);
      try {
        const rows = historyRows(store, app, limit);
        if (args.values.json === true) io.out(JSON.stringify(rows, null, 2));
        else for (const line of formatHistory(app, rows, store.deployments.apps())) io.out(line);
      } finally {
        store.close();
      }
      return 0;
    },
  },
  {
    name: "replay",
    summary: REPLAY_SUMMARY,
    usage: REPLAY_USAGE,
    options: { json: { type: "boolean" } },
    run: (args, io) => replayCommand(args.positionals, args.values.json === true, io),
  },
  {
    name: "serve",
    summary: "run the bot: Slack receiver, deployments and their threads (resumes unfinished ones)",
    usage:
      `kanaria serve [--config ${DEFAULT_CONFIG}] [--sandbox --channel C0123ABCD]\n\n` +
      "Runs until SIGINT or SIGTERM. Only one serve may drive a database.\n" +
      "--sandbox: your real Slack app (kanaria.yaml's slack section) with the embedded sandbox instead of AWS and\n" +
      "Datadog: one app, web, deployable from --channel (a channel id the bot is in). v3 answers 5% errors.\n" +
      "Without a kanaria.yaml there, --sandbox takes the Slack secrets from SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET.\n" +
      "--log-format json|pretty: the operators' log format (default: pretty on a terminal, JSON otherwise).",
    options: {
      ...CONFIG_OPTION,
      sandbox: { type: "boolean" },
      channel: { type: "string" },
      "log-format": { type: "string" },
    },
    async run(args, io) {
      const logFormat = logFormatOption(args.values["log-format"]);
      const channel = typeof args.values.channel === "string" ? args.values.channel : undefined;
      if (args.values.sandbox === true && !channel)
        throw new UsageError("--sandbox needs --channel <channel id>");
      if (channel && args.values.sandbox !== true) throw new UsageError("--channel only goes with --sandbox");
      if (channel && !/^[CG][A-Z0-9]{2,}$/.test(channel)) {
        throw new UsageError(`--channel must be a Slack channel id such as C0123ABCD, not "${channel}"`);
      }
      // With --sandbox only kanaria.yaml's slack section is used, so a first try needs no file at all.
      const file = configPath(args, io);
      const standIn = channel !== undefined && typeof args.values.config !== "string" && !existsSync(file);
      if (standIn) {
        // Without the file there is no line to point at: say which variables to set instead.
        const problems = await unreadableSecrets(Object.values(SLACK_SECRET_ENV), io.env);
        if (problems.length > 0) {
          io.err(
            `kanaria serve: there is no ${DEFAULT_CONFIG} in ${io.cwd}, so --sandbox takes the Slack secrets from the environment, but ${problems.join(" and ")}`,
          );
          return 1;
        }
      }
      const loaded = await loadConfig(file, { ...envOf(io), checkSecrets: true, missingAsEmpty: standIn });
      return serve(loaded, io, io.stopSignal(), {
        ...(channel ? { sandbox: { channel } } : {}),
        ...(logFormat ? { logFormat } : {}),
      });
    },
  },
  {
    name: "sandbox",
    summary: "run the simulated ECS + ALB on loopback and print how to point kanaria.yaml at it",
    usage:
      "kanaria sandbox [--config sandbox.yaml | --config kanaria.yaml] [--port 4580]\n\n" +
      "Without --config: one app, web, at version v1. With a kanaria.yaml: its apps, by name. ECS listens on\n" +
      "--port and ELBv2 on the next port (--port 0: any free ports). The sandbox config's format is in the README (The sandbox).\n" +
      "Runs until SIGINT or SIGTERM.",
    options: { ...CONFIG_OPTION, port: { type: "string" } },
    async run(args, io) {
      const file = typeof args.values.config === "string" ? resolve(io.cwd, args.values.config) : undefined;
      const port = args.values.port === undefined ? undefined : Number(args.values.port);
      if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65534))
        throw new UsageError(
          `--port must be a port number from 1 to 65534 (0: any free ports), got "${String(args.values.port)}"`,
        );
      // The simulator lives beside the product (sandbox/) and is loaded only when asked for.
      const { runSandbox } = await import("../../sandbox/cli/sandbox-command.js");
      return runSandbox(file, io, port);
    },
  },
  {
    name: "demo",
    summary: "run the whole product on the embedded sandbox: a morning of deployments in a simulated Slack",
    usage:
      "kanaria demo [--fast] [--out demo-output]\n\nv2 is analysed, approved by a second person and completes; v3 (5% errors) is rolled back\n" +
      "automatically. Prints the Slack thread as it evolves and writes the charts to --out.\n" +
      "Exit status: 0 only when both outcomes are as expected.",
    options: { fast: { type: "boolean" }, out: { type: "string" } },
    async run(args, io) {
      if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
      const outDir = typeof args.values.out === "string" ? args.values.out : "demo-output";
      const { runDemo } = await import("../../sandbox/cli/demo-command.js");
      return runDemo({ fast: args.values.fast === true, outDir }, io);
    },
  },
];

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    for (const line of overview()) io.out(line);
    return name === undefined ? 2 : 0;
  }
  if (name === "--version") {
    io.out("kanaria 0.1.0");
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`kanaria: unknown command "${name}". Commands: ${COMMANDS.map((c) => c.name).join(", ")}.`);
    io.err("Run `kanaria --help` for what each does.");
    return 2;
  }
  try {
    const parsed = parseArgs({
      args: [...rest],
      options: { ...command.options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
    if (parsed.values.help === true) {
      io.out(`${command.summary}\n\nUsage: ${command.usage}`);
      return 0;
    }
    return await command.run(parsed as ParsedArgs, io);
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      io.err(`kanaria ${command.name}: ${usageMessage(error as Error, command)}`);
      io.err(`Usage: ${command.usage}`);
      return 2;
    }
    if (error instanceof KanariaError) {
      io.err(`kanaria ${command.name}: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

function overview(): string[] {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "kanaria — progressive delivery for AWS ECS, from Slack",
    "",
    "Usage: kanaria <command> [options]   (every command has --help)",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ];
}

function configPath(args: ParsedArgs, io: CliIo): string {
  const given = typeof args.values.config === "string" ? args.values.config : DEFAULT_CONFIG;
  return resolve(io.cwd, given);
}

/** `--db`, or `store.path` of the config; undefined (after printing why) when the config is unusable. */
async function storePath(args: ParsedArgs, io: CliIo): Promise<string | undefined> {
  if (typeof args.values.db === "string") {
    if (typeof args.values.config === "string") throw new UsageError("give --db or --config, not both");
    return resolve(io.cwd, args.values.db);
  }
  const file = configPath(args, io);
  const loaded = await loadConfig(file);
  if (loaded.config) return loaded.config.store.path;
  // Only the store's path is wanted here, so secrets are not part of why the config does not load.
  const check = await checkConfig(file, { cwd: io.cwd, checkSecrets: false });
  io.err(`cannot find the database: ${file} does not load. Fix it, or name the database with --db.`);
  for (const line of check.lines) io.err(line);
  return undefined;
}

/** `--log-format`'s value, checked. */
function logFormatOption(value: string | boolean | undefined): LogFormat | undefined {
  if (value === undefined || value === true) return undefined;
  const format = LOG_FORMATS.find((f) => f === value);
  if (!format) throw new UsageError(`--log-format must be json or pretty, not "${value}"`);
  return format;
}

/** The environment a test gave the CLI, as config/'s option; none = config/ reads the real environment. */
function envOf(io: CliIo): { env?: Env } {
  return io.env ? { env: io.env } : {};
}

/** Why each of the environment variables `names` cannot serve as a secret (empty when all can). */
async function unreadableSecrets(names: readonly string[], env: Env | undefined): Promise<string[]> {
  const problems: string[] = [];
  for (const name of names) {
    try {
      await readSecret({ env: name }, env);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  return problems;
}

/**
 * parseArgs's own unknown-option message ends in an unbalanced quote and a hint about positionals that
 * no command here takes; ours names the option and the command's options closest to it.
 */
function usageMessage(error: Error, command: Command): string {
  const unknown = /^Unknown option '([^']+)'/.exec(error.message)?.[1];
  if ((error as { code?: unknown }).code !== "ERR_PARSE_ARGS_UNKNOWN_OPTION" || unknown === undefined)
    return error.message;
  const options = [...Object.keys(command.options), "help"].map((name) => `--${name}`);
  const near = closestNames(unknown, options);
  const hint = near.length > 0 ? `did you mean ${near.join(" or ")}?` : `options: ${options.join(", ")}`;
  return `Unknown option '${unknown}'; ${hint}`;
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS");
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
