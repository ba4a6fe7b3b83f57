/**
 * kanaria.yaml `cloudProviders` and `analysisProviders`, in PipeCD's piped shape (`name`, `type`,
 * `config`). Kanaria deploys to ECS and analyses with Datadog, CloudWatch or Prometheus
 * (read-prometheus-provider.ts); any other type is refused by name.
 */
import type { z } from "zod";
import type { DiagnosticSink } from "./diagnostic-sink.js";
import { type FieldPath, isRecord } from "./field-path.js";
import {
  cloudwatchProviderConfigSchema,
  DATADOG_CONFIG_HINTS,
  datadogProviderConfigSchema,
  ECS_CONFIG_HINTS,
  ecsProviderConfigSchema,
  providerEnvelope,
} from "./kanaria-schema.js";
import type { YamlDocument } from "./load-yaml-document.js";
import { readPrometheusProvider } from "./read-prometheus-provider.js";
import type {
  AnalysisProviderConfig,
  CloudWatchProviderConfig,
  DatadogProviderConfig,
  EcsProviderConfig,
  SecretSource,
} from "./types.js";
import { parseAt, rejectKeys } from "./zod-issues.js";

/**
 * Turns a secret reference into an absolute one and records where it was written. `written` undefined
 * means the field was left out and `fallback` (an environment variable) is Kanaria's default.
 */
export type SecretResolver = (
  written: { file?: string | undefined; env?: string | undefined } | undefined,
  fallback: { env: string },
  where: FieldPath,
) => SecretSource;

export interface ProviderContext {
  doc: YamlDocument;
  /** kanaria.yaml's folder, for relative paths. */
  dir: string;
  sink: DiagnosticSink;
  resolveSecret: SecretResolver;
}

/** The providers that are valid, and the names of all entries that have one (valid or not). */
export interface ProviderList<P> {
  providers: P[];
  names: string[];
}

export function readCloudProviders(
  raw: readonly unknown[],
  ctx: ProviderContext,
): ProviderList<EcsProviderConfig> {
  const list: ProviderList<EcsProviderConfig> = { providers: [], names: [] };
  for (const [i, entry] of raw.entries()) {
    const where: FieldPath = ["cloudProviders", i];
    const envelope = readEnvelope(entry, where, ["ECS"], "cloud", list.names, ctx);
    if (!envelope) continue;
    const configAt = { doc: ctx.doc, path: [...where, "config"] };
    const config = parseAt(
      ecsProviderConfigSchema,
      rejectKeys(envelope.config, ECS_CONFIG_HINTS, configAt, ctx.sink),
      configAt,
      ctx.sink,
    );
    if (!config) continue;
    const provider: EcsProviderConfig = {
      name: envelope.name,
      type: "ECS",
      region: config.region,
      endpoints: {},
    };
    if (config.credentialsFile !== undefined) {
      // Registered like a secret so that a missing or empty credentials file is reported where it is
      // written, by check-config as well as serve, instead of surfacing later as an AWS SDK error.
      const source = ctx.resolveSecret({ file: config.credentialsFile }, { env: "" }, [
        ...where,
        "config",
        "credentialsFile",
      ]);
      if ("file" in source) provider.credentialsFile = source.file;
    }
    if (config.profile !== undefined) provider.profile = config.profile;
    if (config.endpoints?.ecs !== undefined) provider.endpoints.ecs = config.endpoints.ecs;
    if (config.endpoints?.elbv2 !== undefined) provider.endpoints.elbv2 = config.endpoints.elbv2;
    if (config.timeouts !== undefined) {
      provider.timeouts = {};
      if (config.timeouts.connect !== undefined) provider.timeouts.connectMs = config.timeouts.connect;
      if (config.timeouts.request !== undefined) provider.timeouts.requestMs = config.timeouts.request;
    }
    list.providers.push(provider);
  }
  return list;
}

