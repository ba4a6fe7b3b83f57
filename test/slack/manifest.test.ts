/**
 * The Slack app manifests at the repo root: manifest.yml (HTTP) and manifest.socket.yml (Socket Mode).
 * Their content is checked here always; their validity against Slack's manifest JSON schema (read where
 * it lives, ../shared/compat, never copied) only when that folder exists — otherwise skipped with a notice.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ValidateFunction } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REQUIRED_BOT_SCOPES } from "../../src/slack/required-scopes.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const schemaFile = path.resolve(repoRoot, "../shared/compat/slack-manifest.schema.json");
const schemaAvailable = existsSync(schemaFile);
if (!schemaAvailable) {
  console.warn(`[manifest tests] ${schemaFile} does not exist: skipping validation against Slack's schema`);
}

/** What the features need, and nothing more (the reasons are in the YAML comments). */
const EXPECTED_BOT_SCOPES = ["app_mentions:read", "chat:write", "commands", "files:write", "usergroups:read"];
const USAGE_HINT =
  "<app> <version> [reason…] | help | status [app] | history <app> | lock <app> <reason> | unlock <app> | rollback <app> | cancel <app>";

/** The parts of a manifest these tests read; the schema checks the whole. */
interface Manifest {
  display_information: { name: string };
  features: {
    app_home: { home_tab_enabled?: boolean };
    bot_user: { display_name: string; always_online?: boolean };
    slash_commands: Array<{ command: string; url?: string; description: string; usage_hint?: string }>;
  };
  oauth_config: { scopes: { bot: string[]; user?: string[] } };
  settings: {
    event_subscriptions: { request_url?: string; bot_events: string[]; user_events?: string[] };
    interactivity: { is_enabled: boolean; request_url?: string };
    socket_mode_enabled?: boolean;
  };
}

function readManifest(name: string): Manifest {
  return parse(readFileSync(path.join(repoRoot, name), "utf8")) as Manifest;
}

const http = readManifest("manifest.yml");
const socket = readManifest("manifest.socket.yml");

/**
 * Slack's schema declares draft-07 (`$schema`), the draft Ajv's default class implements, so no
 * `ajv/dist/2019` or `2020` is needed. Ajv's strict mode is kept on (a typo in the schema handling fails
 * loudly) and the schema's three non-standard keywords are declared instead of turning strictness off:
 * `_note` and `requires` are annotations; `regex` is what the schema uses where it means `pattern`
 * (display_information.background_color), so it is enforced as one. The one format used, `uri`, is
 * checked with WHATWG URL parsing (ajv-formats is not a dependency). `strictTypes` is off only because the
 * schema puts `minItems` on two items without `"type": "array"` (its external_auth_providers section): loose
 * authoring, not an error, and Ajv would print a warning for each.
 */
function compileSlackSchema(): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strictTypes: false });
  ajv.addKeyword({ keyword: "_note", schemaType: "string" });
  ajv.addKeyword({ keyword: "requires", schemaType: "string" });
  ajv.addKeyword({
    keyword: "regex",
    type: "string",
    schemaType: "string",
    validate: (regex: string, data: string) => new RegExp(regex).test(data),
  });
  ajv.addFormat("uri", (value: string) => URL.canParse(value));
  return ajv.compile(JSON.parse(readFileSync(schemaFile, "utf8")) as object);
}

describe.skipIf(!schemaAvailable)("the manifests against Slack's manifest schema", () => {
  const validate = schemaAvailable ? compileSlackSchema() : undefined;

  it.each([
    ["manifest.yml", http],
    ["manifest.socket.yml", socket],
  ])("%s is valid", (_name, manifest) => {
    const valid = validate?.(manifest);
    expect(validate?.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it("rejects what Slack would reject (so the check above can fail)", () => {
    const broken = structuredClone(http) as Manifest & Record<string, unknown>;
    broken.features.slash_commands[0] = { command: "deploy", description: "no leading slash" };
    (broken.display_information as Record<string, unknown>).background_color = "canary";
    broken.unknown_section = true;
    expect(validate?.(broken)).toBe(false);
    const reported = (validate?.errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`);
    expect(reported).toEqual(
      expect.arrayContaining([
        " additionalProperties",
        "/display_information/background_color regex",
        "/features/slash_commands/0/command pattern",
      ]),
    );
  });
});

describe("the manifests' content", () => {
  it.each([
    ["manifest.yml", http],
    ["manifest.socket.yml", socket],
  ])("%s requests exactly the bot scopes the features need, and no user scopes", (_name, manifest) => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(EXPECTED_BOT_SCOPES);
    expect(manifest.oauth_config.scopes.user).toBeUndefined();
    // check-config --online compares a token's scopes with this constant.
    expect([...REQUIRED_BOT_SCOPES].sort()).toEqual(EXPECTED_BOT_SCOPES);
  });

  it.each([
    ["manifest.yml", http],
    ["manifest.socket.yml", socket],
  ])("%s declares /deploy, the App Home, the events and an always-online kanaria bot", (_name, manifest) => {
    expect(manifest.features.slash_commands.map((c) => [c.command, c.usage_hint])).toEqual([
      ["/deploy", USAGE_HINT],
    ]);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.features.bot_user).toEqual({ display_name: "kanaria", always_online: true });
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual([
      "app_home_opened",
      "app_mention",
    ]);
    expect(manifest.settings.event_subscriptions.user_events).toBeUndefined();
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
  });

  it("HTTP mode: the command, interactivity and events all go to /slack/events; socket mode is off", () => {
    const urls = [
      http.features.slash_commands[0]?.url,
      http.settings.interactivity.request_url,
      http.settings.event_subscriptions.request_url,
    ];
    expect(urls).toEqual([
      "https://kanaria.example.com/slack/events",
      "https://kanaria.example.com/slack/events",
      "https://kanaria.example.com/slack/events",
    ]);
    expect(http.settings.socket_mode_enabled).toBe(false);
  });

  it("Socket Mode: socket_mode_enabled and no request URL anywhere", () => {
    expect(socket.settings.socket_mode_enabled).toBe(true);
    expect(JSON.stringify(socket)).not.toMatch(/request_url|"url"|https?:\/\//);
  });

  it("both files declare the same app apart from the transport", () => {
    const withoutTransport = (manifest: Manifest): unknown => {
      const copy = structuredClone(manifest);
      for (const command of copy.features.slash_commands) delete command.url;
      delete copy.settings.event_subscriptions.request_url;
      delete copy.settings.interactivity.request_url;
      delete copy.settings.socket_mode_enabled;
      return copy;
    };
    expect(withoutTransport(socket)).toEqual(withoutTransport(http));
  });
});
