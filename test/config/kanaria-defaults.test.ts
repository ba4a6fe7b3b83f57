/** What kanaria.yaml means when it says little: defaults, aliases and resolved paths. */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { APP_FILES, kanariaTree, lines, PROVIDERS } from "./kanaria-test-tree.js";

const load = kanariaTree();

describe("kanaria.yaml defaults", () => {
  it("fills Slack, store and Datadog defaults and picks the only cloud provider", async () => {
    const { dir, result } = await load(lines(PROVIDERS, "apps: [{dir: ./apps/web}]"));
    expect(result.diagnostics).toEqual([]);
    expect(result.config?.slack).toEqual({
      botToken: { env: "SLACK_BOT_TOKEN" },
      signingSecret: { env: "SLACK_SIGNING_SECRET" },
      port: 3000,
    });
    expect(result.config?.store).toEqual({ path: path.join(dir, "kanaria.db") });
    expect(result.config?.analysisProviders).toEqual([
      {
        name: "datadog",
        type: "DATADOG",
        apiKey: { env: "DD_API_KEY" },
        applicationKey: { env: "DD_APP_KEY" },
        site: "datadoghq.com",
      },
    ]);
    expect(result.config?.apps[0]).toMatchObject({
      name: "web",
      configFile: path.join(dir, "apps/web/app.pipecd.yaml"),
      cloudProvider: "ecs",
      fourEyes: false,
    });
  });

  it("takes PipeCD's Datadog address as the site, or as baseUrl when it is a URL", async () => {
    const yaml = lines(
      "cloudProviders: [{name: ecs, type: ECS, config: {region: eu-west-1}}]",
      "analysisProviders:",
      "  - {name: eu, type: DATADOG, config: {address: datadoghq.eu, applicationKeyFile: ./keys/app}}",
      "  - {name: sandbox, type: DATADOG, config: {address: 'http://127.0.0.1:4010'}}",
      "apps: []",
    );
    const { dir, result } = await load(yaml);
    expect(result.config?.analysisProviders).toEqual([
      {
        name: "eu",
        type: "DATADOG",
        apiKey: { env: "DD_API_KEY" },
        applicationKey: { file: path.join(dir, "keys/app") },
        site: "datadoghq.eu",
      },
      {
        name: "sandbox",
        type: "DATADOG",
        apiKey: { env: "DD_API_KEY" },
        applicationKey: { env: "DD_APP_KEY" },
        site: "datadoghq.com",
        baseUrl: "http://127.0.0.1:4010",
      },
    ]);
  });

  it("reads a Datadog lag as milliseconds, 0 included, and leaves it out when not written", async () => {
    const yaml = lines(
      "cloudProviders: [{name: ecs, type: ECS, config: {region: eu-west-1}}]",
      "analysisProviders:",
      "  - {name: slow, type: DATADOG, config: {lag: 2m30s}}",
      "  - {name: none, type: DATADOG, config: {lag: 0s}}",
      "  - {name: hour, type: DATADOG, config: {lag: 1h}}",
      "  - {name: default, type: DATADOG}",
      "apps: []",
    );
    const { result } = await load(yaml);
    expect(result.config?.analysisProviders.map((p) => [p.name, p.lagMs])).toEqual([
      ["slow", 150_000],
      ["none", 0],
      ["hour", 3_600_000],
      ["default", undefined],
    ]);
    expect(result.config?.analysisProviders[3]).not.toHaveProperty("lagMs");
  });

  it("uses a custom configFile name relative to the app folder", async () => {
    const { result } = await load(
      lines(PROVIDERS, "apps: [{dir: ./apps/web, configFile: web.pipecd.yaml}]"),
      {
        "apps/web/web.pipecd.yaml": APP_FILES["apps/web/app.pipecd.yaml"],
      },
    );
    expect(result.diagnostics).toEqual([]);
    expect(result.apps.get("web")?.file.endsWith("apps/web/web.pipecd.yaml")).toBe(true);
  });
});