export function readAnalysisProviders(
  raw: readonly unknown[],
  ctx: ProviderContext,
  /** For `type: CLOUDWATCH` entries that reuse a cloud provider's credentials (`cloudProvider:`). */
  cloudProviders: readonly EcsProviderConfig[] = [],
): ProviderList<AnalysisProviderConfig> {
  const list: ProviderList<AnalysisProviderConfig> = { providers: [], names: [] };
  for (const [i, entry] of raw.entries()) {
    const where: FieldPath = ["analysisProviders", i];
    const envelope = readEnvelope(entry, where, ANALYSIS_TYPES, "analysis", list.names, ctx);
    if (!envelope) continue;
    if (envelope.type === "PROMETHEUS") {
      const prometheus = readPrometheusProvider(envelope.name, envelope.config, where, ctx);
      if (prometheus) list.providers.push(prometheus);
      continue;
    }
    const configAt = { doc: ctx.doc, path: [...where, "config"] };
    if (envelope.type === "CLOUDWATCH") {
      const config = parseAt(cloudwatchProviderConfigSchema, envelope.config ?? {}, configAt, ctx.sink);
      if (!config) continue;
      const provider = cloudwatchProvider(envelope.name, config, [...where, "config"], ctx, cloudProviders);
      if (provider) list.providers.push(provider);
      continue;
    }
    const config = parseAt(
      datadogProviderConfigSchema,
      rejectKeys(envelope.config ?? {}, DATADOG_CONFIG_HINTS, configAt, ctx.sink),
      configAt,
      ctx.sink,
    );
    if (!config) continue;
    const provider = datadogProvider(envelope.name, config, [...where, "config"], ctx);
    if (provider) list.providers.push(provider);
  }
  return list;
}

/** The `analysisProviders` types Kanaria reads. */
const ANALYSIS_TYPES: readonly string[] = ["DATADOG", "CLOUDWATCH", "PROMETHEUS"];

function readEnvelope(
  entry: unknown,
  where: FieldPath,
  supported: readonly string[],
  what: "cloud" | "analysis",
  names: string[],
  ctx: ProviderContext,
): z.output<typeof providerEnvelope> | undefined {
  const envelope = parseAt(providerEnvelope, entry, { doc: ctx.doc, path: where }, ctx.sink);
  const name = isRecord(entry) && typeof entry.name === "string" ? entry.name : undefined;
  if (name !== undefined) {
    if (names.includes(name)) {
      ctx.sink.error(
        ctx.doc,
        [...where, "name"],
        `duplicate ${what} provider name "${name}"; names must be unique`,
      );
    } else names.push(name);
  }
  if (!envelope) return undefined;
  if (!supported.includes(envelope.type)) {
    const upper = envelope.type.toUpperCase();
    const message = supported.includes(upper)
      ? `must be ${upper} (types are upper case)`
      : `Kanaria supports only ${orList(supported)} ${what} providers (got ${envelope.type})`;
    ctx.sink.error(ctx.doc, [...where, "type"], message);
    return undefined;
  }
  return envelope;
}

function datadogProvider(
  name: string,
  config: z.output<typeof datadogProviderConfigSchema>,
  where: FieldPath,
  ctx: ProviderContext,
): DatadogProviderConfig | undefined {
  let ok = true;
  const error = (key: string, message: string) => {
    ctx.sink.error(ctx.doc, [...where, key], message);
    ok = false;
  };
  const secret = (
    fileKey: "apiKeyFile" | "applicationKeyFile",
    objectKey: "apiKey" | "applicationKey",
    env: string,
  ) => {
    const file = config[fileKey];
    const object = config[objectKey];
    if (file !== undefined && object !== undefined)
      error(objectKey, `give either ${fileKey} or ${objectKey}, not both`);
    if (object !== undefined) return ctx.resolveSecret(object, { env }, [...where, objectKey]);
    return ctx.resolveSecret(file === undefined ? undefined : { file }, { env }, [...where, fileKey]);
  };
  const apiKey = secret("apiKeyFile", "apiKey", "DD_API_KEY");
  const applicationKey = secret("applicationKeyFile", "applicationKey", "DD_APP_KEY");

  // PipeCD calls the site `address`; a full URL there is what Kanaria calls baseUrl.
  let site = config.site;
  let baseUrl = config.baseUrl;
  const address = config.address;
  if (address !== undefined) {
    const isUrl = /^https?:\/\//.test(address);
    if (isUrl ? baseUrl !== undefined : site !== undefined) {
      error("address", `address is PipeCD's name for ${isUrl ? "baseUrl" : "site"}; give only one of them`);
    } else if (isUrl) baseUrl = address;
    else if (/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(address)) site = address;
    else error("address", "must be a Datadog site host such as datadoghq.com, or a full http(s) URL");
  }
  if (!ok) return undefined;
  const provider: DatadogProviderConfig = {
    name,
    type: "DATADOG",
    apiKey,
    applicationKey,
    site: site ?? "datadoghq.com",
  };
  if (baseUrl !== undefined) provider.baseUrl = baseUrl;
  if (config.lag !== undefined) provider.lagMs = config.lag;
  return provider;
}

