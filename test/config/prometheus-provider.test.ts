/**
 * kanaria.yaml `analysisProviders` entries of `type: PROMETHEUS` (config/read-prometheus-provider.ts):
 * PipeCD's piped shape is read as written, and every mistake is reported at its file:line:col.
 */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";
import { DEFAULT_SECRETS_ENV, type Expected, mismatch } from "./config-test-helpers.js";
import { kanariaTree, lines, PROVIDERS } from "./kanaria-test-tree.js";

const load = kanariaTree();
const K = "kanaria.yaml";
const APPS = "apps: [{dir: ./apps/web}]";
const PROM = ["  - name: prom", "    type: PROMETHEUS"];

describe("a valid PROMETHEUS provider", () => {
  it("reads PipeCD's keys, Kanaria's additions, and resolves the secret files beside kanaria.yaml", async () => {
    const { dir, result } = await load(
      lines(
        PROVIDERS,
        ...PROM,
        "    config:",
        "      address: https://prom.example.com/api/prom",
        "      usernameFile: ./secrets/user",
        "      passwordFile: ./secrets/password",
        "      headers: {X-Scope-OrgID: team-a}",
        "      lag: 45s",
        "  - name: prom-token",
        "    type: PROMETHEUS",
        "    config: {address: 'http://127.0.0.1:9090', bearerTokenFile: ./secrets/token}",
        APPS,
      ),
    );
    expect(result.diagnostics).toEqual([]);
    const [, basic, token] = result.config?.analysisProviders ?? [];
    expect(basic).toEqual({
      name: "prom",
      type: "PROMETHEUS",
      address: "https://prom.example.com/api/prom",
      basicAuth: {
        username: { file: path.join(dir, "secrets/user") },
        password: { file: path.join(dir, "secrets/password") },
      },
      headers: { "X-Scope-OrgID": "team-a" },
      lagMs: 45_000,
    });
    expect(token).toEqual({
      name: "prom-token",
      type: "PROMETHEUS",
      address: "http://127.0.0.1:9090",
      bearerToken: { file: path.join(dir, "secrets/token") },
      headers: {},
    });
  });
});

describe("PROMETHEUS provider mistakes, at file:line:col", () => {
  it.each<{ name: string; yaml: string[]; expected: Expected[] }>([
    {
      name: "an address that is not a URL, an inline password, a negative lag",
      yaml: ["    config:", "      address: prometheus:9090", "      password: hunter2", "      lag: -5s"],
      expected: [
        {
          file: K,
          line: 11,
          col: 16,
          severity: "error",
          path: "analysisProviders[1].config.address",
          words: ["must be an http:// or https:// URL"],
        },
        {
          file: K,
          line: 12,
          col: 7,
          severity: "error",
          path: "analysisProviders[1].config.password",
          words: ["never takes credentials inline", "use passwordFile"],
        },
        {
          file: K,
          line: 13,
          col: 12,
          severity: "error",
          path: "analysisProviders[1].config.lag",
          words: ["must not be negative", '(got "-5s")'],
        },
      ],
    },
    {
      name: "half a basic auth with a bearer token, and headers that cannot be set",
      yaml: [
        "    config:",
        "      address: http://prom:9090",
        "      usernameFile: ./user",
        "      bearerTokenFile: ./token",
        "      headers: {Authorization: Basic x, 'bad header': v}",
      ],
      expected: [
        {
          file: K,
          line: 12,
          col: 21,
          severity: "error",
          path: "analysisProviders[1].config.usernameFile",
          words: ["needs both usernameFile and passwordFile; passwordFile is missing"],
        },
        {
          file: K,
          line: 13,
          col: 24,
          severity: "error",
          path: "analysisProviders[1].config.bearerTokenFile",
          words: ["either bearerTokenFile or usernameFile/passwordFile, not both"],
        },
        {
          file: K,
          line: 14,
          col: 32,
          severity: "error",
          path: "analysisProviders[1].config.headers.Authorization",
          words: ["cannot be set here", "credentials never sit in kanaria.yaml"],
        },
        {
          file: K,
          line: 14,
          col: 55,
          severity: "error",
          path: 'analysisProviders[1].config.headers["bad header"]',
          words: ['"bad header" is not an HTTP header name'],
        },
      ],
    },
    {
      name: "no config at all",
      yaml: [],
      expected: [
        {
          file: K,
          line: 8,
          col: 5,
          severity: "error",
          path: "analysisProviders[1]",
          words: ["a PROMETHEUS provider needs config: {address:"],
        },
      ],
    },
    {
      name: "a typo of address",
      yaml: ["    config: {adress: http://prom:9090}"],
      expected: [
        {
          file: K,
          line: 10,
          col: 5,
          severity: "error",
          path: "analysisProviders[1].config.address",
          words: ['missing required key "address"'],
        },
        {
          file: K,
          line: 10,
          col: 14,
          severity: "error",
          path: "analysisProviders[1].config.adress",
          words: ['unknown key "adress" (did you mean "address"?)'],
        },
      ],
    },
  ])("$name", async ({ yaml, expected }) => {
    const { dir, result } = await load(lines(PROVIDERS, ...PROM, ...yaml, APPS));
    expect(mismatch(result.diagnostics, expected, dir)).toBeUndefined();
    expect(result.config).toBeUndefined();
  });

  it("says which analysis types exist, and that types are upper case", async () => {
    const { dir, result } = await load(
      lines(
        PROVIDERS,
        "  - {name: prom, type: prometheus, config: {address: 'http://p:9090'}}",
        "  - {name: nr, type: NEWRELIC}",
        APPS,
      ),
    );
    const got = result.diagnostics.map(
      (d) => `${path.relative(dir, d.file)}:${d.line}:${d.col} ${d.message}`,
    );
    expect(got).toEqual([
      "kanaria.yaml:8:24 must be PROMETHEUS (types are upper case)",
      "kanaria.yaml:9:22 Kanaria supports only DATADOG, CLOUDWATCH or PROMETHEUS analysis providers (got NEWRELIC)",
    ]);
  });

  it("reports a secret file that is missing or empty where it is written (check-config)", async () => {
    const { dir } = await load(
      lines(
        PROVIDERS,
        ...PROM,
        "    config:",
        "      address: http://prom:9090",
        "      usernameFile: ./user",
        "      passwordFile: ./missing",
        APPS,
      ),
      { user: "\n" },
    );
    const result = await loadConfig(path.join(dir, K), { checkSecrets: true, env: DEFAULT_SECRETS_ENV });
    const got = result.diagnostics.map((d) => `${d.line}:${d.col} ${d.path}: ${d.message}`);
    expect(got).toEqual([
      `12:21 analysisProviders[1].config.usernameFile: file ${path.join(dir, "user")} is empty`,
      `13:21 analysisProviders[1].config.passwordFile: secret file ${path.join(dir, "missing")} does not exist`,
    ]);
    expect(result.config).toBeUndefined();
  });
});
