import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { checkConfig, formatDiagnostic } from "../../src/config/check-config.js";
import { DEFAULT_SECRETS_ENV, fixtures, writeTree } from "./config-test-helpers.js";

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.map((c) => c()));
  cleanups = [];
});

describe("formatDiagnostic", () => {
  it.each([
    [
      {
        file: "/repo/apps/web/app.pipecd.yaml",
        line: 3,
        col: 5,
        severity: "error" as const,
        path: "spec.input",
        message: "bad",
      },
      "apps/web/app.pipecd.yaml:3:5: error: spec.input: bad",
    ],
    [
      {
        file: "/repo/kanaria.yaml",
        line: 1,
        col: 1,
        severity: "warning" as const,
        path: "",
        message: "whole file",
      },
      "kanaria.yaml:1:1: warning: whole file",
    ],
    [
      { file: "/elsewhere/x.yaml", line: 2, col: 9, severity: "error" as const, path: "a[0]", message: "m" },
      "../elsewhere/x.yaml:2:9: error: a[0]: m",
    ],
  ])("%j → %s", (diagnostic, line) => {
    expect(formatDiagnostic(diagnostic, "/repo")).toBe(line);
  });
});

describe("checkConfig", () => {
  it("exits 0 on the valid fixture with only the summary line", async () => {
    const env = { KANARIA_TEST_SIGNING_SECRET: "a", KANARIA_TEST_APP_TOKEN: "b", DD_APP_KEY: "c" };
    const check = await checkConfig("valid/kanaria.yaml", { cwd: fixtures, env });
    expect(check).toEqual({ lines: ["0 errors, 0 warnings in 2 apps"], exitCode: 0 });
  });

  it("exits 1 on the broken fixture, one line per problem relative to cwd, then the summary", async () => {
    const check = await checkConfig(path.join(fixtures, "broken/kanaria.yaml"), {
      cwd: path.join(fixtures, "broken"),
      env: DEFAULT_SECRETS_ENV,
    });
    expect(check.exitCode).toBe(1);
    expect(check.lines.at(-1)).toBe("20 errors, 5 warnings in 20 apps");
    expect(check.lines).toContain(
      'apps/bad-duration/app.pipecd.yaml:21:21: error: spec.pipeline.stages[0].with.duration: a bare number is not a duration (PipeCD would read 30 as nanoseconds); write a Go duration such as "30s"',
    );
    expect(
      check.lines
        .slice(0, -1)
        .every((line) => /^apps\/[a-z0-9-]+\/[a-z.]+:\d+:\d+: (error|warning): /.test(line)),
    ).toBe(true);
  });

  it("exits 0 when there are only warnings", async () => {
    const { dir, cleanup } = await writeTree({ "kanaria.yaml": "apps: []\n" });
    cleanups.push(cleanup);
    const check = await checkConfig("kanaria.yaml", { cwd: dir, env: DEFAULT_SECRETS_ENV });
    expect(check).toEqual({
      lines: [
        "kanaria.yaml:1:1: warning: apps: no apps are configured; add entries under apps: so that /deploy has something to deploy",
        "0 errors, 1 warning in 0 apps",
      ],
      exitCode: 0,
    });
  });

  it("exits 1 with a readable line when kanaria.yaml is missing", async () => {
    const { dir, cleanup } = await writeTree({});
    cleanups.push(cleanup);
    const check = await checkConfig("kanaria.yaml", { cwd: dir });
    expect(check).toEqual({
      lines: [
        "kanaria.yaml:1:1: error: cannot read kanaria.yaml: file not found",
        "1 error, 0 warnings in 0 apps",
      ],
      exitCode: 1,
    });
  });
});
