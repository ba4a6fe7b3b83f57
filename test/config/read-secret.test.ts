import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { checkConfig } from "../../src/config/check-config.js";
import { loadConfig } from "../../src/config/load-config.js";
import { readSecret } from "../../src/config/read-secret.js";
import { fixtures, writeTree } from "./config-test-helpers.js";

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.map((c) => c()));
  cleanups = [];
});

describe("readSecret", () => {
  it("reads a file secret without its trailing newline", async () => {
    const { dir, cleanup } = await writeTree({ token: "xoxb-from-file\n" });
    cleanups.push(cleanup);
    await expect(readSecret({ file: path.join(dir, "token") }, {})).resolves.toBe("xoxb-from-file");
  });

  it("reads an environment secret from the env it is given, not process.env", async () => {
    await expect(readSecret({ env: "KANARIA_TEST_TOKEN" }, { KANARIA_TEST_TOKEN: " s3cret " })).resolves.toBe(
      "s3cret",
    );
  });

  it.each([
    [
      { env: "KANARIA_TEST_UNSET" },
      {},
      "SECRET_ENV_UNSET",
      "environment variable KANARIA_TEST_UNSET is not set",
    ],
    [
      { env: "KANARIA_TEST_EMPTY" },
      { KANARIA_TEST_EMPTY: "  " },
      "SECRET_EMPTY",
      "environment variable KANARIA_TEST_EMPTY is empty",
    ],
    [
      { file: "/definitely/not/here/token" },
      {},
      "SECRET_FILE_UNREADABLE",
      "secret file /definitely/not/here/token does not exist",
    ],
  ] as const)("fails with a stable code: %j", async (source, env, code, message) => {
    const read = readSecret(source, env);
    await expect(read).rejects.toThrow(message);
    await expect(readSecret(source, env)).rejects.toMatchObject({ code, name: "ConfigError" });
  });
});

describe("checkSecrets", () => {
  const kanaria = path.join(fixtures, "valid/kanaria.yaml");

  it("reports secrets that cannot be read at the field naming them, never with a value", async () => {
    const env = { KANARIA_TEST_SIGNING_SECRET: "signing-value" };
    const result = await loadConfig(kanaria, { env, checkSecrets: true });
    expect(result.config).toBeUndefined();
    const messages = result.diagnostics.map((d) => `${d.line}:${d.col} ${d.path}: ${d.message}`);
    expect(messages).toEqual([
      "4:13 slack.appToken: environment variable KANARIA_TEST_APP_TOKEN is not set",
      "18:5 analysisProviders[0].config.applicationKeyFile: environment variable DD_APP_KEY is not set (the default, as analysisProviders[0].config.applicationKeyFile is not set)",
    ]);
    expect(JSON.stringify(result.diagnostics)).not.toContain("xoxb-fixture-token");
    expect(JSON.stringify(result.diagnostics)).not.toContain("signing-value");
  });

  it("passes when every secret can be read", async () => {
    const env = { KANARIA_TEST_SIGNING_SECRET: "a", KANARIA_TEST_APP_TOKEN: "b", DD_APP_KEY: "c" };
    const check = await checkConfig(kanaria, { env, checkSecrets: true, cwd: fixtures });
    expect(check).toEqual({ lines: ["0 errors, 0 warnings in 2 apps"], exitCode: 0 });
  });
});