function cloudwatchProvider(
  name: string,
  config: z.output<typeof cloudwatchProviderConfigSchema>,
  where: FieldPath,
  ctx: ProviderContext,
  cloudProviders: readonly EcsProviderConfig[],
): CloudWatchProviderConfig | undefined {
  let reused: EcsProviderConfig | undefined;
  if (config.cloudProvider !== undefined) {
    reused = cloudProviders.find((p) => p.name === config.cloudProvider);
    if (!reused) {
      const known = cloudProviders.map((p) => p.name).join(", ") || "none are defined";
      ctx.sink.error(
        ctx.doc,
        [...where, "cloudProvider"],
        `cloud provider "${config.cloudProvider}" is not defined in cloudProviders (${known})`,
      );
      return undefined;
    }
    const mixed = (["credentialsFile", "profile"] as const).find((key) => config[key] !== undefined);
    if (mixed) {
      ctx.sink.error(
        ctx.doc,
        [...where, mixed],
        `give either cloudProvider (to reuse its credentials) or ${mixed}, not both`,
      );
      return undefined;
    }
  }
  const region = config.region ?? reused?.region;
  if (region === undefined) {
    ctx.sink.error(
      ctx.doc,
      where,
      'missing "region" (e.g. ap-northeast-1), or name a cloudProvider whose region to use',
    );
    return undefined;
  }
  const provider: CloudWatchProviderConfig = { name, type: "CLOUDWATCH", region, endpoints: {} };
  if (reused) {
    provider.cloudProvider = reused.name;
    if (reused.credentialsFile !== undefined) provider.credentialsFile = reused.credentialsFile;
    if (reused.profile !== undefined) provider.profile = reused.profile;
    if (reused.endpoints.elbv2 !== undefined) provider.endpoints.elbv2 = reused.endpoints.elbv2;
    if (reused.timeouts !== undefined) provider.timeouts = { ...reused.timeouts };
  }
  if (config.credentialsFile !== undefined) {
    const source = ctx.resolveSecret({ file: config.credentialsFile }, { env: "" }, [
      ...where,
      "credentialsFile",
    ]);
    if ("file" in source) provider.credentialsFile = source.file;
  }
  if (config.profile !== undefined) provider.profile = config.profile;
  if (config.endpoints?.cloudwatch !== undefined) provider.endpoints.cloudwatch = config.endpoints.cloudwatch;
  if (config.endpoints?.elbv2 !== undefined) provider.endpoints.elbv2 = config.endpoints.elbv2;
  if (config.timeouts !== undefined) {
    provider.timeouts = {};
    if (config.timeouts.connect !== undefined) provider.timeouts.connectMs = config.timeouts.connect;
    if (config.timeouts.request !== undefined) provider.timeouts.requestMs = config.timeouts.request;
  }
  if (config.lag !== undefined) provider.lagMs = config.lag;
  return provider;
}

/** `A`, `A or B`, `A, B or C`. */
function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}
