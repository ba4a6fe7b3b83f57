/**
 * What a person sees when `kanaria serve` cannot start (here: Slack unreachable): the one-line error on
 * stderr, no raw JSON log lines on a terminal before it, and no third-party warning (the AWS SDK's Node
 * version notice) anywhere. Logs stay JSON when stdout is not a terminal, for collectors.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { MAIN, startKanaria } from "./serve-child.js";

const REPO = join(import.meta.dirname, "../..");
const ENV = {
  SLACK_BOT_TOKEN: "xoxb-unreachable",
  SLACK_SIGNING_SECRET: "secret",
  AWS_ACCESS_KEY_ID: "none",
  AWS_SECRET_ACCESS_KEY: "none",
};
// A terminal's colours are not content.
const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");
const ERROR_LINE = /^kanaria serve: could not start the Slack app: /;

let dir: string;
let config: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "kanaria-serve-output-"));
  config = join(dir, "kanaria.yaml");
  writeFileSync(join(dir, "dd-api-key"), "key\n");
  writeFileSync(join(dir, "dd-app-key"), "key\n");
  writeFileSync(
    config,
    [
      "slack:",
      // Nothing listens on port 9 of loopback (discard): auth.test fails at once.
      "  apiUrl: http://127.0.0.1:9/api/",
      "  port: 0",
      "cloudProviders:",
      "  - name: aws",
      "    type: ECS",
      "    config:",
      "      region: ap-northeast-1",
      "analysisProviders:",
      "  - name: datadog",
      "    type: DATADOG",
      "    config:",
      "      apiKeyFile: ./dd-api-key",
      "      applicationKeyFile: ./dd-app-key",
      "apps: []",
      "",
    ].join("\n"),
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Lines a third party printed through Node's warnings (`(node:123) Warning: …`) or the SDK's notice. */
function thirdPartyWarnings(lines: string[]): string[] {
  return lines.filter((l) => /Warning:|NodeVersionSupportWarning/.test(l));
}

describe("kanaria serve's output when it cannot start", () => {
  it("without a terminal: the error line on stderr, JSON logs on stdout, no third-party warning", async () => {
    const serve = startKanaria(["serve", "--config", config], ENV);
    expect(await serve.exited).toBe(1);
    const stderr = serve.stderr().filter((l) => l !== "");
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(ERROR_LINE);
    expect(thirdPartyWarnings([...serve.stdout(), ...stderr])).toEqual([]);
    const logs = serve.stdout().filter((l) => l !== "");
    expect(logs.length).toBeGreaterThan(0);
    for (const line of logs) expect(() => JSON.parse(line)).not.toThrow();
  }, 60_000);

  it("with --log-format pretty: readable log lines, none of them JSON", async () => {
    const serve = startKanaria(["serve", "--config", config, "--log-format", "pretty"], ENV);
    expect(await serve.exited).toBe(1);
    expect(serve.stderr().filter((l) => l !== "")).toEqual([expect.stringMatching(ERROR_LINE)]);
    const logs = serve.stdout().filter((l) => l !== "");
    expect(logs.some((l) => / (INFO|WARN): /.test(l))).toBe(true);
    expect(logs.filter((l) => l.trimStart().startsWith("{"))).toEqual([]);
  }, 60_000);

  it("refuses an unknown --log-format with its usage", async () => {
    const err: string[] = [];
    const code = await runCli(["serve", "--config", config, "--log-format", "xml"], {
      out: () => {},
      err: (line) => err.push(line),
      cwd: dir,
      env: ENV,
      stopSignal: () => new Promise(() => {}),
    });
    expect(code).toBe(2);
    expect(err[0]).toBe('kanaria serve: --log-format must be json or pretty, not "xml"');
  });

  const hasScript = spawnSync("script", ["--version"]).status === 0;
  it.skipIf(!hasScript)(
    "on a terminal (a pseudo-terminal via script(1)): no raw JSON before the error",
    () => {
      const command = [process.execPath, "--import", "tsx", MAIN, "serve", "--config", config]
        .map((part) => `'${part}'`)
        .join(" ");
      let output = "";
      try {
        execFileSync("script", ["-qec", command, "/dev/null"], {
          cwd: REPO,
          env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", TERM: "dumb", ...ENV },
          encoding: "utf8",
        });
      } catch (error) {
        output = String((error as { stdout?: string }).stdout ?? "");
      }
      const lines = output
        .replace(ANSI_COLOUR, "")
        .split(/\r?\n/)
        .filter((l) => l !== "");
      expect(lines.at(-1)).toMatch(ERROR_LINE);
      expect(lines.filter((l) => l.includes('{"level"'))).toEqual([]);
      expect(thirdPartyWarnings(lines)).toEqual([]);
    },
    60_000,
  );
  if (!hasScript) console.log("serve-output: script(1) not found; the pseudo-terminal case is skipped");
});
